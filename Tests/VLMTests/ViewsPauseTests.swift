// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Synchronization
import Testing

/// A paused VM (issue 17): its programs stop, its views keep answering, its
/// devices hold requests interruptibly, its xirqs wait; pausing or resuming
/// one's own VM returns to the caller.
@Suite("vlm run: a paused VM", .timeLimit(.minutes(3)), .serialized, .enabled(if: VLMBinary.isBuilt))
struct ViewsPauseTests {
    /// Calls that did not return in time (a wedged mount), reaped once the VM is resumed.
    final class Stuck {
        var children: [ChildProcess] = []

        /// Runs `argv` with a deadline; its exit status and output, or nil status
        /// when it did not end in time (then it is kept to be reaped later).
        func run(_ argv: [String], in dir: String, timeout: Duration = .seconds(10)) throws -> (
            PlatformSys.ExitStatus?, String
        ) {
            let outPath = dir + "/out.\(children.count).\(argv.count)"
            let output = try FileSystem.openForWriting(outPath)
            let devNull = try FileSystem.openReadOnly("/dev/null")
            let child = try ChildProcess.spawn(
                executable: argv[0], arguments: argv,
                descriptors: [devNull.rawValue, output.rawValue, output.rawValue],
                newProcessGroup: false)
            guard let status = try child.wait(timeout: timeout) else {
                children.append(child)
                return (nil, "")
            }
            return (status, String(decoding: (try? FileSystem.readFile(outPath)) ?? [], as: UTF8.self))
        }

        /// Resumes VM 2 (what frees a caller wedged by the old pause) and reaps.
        func release(_ platform: RunningPlatform) throws {
            guard !children.isEmpty else { return }
            _ = try platform.vlm(["resume", "2"])
            for child in children { _ = try child.wait() }
        }
    }

    /// `argv` of a shell command.
    static func sh(_ command: String) -> [String] { ["/bin/sh", "-c", command] }

    /// Opens `argv[1]` blocking with a 0.5 s timer (prints the errno name or
    /// `opened`), then non-blocking (the same).
    static let openTwice = """
        import ctypes, errno, os, signal, sys
        libc = ctypes.CDLL(None, use_errno=True)
        signal.signal(signal.SIGALRM, lambda *a: None)
        for flags in (os.O_RDONLY, os.O_RDONLY | os.O_NONBLOCK):
            signal.setitimer(signal.ITIMER_REAL, 0.5)
            fd = libc.open(sys.argv[1].encode(), flags)
            signal.setitimer(signal.ITIMER_REAL, 0)
            print("opened" if fd >= 0 else errno.errorcode[ctypes.get_errno()])
            if fd >= 0: os.close(fd)
        """

    static func processState(_ pid: Int32) -> Character? {
        try? ProcessInfo.cpuTimes(of: pid).state
    }

    @Test("echo 2 > vm2's vmsuspend: the writer returns, the views answer, vl,init stops, devices block interruptibly")
    func pausingItself() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(serverInit: "sleep 600"), in: dir)
            let stuck = Stuck()
            defer { try? stuck.release(platform) }
            let views = dir + "/run/vm2"
            let guest = try #require(try vmTable(platform)[2]?.pid)
            // vl,init runs in the VM's own PID namespace: find its host pid among the guest's descendants.
            let sleeper = { ProcessTable.descendants(of: guest).first { $0.commandLine.hasPrefix("sleep 600") }?.pid }
            #expect(waitUntil(timeout: .seconds(10)) { sleeper() != nil })
            let initPID = try #require(sleeper())

            let (paused, _) = try stuck.run(Self.sh("echo 2 > \(views)/proc/nk/vmsuspend"), in: dir)
            #expect(paused == .exited(0), "the writer returned")
            #expect(try vmTable(platform)[2]?.state == "paused")
            #expect(waitUntil(timeout: .seconds(5)) { Self.processState(initPID) == "T" }, "vl,init is stopped")
            #expect(Self.processState(guest) != "T", "the guest process serves the views")
            let (read, id) = try stuck.run(["/bin/cat", views + "/proc/nk/id"], in: dir)
            #expect(read == .exited(0) && id == "2", "a paused VM's views answer")
            let (opened, opens) = try stuck.run(
                ["/usr/bin/env", "python3", "-c", Self.openTwice, views + "/dev/vlx-console"], in: dir)
            #expect(
                opened == .exited(0) && opens == "EINTR\nEAGAIN\n", "a held device request ends on a signal: \(opens)")

            let (resumed, _) = try stuck.run(Self.sh("echo 2 > \(views)/proc/nk/vmresume"), in: dir)
            #expect(resumed == .exited(0))
            #expect(try vmTable(platform)[2]?.state == "running")
            #expect(waitUntil(timeout: .seconds(5)) { Self.processState(initPID) != "T" }, "vl,init runs again")
            let (_, after) = try stuck.run(
                ["/usr/bin/env", "python3", "-c", Self.openTwice, views + "/dev/vlx-console"], in: dir)
            #expect(after == "opened\nopened\n")
            try stuck.release(platform)
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("bit 0 of one's own nk.vm.2.state.paused pauses and resumes; vlm pause keeps the views answering")
    func pausingThroughTheStateProperty() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(), in: dir, extraArguments: ["--no-init"])
            let stuck = Stuck()
            defer { try? stuck.release(platform) }
            let property = dir + "/run/vm2/sys/nk/prop/nk.vm.2.state.paused"
            let (paused, _) = try stuck.run(Self.sh("printf 1 > \(property)"), in: dir)
            #expect(paused == .exited(0))
            #expect(try vmTable(platform)[2]?.state == "paused")
            let (resumed, _) = try stuck.run(Self.sh("printf 0 > \(property)"), in: dir)
            #expect(resumed == .exited(0))
            #expect(try vmTable(platform)[2]?.state == "running")

            #expect(try platform.vlm(["pause", "2"]).status == .exited(0))
            let (read, text) = try stuck.run(["/bin/cat", dir + "/run/vm2/proc/nk/state"], in: dir)
            #expect(read == .exited(0) && text == "28")
            let (word, bytes) = try stuck.run(["/usr/bin/od", "-An", "-tu1", property], in: dir)
            #expect(
                word == .exited(0) && bytes.split(separator: " ").first == "7",
                "paused, three transitions counted: \(bytes)")
            #expect(try platform.vlm(["resume", "2"]).status == .exited(0))
            #expect(try vmTable(platform)[2]?.state == "running")
            try stuck.release(platform)
            #expect(try platform.stop() == .exited(0))
        }
    }

    /// `argv[1]` = `read`: opens `argv[2]` for reading (a vpipe open waits for the
    /// peer), prints `open`, then what one read gives. `write`: opens it for
    /// writing, prints `open`, waits for the file `argv[3]`, writes `hello`.
    static let pipeEnd = """
        import os, sys, time
        fd = os.open(sys.argv[2], os.O_RDONLY if sys.argv[1] == "read" else os.O_WRONLY)
        print("open", flush=True)
        if sys.argv[1] == "read":
            print(os.read(fd, 64).decode(), flush=True)
        else:
            while not os.path.exists(sys.argv[3]): time.sleep(0.01)
            os.write(fd, b"hello")
            print("sent", flush=True)
        """

    /// Starts `pipeEnd` as `role` on `device`; a function giving what it printed so far.
    static func startPipeEnd(_ role: String, _ device: String, go: String, dir: String) throws -> (
        ChildProcess, () -> String
    ) {
        let output = dir + "/\(role).out"
        let out = try FileSystem.openForWriting(output)
        let devNull = try FileSystem.openReadOnly("/dev/null")
        let child = try ChildProcess.spawn(
            executable: "/usr/bin/env", arguments: ["env", "python3", "-c", Self.pipeEnd, role, device, go],
            descriptors: [devNull.rawValue, out.rawValue, out.rawValue], newProcessGroup: false)
        return (child, { String(decoding: (try? FileSystem.readFile(output)) ?? [], as: UTF8.self) })
    }

    @Test("a paused VM's xirqs wait: data sent to it reaches its reader only once it is resumed")
    func xirqsWaitWhilePaused() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(), in: dir, extraArguments: ["--no-init"])
            let go = dir + "/go"
            let (reader, read) = try Self.startPipeEnd("read", dir + "/run/vm2/dev/vpipe0", go: go, dir: dir)
            let (writer, wrote) = try Self.startPipeEnd("write", dir + "/run/vm3/dev/vpipe0", go: go, dir: dir)
            defer {
                for child in [reader, writer] {
                    try? child.send(.kill)
                    _ = try? child.wait()
                }
            }
            #expect(
                waitUntil(timeout: .seconds(10)) { read() == "open\n" && wrote() == "open\n" }, "\(read()) \(wrote())")
            #expect(try platform.vlm(["pause", "2"]).status == .exited(0))
            try FileSystem.writeAtomically(go, [])
            #expect(waitUntil(timeout: .seconds(10)) { wrote() == "open\nsent\n" }, "\(wrote())")
            // The bytes are in the ring; only VM 2's xirq handler can wake its reader,
            // and it must not run while VM 2 is paused.
            #expect(
                !waitUntil(timeout: .seconds(1)) { read() != "open\n" }, "the reader woke during the pause: \(read())")
            #expect(try platform.vlm(["resume", "2"]).status == .exited(0))
            #expect(waitUntil(timeout: .seconds(10)) { read() == "open\nhello\n" }, "\(read())")
            #expect(try platform.stop() == .exited(0))
        }
    }
}
