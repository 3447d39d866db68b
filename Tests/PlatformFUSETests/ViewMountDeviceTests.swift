// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformFUSE
import PlatformTestSupport
import PlatformViews
import Testing

/// A device file (the loopback pipe) through a real mount, driven by Python and shell
/// processes: blocking requests answered later, O_NONBLOCK, poll, Ctrl-C, stream mode.
extension FUSEMountTests {
    @Suite(.timeLimit(.minutes(2))) struct ViewMountDeviceTests {
        @Test func blockingReadIsCompletedLaterByAnotherThread() async throws {
            let tree = SampleTree()
            let fixture = try MountFixture(tree.root)
            let reader = try Shell.start([
                "python3", "-c", "import os,sys; print(os.read(os.open(sys.argv[1], os.O_RDONLY), 100))",
                fixture.path("dev/loop0"),
            ])
            #expect(MountFixture.wait { tree.pipe.waitingReaders == 1 })
            await Task.detached { tree.pipe.push(Array("later".utf8)) }.value
            #expect(reader.finish().output == "b'later'\n")
        }

        @Test func nonBlockingReadOfAnEmptyDeviceIsEAGAIN() throws {
            let fixture = try MountFixture(SampleTree().root)
            let result = try Shell.python(
                """
                import os, sys
                fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
                try:
                    os.read(fd, 10)
                except OSError as e:
                    print(e.errno)
                """, [fixture.path("dev/loop0")])
            #expect(result.output == "11\n")
        }

        @Test func pollWakesWhenDataArrives() async throws {
            let tree = SampleTree()
            let fixture = try MountFixture(tree.root)
            let poller = try Shell.start([
                "python3", "-c",
                """
                import os, select, sys
                fd = os.open(sys.argv[1], os.O_RDWR)
                p = select.poll(); p.register(fd, select.POLLIN)
                print(p.poll(0))
                sys.stdout.flush()
                print(p.poll(10000), os.read(fd, 10))
                """, fixture.path("dev/loop0"),
            ])
            #expect(MountFixture.wait { tree.pipe.pollQueue.hasWaiters })
            tree.pipe.push(Array("p".utf8))
            let output = poller.finish().output
            #expect(output.hasPrefix("[]\n[("))
            #expect(output.hasSuffix(", 1)] b'p'\n"))
        }

        @Test func readAndWriteOnTheSameOpenFileDoNotDeadlock() throws {
            let fixture = try MountFixture(SampleTree().root)
            // A read blocked in one thread must not hold the file-position lock a write on
            // the same fd needs (FOPEN_STREAM).
            let result = try Shell.python(
                """
                import os, sys, threading, time
                fd = os.open(sys.argv[1], os.O_RDWR)
                threading.Thread(target=lambda: (time.sleep(0.3), os.write(fd, b"same-fd"))).start()
                print(os.read(fd, 100))
                """, [fixture.path("dev/loop0")], timeout: 10)
            #expect(result.output == "b'same-fd'\n")
        }

        @Test func signalOnABlockedReaderReturnsEINTRPromptly() throws {
            let fixture = try MountFixture(SampleTree().root)
            let result = try Shell.python(
                """
                import ctypes, errno, os, signal, sys, time
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open(sys.argv[1], os.O_RDONLY)
                signal.signal(signal.SIGALRM, lambda *a: None)
                signal.setitimer(signal.ITIMER_REAL, 0.3)
                start = time.time()
                n = libc.read(fd, ctypes.create_string_buffer(10), 10)
                print(n, errno.errorcode[ctypes.get_errno()], time.time() - start < 2)
                """, [fixture.path("dev/loop0")], timeout: 10)
            #expect(result.output == "-1 EINTR True\n")
        }

        @Test func ctrlCEndsABlockedCat() throws {
            let tree = SampleTree()
            let fixture = try MountFixture(tree.root)
            let start = Date()
            let result = try Shell.run(["timeout", "-s", "INT", "0.5", "cat", fixture.path("dev/loop0")], timeout: 10)
            #expect(result.status == 124)
            #expect(Date().timeIntervalSince(start) < 3)
            #expect(MountFixture.wait { tree.pipe.openCount == 0 })
        }

        @Test func eightConcurrentWritersAndReadersMoveEveryByte() throws {
            let tree = SampleTree()
            let fixture = try MountFixture(tree.root)
            let device = fixture.path("dev/loop0")
            // 4 writers, each 40 writes of 100 bytes of its own letter; 4 readers until EOF.
            let writers = try (0..<4).map { index in
                try Shell.start(
                    [
                        "python3", "-c",
                        """
                        import os, sys
                        fd = os.open(sys.argv[1], os.O_WRONLY)
                        for _ in range(40): assert os.write(fd, sys.argv[2].encode() * 100) == 100
                        """, device, String(UnicodeScalar(UInt8(65 + index))),
                    ], timeout: 60)
            }
            let readers = try (0..<4).map { _ in
                try Shell.start(
                    [
                        "python3", "-c",
                        """
                        import collections, os, sys
                        fd = os.open(sys.argv[1], os.O_RDONLY)
                        seen = collections.Counter()
                        while chunk := os.read(fd, 256): seen.update(chunk.decode())
                        print(" ".join(f"{k}{v}" for k, v in sorted(seen.items())))
                        """, device,
                    ], timeout: 60)
            }
            #expect(writers.map { $0.finish().status } == [0, 0, 0, 0])
            tree.pipe.finish()
            var totals: [Character: Int] = [:]
            for line in readers.map({ $0.finish().output }) {
                for item in line.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                    totals[item.first!, default: 0] += Int(item.dropFirst())!
                }
            }
            #expect(totals == ["A": 4000, "B": 4000, "C": 4000, "D": 4000])
        }
    }
}
