// SPDX-License-Identifier: Apache-2.0
import PlatformSys
import PlatformTestSupport
import Testing

let python3 = executableOnPath("python3")

/// Splits what a descriptor delivers into lines, waiting up to a timeout for each.
final class LineReader {
    private var pending: [UInt8] = []
    private let epoll: Epoll<UInt64>
    private let fd: OwnedFD

    init(_ fd: SharedFD) throws {
        self.fd = try fd.descriptor.duplicate()
        epoll = try Epoll()
        try epoll.add(self.fd.rawValue, token: 0)
    }

    /// The next line without its newline; nil at end of file or after `timeout`.
    func next(timeout: Duration = .seconds(10)) throws -> String? {
        while !pending.contains(10) {
            guard try !epoll.wait(timeout: timeout).isEmpty else { return nil }
            guard case .processed(let chunk) = try fd.read(upTo: 256), !chunk.isEmpty else { return nil }
            pending += chunk
        }
        let line = pending.prefix { $0 != 10 }
        pending.removeFirst(line.count + 1)
        return String(decoding: line, as: UTF8.self)
    }
}

@Suite("child processes", .timeLimit(.minutes(2)), .serialized)
struct ChildProcessTests {
    @Test("the child gets exactly the mapped descriptors, fd 3 included")
    func descriptorMap() throws {
        let output = try Pipe()
        let lines = try LineReader(output.readEnd)
        let child = try ChildProcess.spawn(
            executable: "/bin/sh", arguments: ["sh", "-c", "echo hello >&3; exec ls -1 /proc/self/fd >&3"],
            descriptors: [nil, nil, nil, output.writeEnd.rawValue])
        let status = try child.wait()

        #expect(status == .exited(0))
        #expect(try lines.next() == "hello")
        // ls sees fd 3, its stdout (a copy of 3) and fd 0, the lowest free
        // number, for reading /proc/self/fd: nothing of the parent leaked.
        #expect(try [lines.next(), lines.next(), lines.next()] == ["0", "1", "3"])
    }

    @Test("exit codes and killing signals are reported")
    func exitStatuses() throws {
        let exits = try ChildProcess.spawn(executable: "/bin/sh", arguments: ["sh", "-c", "exit 7"], descriptors: [])
        let sleeps = try ChildProcess.spawn(executable: "/bin/sleep", arguments: ["sleep", "30"], descriptors: [])
        try sleeps.send(.terminate)

        #expect(try exits.wait() == .exited(7))
        #expect(try sleeps.wait() == .signaled(.terminate))
        #expect(try sleeps.tryWait() == .signaled(.terminate))
    }

    @Test("the pidfd becomes readable in epoll when the child exits")
    func pidfdReportsExit() throws {
        let child = try ChildProcess.spawn(executable: "/bin/sleep", arguments: ["sleep", "30"], descriptors: [])
        let epoll = try Epoll<UInt64>()
        try epoll.add(child.pidDescriptor.rawValue, token: UInt64(child.pid))
        #expect(try epoll.wait(timeout: .milliseconds(20)).isEmpty)
        #expect(try child.tryWait() == nil)

        try child.send(.kill)

        #expect(try epoll.wait(timeout: .seconds(5)).map(\.token) == [UInt64(child.pid)])
        #expect(try child.wait() == .signaled(.kill))
    }

    @Test("SIGSTOP freezes and SIGCONT resumes the child (pause/resume)")
    func stopAndContinue() throws {
        let child = try ChildProcess.spawn(executable: "/bin/sleep", arguments: ["sleep", "30"], descriptors: [])
        defer {
            try? child.send(.kill)
            _ = try? child.wait()
        }

        try child.send(.stop)
        let stopped = waitUntil { (try? ProcessInfo.cpuTimes(of: child.pid).state) == "T" }
        try child.send(.continue)
        let resumed = waitUntil { (try? ProcessInfo.cpuTimes(of: child.pid).state) == "S" }

        #expect(stopped)
        #expect(resumed)
    }

    @Test("argv[0] is what the process table shows; it leads its own process group")
    func titleAndProcessGroup() throws {
        let child = try ChildProcess.spawn(
            executable: "/bin/sleep", arguments: ["vlm-guest-vm2", "30"], descriptors: [], newProcessGroup: true)
        defer {
            try? child.send(.kill)
            _ = try? child.wait()
        }

        // The vfork-style spawn returns before the kernel has filled in the new argv.
        _ = waitUntil { (try? FileSystem.readFile("/proc/\(child.pid)/cmdline").isEmpty) == false }
        let cmdline = try FileSystem.readFile("/proc/\(child.pid)/cmdline")
        let stat = String(decoding: try FileSystem.readFile("/proc/\(child.pid)/stat"), as: UTF8.self)
        let fields = stat[stat.lastIndex(of: ")")!...].split(separator: " ")

        #expect(cmdline.split(separator: 0).first.map { String(decoding: $0, as: UTF8.self) } == "vlm-guest-vm2")
        #expect(fields[3] == "\(child.pid)")  // ")", state, ppid, pgrp: pgrp == pid
    }

    @Test(
        "a child receives descriptors over SCM_RIGHTS and signals the eventfd",
        .enabled(if: python3 != nil))
    func childUsesPassedEventFD() throws {
        let (supervisor, guest) = try ControlSocket.pair()
        let event = try EventFD(nonBlocking: true)
        let script = """
            import os, socket
            s = socket.socket(fileno=3)
            msg, fds, _, _ = socket.recv_fds(s, 64, 4)
            os.eventfd_write(fds[0], int(msg))
            s.send(b"done")
            """
        let child = try ChildProcess.spawn(
            executable: python3!, arguments: ["python3", "-c", script],
            descriptors: [nil, nil, 2, guest.rawValue])

        try supervisor.send(Array("5".utf8), descriptors: [event.rawValue])
        let reply = try supervisor.receiveBlocking()

        #expect(reply?.bytes == Array("done".utf8))
        #expect(try event.wait() == .processed(5))
        #expect(try child.wait() == .exited(0))
    }

    @Test("PR_SET_PDEATHSIG kills a process when its parent dies", .enabled(if: python3 != nil))
    func parentDeathKillsChild() throws {
        let grandchild =
            "import ctypes, os, time; ctypes.CDLL(None).prctl(1, 9); print(os.getpid(), flush=True); time.sleep(60)"
        let middle =
            "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', sys.argv[1]]); time.sleep(60)"
        let output = try Pipe()
        let lines = try LineReader(output.readEnd)
        let parent = try ChildProcess.spawn(
            executable: python3!, arguments: ["python3", "-c", middle, grandchild],
            descriptors: [nil, output.writeEnd.rawValue, 2])
        let pid = try #require(lines.next().flatMap { Int32($0) })
        #expect(ProcessInfo.exists(pid))

        try parent.send(.kill)
        _ = try parent.wait()

        #expect(waitUntil { !ProcessInfo.exists(pid) || (try? ProcessInfo.cpuTimes(of: pid).state) == "Z" })
    }

    @Test("ParentDeath.arm reports a parent that is not the expected one")
    func armDetectsWrongParent() throws {
        #expect(try ParentDeath.arm(signal: .childExited, expectedParent: ProcessInfo.parentID))
        #expect(try !ParentDeath.arm(signal: .childExited, expectedParent: -5))
        #expect(try ParentDeath.arm(signal: Signal(rawValue: 0), expectedParent: ProcessInfo.parentID))
    }

    @Test("CPU times parse from a stat line whose command has spaces and parentheses")
    func statLineParsing() throws {
        let line = "42 (vlm guest (vm2)) S 1 42 42 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 1 0"
        let times = try #require(ProcessCPUTimes(statLine: line, ticksPerSecond: 100))
        #expect(times.user == .milliseconds(2500))
        #expect(times.system == .milliseconds(750))
        #expect(times.state == "S")
    }
}
