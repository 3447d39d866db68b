// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Testing

/// `dev/vlx-log-<id>` and `dev/vlx-console` readers blocked at the end of a
/// console (manual lines 13445, 13467) are woken by the console doorbell the
/// supervisor rings after streaming new output: nothing polls.
@Suite(
    "vlm run: blocked console readers are rung, not polled", .timeLimit(.minutes(2)), .serialized,
    .enabled(if: VLMBinary.isBuilt))
struct ConsoleDoorbellTests {
    /// Context switches of every thread of process `pid` so far (each wake-up of a
    /// sleeping thread counts at least one).
    static func contextSwitches(_ pid: Int32) throws -> Int {
        try FileSystem.listDirectory("/proc/\(pid)/task").reduce(0) { total, task in
            let status = String(
                decoding: (try? FileSystem.readFile("/proc/\(pid)/task/\(task)/status")) ?? [], as: UTF8.self)
            return total
                + status.split(separator: "\n").reduce(0) { sum, line in
                    guard line.contains("ctxt_switches:") else { return sum }
                    return sum + (Int(line.split(separator: "\t").last ?? "") ?? 0)
                }
        }
    }

    /// Reads `console` to its end and on, appending what it gets to `out`.
    static func startReader(_ console: String, out: String) throws -> StartedProcess {
        try ProcessRunner.start([
            "/usr/bin/env", "python3", "-c",
            """
            import os, sys
            fd = os.open(sys.argv[1], os.O_RDONLY)
            while True:
                data = os.read(fd, 4096)
                if not data: break
                with open(sys.argv[2], "ab") as out: out.write(data)
            """, console, out,
        ])
    }

    @Test(
        "a reader blocked on another VM's console gets every line at once and in order; while it waits, its VM sleeps")
    func blockedReaderIsRung() throws {
        try withTemporaryDirectory { dir in
            let feed = dir + "/feed"
            let out = dir + "/read"
            #expect(try ProcessRunner.run("/usr/bin/mkfifo", [feed]).status == 0)
            // VM 2's vl,init copies the FIFO to its console (stdout → history → streamed).
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(serverInit: "exec cat \(feed)"), in: dir)
            let writer = try FileSystem.openForWriting(feed)
            let reader = try Self.startReader(dir + "/run/vm3/dev/vlx-log-2", out: out)
            defer {
                try? Signal.send(.kill, to: reader.pid)
                _ = reader.finish(timeout: 10)
            }
            let text = { String(decoding: (try? FileSystem.readFile(out)) ?? [], as: UTF8.self) }

            try writer.writeAll(Array("first\n".utf8))
            try #require(waitUntil(timeout: .seconds(20)) { text().hasSuffix("first\n") }, "read: \(text())")
            let history = text()  // what VM 2 wrote before, then "first"

            // The reader is blocked at the end of VM 2's console. A 20 ms poll woke
            // VM 3's process 50 times a second (at least two switches each).
            let vm3 = try #require(try vmTable(platform)[3]?.pid)
            let before = try Self.contextSwitches(vm3)
            ProcessInfo.sleep(for: .seconds(1))
            let idle = try Self.contextSwitches(vm3) - before
            #expect(idle < 25, "VM 3 woke \(idle) times in an idle second")

            let lines = (0..<300).map { "line \($0)" }
            for line in lines { try writer.writeAll(Array((line + "\n").utf8)) }
            // VM 2's own messages (its drivers') may come in between.
            let sent = {
                text().dropFirst(history.count).split(separator: "\n").filter { $0.hasPrefix("line ") }.map(String.init)
            }
            #expect(waitUntil(timeout: .seconds(20)) { sent().count >= lines.count })
            #expect(sent() == lines, "every line, once, in order")
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("poll on a console at its end wakes when the console's VM writes")
    func pollIsRung() throws {
        try withTemporaryDirectory { dir in
            let feed = dir + "/feed"
            let out = dir + "/polled"
            let polling = dir + "/polling"
            #expect(try ProcessRunner.run("/usr/bin/mkfifo", [feed]).status == 0)
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(serverInit: "exec cat \(feed)"), in: dir)
            let writer = try FileSystem.openForWriting(feed)
            let poller = try ProcessRunner.start([
                "/usr/bin/env", "python3", "-c",
                """
                import os, select, sys
                fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
                try:
                    while os.read(fd, 4096): pass
                except BlockingIOError:
                    pass
                p = select.poll()
                p.register(fd, select.POLLIN)
                open(sys.argv[3], "w").close()
                data = b""
                while not data.endswith(b"wake\\n"):
                    events = p.poll(60000)  # VM 2 may write more of its own before "wake"
                    if events != [(fd, select.POLLIN)]: break
                    data += os.read(fd, 4096)
                open(sys.argv[2], "wb").write(repr(events).encode() + b" " + data)
                """, dir + "/run/vm4/dev/vlx-log-2", out, polling,
            ])
            defer { _ = poller.finish(timeout: 60) }
            try #require(waitUntil(timeout: .seconds(20)) { FileSystem.exists(polling) })
            try writer.writeAll(Array("wake\n".utf8))
            #expect(waitUntil(timeout: .seconds(20)) { FileSystem.exists(out) })
            let text = String(decoding: (try? FileSystem.readFile(out)) ?? [], as: UTF8.self)
            #expect(text.hasSuffix("wake\n") && text.hasPrefix("[("), "poll said readable, then the line: \(text)")
            #expect(try platform.stop() == .exited(0))
        }
    }
}
