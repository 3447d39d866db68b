// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformFUSE
import PlatformTestSupport
import PlatformViews
import Testing
import VDrivers

/// The two VMs' views mounted with FUSE, used by real processes and shell tools.
@Suite(.timeLimit(.minutes(2)), .serialized, .enabled(if: FUSEAvailability.shouldRun)) struct ShellToolTests {
    final class Mounted {
        let vms: TwoVMs
        let directory: String
        let mounts: [ViewMount]

        init() throws {
            vms = try TwoVMs()
            directory = NSTemporaryDirectory() + "vdrivers-\(UUID().uuidString)"
            var mounts: [ViewMount] = []
            for id in [2, 3] {
                let path = "\(directory)/vm\(id)"
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                let root = ViewDirectory()
                root.add("dev", .directory(vms[NkOsIdLiteral(id)].dev))
                root.makeDirectories("proc").add("nk", .directory(vms[NkOsIdLiteral(id)].procNK))
                mounts.append(try ViewMount(root, at: path))
            }
            self.mounts = mounts
        }

        deinit {
            for mount in mounts { mount.unmount() }
            try? FileManager.default.removeItem(atPath: directory)
        }

        func sh(_ script: String, timeout: Double = 20) throws -> (Int32, String) {
            let outcome = try ProcessRunner.run("/bin/sh", ["-c", script], in: directory, timeout: timeout)
            return (outcome.status, outcome.outputText + outcome.standardError)
        }
    }

    @Test func echoInOneVMCatInTheOther() throws {
        let m = try Mounted()
        let (status, output) = try m.sh("cat vm2/dev/vpipe0 > out & sleep 0.3; echo hi > vm3/dev/vpipe0; wait; cat out")
        #expect(status == 0)
        #expect(output == "hi\n")
        let (_, proc) = try m.sh("cat vm2/proc/nk/vpipe")
        #expect(proc.contains(" 0  3  0 ER0 FF 1ff8    1     1          3     0          0 vpipe0"))
    }

    @Test func wrongDirectionAndDdThroughput() throws {
        let m = try Mounted()
        let (status, output) = try m.sh("echo x > vm2/dev/vpipe0 2>&1; echo status=$?")
        #expect(status == 0 && output.contains("Permission denied") && !output.contains("status=0"))
        let script = """
            head -c 3000000 /dev/urandom > in
            cat vm2/dev/vpipe0 > out & dd if=in of=vm3/dev/vpipe0 bs=64K 2>/dev/null; wait
            cmp in out && echo same
            """
        #expect(try m.sh(script, timeout: 60).1.contains("same"))
    }

    @Test func pythonPollNonBlockingAndEPIPE() throws {
        let m = try Mounted()
        let script = """
            python3 - <<'PY'
            import os, select, errno, time
            w = os.open('vm2/dev/tiny', os.O_WRONLY | os.O_NONBLOCK)
            r = os.open('vm3/dev/tiny', os.O_RDONLY | os.O_NONBLOCK)
            def until(f):
                end = time.monotonic() + 20
                while not f() and time.monotonic() < end: time.sleep(0.005)
            pw = select.poll(); pw.register(w, select.POLLOUT)
            until(lambda: pw.poll(0))  # the handshake is done: the link is up
            p = select.poll(); p.register(r, select.POLLIN)
            print('empty', p.poll(0))
            try: os.read(r, 10)
            except OSError as e: print('read', errno.errorcode[e.errno])
            print('wrote', os.write(w, b'a' * 20))
            try: os.write(w, b'b' * 13)
            except OSError as e: print('write', errno.errorcode[e.errno])
            print('ready', [e for _, e in p.poll(1000)])
            print('got', len(os.read(r, 100)))
            os.close(r)  # released asynchronously: wait until the writer sees the reader gone
            until(lambda: any(e & select.POLLHUP for _, e in pw.poll(0)))
            try: os.write(w, b'c')
            except OSError as e: print('write', errno.errorcode[e.errno])
            PY
            """
        let (_, output) = try m.sh(script)
        #expect(output == "empty []\nread EAGAIN\nwrote 20\nwrite EAGAIN\nready [1]\ngot 20\nwrite EPIPE\n")
    }

    @Test func vbpipeBothWays() throws {
        let m = try Mounted()
        let script = """
            python3 - <<'PY' &
            import os
            fd = os.open('vm3/dev/vbpipe0', os.O_RDWR)
            data = os.read(fd, 5)
            os.write(fd, data.upper())
            PY
            python3 - <<'PY'
            import os
            fd = os.open('vm2/dev/vbpipe0', os.O_RDWR)
            os.write(fd, b'hello')
            print(os.read(fd, 5).decode())
            PY
            wait
            """
        #expect(try m.sh(script).1 == "HELLO\n")
    }
}

/// `vms[2]` with an integer literal.
func NkOsIdLiteral(_ id: Int) -> UInt32 { UInt32(id) }
