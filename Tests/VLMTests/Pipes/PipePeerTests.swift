// SPDX-License-Identifier: Apache-2.0
import PlatformSys
import PlatformTestSupport
import Testing

/// Peers come and go (issue 6 item 5): a VM killed (`kill -9` of its guest
/// process) or stopped (`/proc/nk/vmstop`) in the middle of a transfer gives the
/// survivor EOF or EPIPE, never a hang; what was received is a prefix of what
/// was written; once the VM is back the link comes up again for new opens.
@Suite(
    "vlm run: vpipe and vbpipe peers come and go", .serialized,
    .enabled(if: VLMBinary.isBuilt && FUSEAvailability.shouldRun))
struct PipePeerTests {
    /// Python: the stream every writer sends (32 MiB, the same in every process).
    static let stream = "data = bytes(range(251)) * ((32 << 20) // 251)\n"

    /// A reader of `path` that prints `<bytes received> <whether they are a prefix of the stream>`.
    static func reader(_ path: String) -> String {
        stream + """
            fd = os.open('\(path)', os.O_RDONLY); got = bytearray()
            while True:
                d = os.read(fd, 65536)
                if not d: break
                got += d
            print(len(got), len(got) < len(data) and bytes(got) == data[:len(got)])
            """
    }

    /// A writer of the stream into `path` that prints the errno that stopped it.
    static func writer(_ path: String, flags: String = "os.O_WRONLY") -> String {
        stream + """
            fd = os.open('\(path)', \(flags)); n = 0
            def pump():
                global n
                while n < len(data): n += os.write(fd, data[n:n + 65536])
            print(err(pump))
            """
    }

    /// Starts a transfer vm3/dev/vpipe0 → vm2/dev/vpipe0 and waits until bytes flow.
    static func startTransfer(_ pipes: PipePlatform) throws -> (reader: StartedProcess, writer: StartedProcess) {
        let reader = try pipes.startPython(Self.reader("vm2/dev/vpipe0"))
        let writer = try pipes.startPython(Self.writer("vm3/dev/vpipe0"))
        _ = waitUntil {
            let fields = pipes.procLine(2, "vpipe").split(separator: " ")
            return fields.count > 8 && (Int(fields[8]) ?? 0) > 0  // ReadBytes
        }
        return (reader, writer)
    }

    /// A new `echo` through vpipe0 arrives: the link is back.
    static func linkWorks(_ pipes: PipePlatform) throws -> String {
        try pipes.sh("cat vm2/dev/vpipe0 > ../again & sleep 0.3; echo again > vm3/dev/vpipe0; wait; cat ../again")
            .outputText
    }

    @Test("kill -9 of the writer's VM: the reader gets a prefix then EOF; the VM restarts and new opens work")
    func writerVMKilled() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let (reader, writer) = try Self.startTransfer(pipes)
            let old = try pipes.crash(3)
            let received = reader.finish(timeout: 10)
            #expect(
                !received.timedOut && received.outputText.hasSuffix(" True\n"),
                "\(received.outputText) \(received.standardError)")
            _ = writer.finish(timeout: 10)
            #expect(pipes.waitRestarted(3, from: old))
            #expect(try Self.linkWorks(pipes) == "again\n")
        }
    }

    @Test("kill -9 of the reader's VM: the writer gets EPIPE at once; the VM restarts and new opens work")
    func readerVMKilled() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let (reader, writer) = try Self.startTransfer(pipes)
            let old = try pipes.crash(2)
            let wrote = writer.finish(timeout: 10)
            #expect(!wrote.timedOut && wrote.outputText == "EPIPE\n", "\(wrote.outputText) \(wrote.standardError)")
            _ = reader.finish(timeout: 10)
            #expect(pipes.waitRestarted(2, from: old))
            #expect(try Self.linkWorks(pipes) == "again\n")
        }
    }

    @Test("vmstop of the writer's VM ends the stream with EOF; vmstart brings the link back")
    func writerVMStopped() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let old = try #require(pipes.guest(3)).pid
            let (reader, writer) = try Self.startTransfer(pipes)
            #expect(try pipes.sh("echo 3 > vm4/proc/nk/vmstop").status == 0)
            let received = reader.finish(timeout: 10)
            #expect(
                !received.timedOut && received.outputText.hasSuffix(" True\n"),
                "\(received.outputText) \(received.standardError)")
            _ = writer.finish(timeout: 10)
            #expect(waitUntil { pipes.guest(3) == nil })
            #expect(try pipes.sh("echo 3 > vm4/proc/nk/vmstart").status == 0)
            #expect(pipes.waitRestarted(3, from: old))
            #expect(try Self.linkWorks(pipes) == "again\n")
        }
    }

    @Test("vlm stop of the reader's VM mid-transfer: the writer gets EPIPE; vlm start brings the link back")
    func readerVMStoppedWithTheCLI() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let old = try #require(pipes.guest(2)).pid
            let (reader, writer) = try Self.startTransfer(pipes)
            #expect(try pipes.platform.vlm(["stop", "2"]).status == .exited(0))
            let wrote = writer.finish(timeout: 10)
            #expect(!wrote.timedOut && wrote.outputText == "EPIPE\n", "\(wrote.outputText) \(wrote.standardError)")
            _ = reader.finish(timeout: 10)
            #expect(pipes.guest(2) == nil)
            #expect(pipes.procLine(3, "vpipe").contains(" EW0 "))
            #expect(try pipes.platform.vlm(["start", "2"]).status == .exited(0))
            #expect(pipes.waitRestarted(2, from: old))
            #expect(try Self.linkWorks(pipes) == "again\n")
        }
    }

    @Test("vbpipe: kill -9 of the other side gives EOF to the reader and EPIPE to the writer; reopen works")
    func vbpipePeerKilled() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let holder = try pipes.startPython(
                "fd = os.open('vm4/dev/vbpipe0', os.O_RDWR); os.write(fd, b'x' * 100); time.sleep(30)")
            let survivor = try pipes.startPython(
                """
                import threading
                fd = os.open('vm3/dev/vbpipe0', os.O_RDWR); out = {}
                def write():
                    out['w'] = err(lambda: [os.write(fd, b'y' * 1000) for _ in iter(int, 1)])
                t = threading.Thread(target=write); t.start()
                got = b''
                while True:
                    d = os.read(fd, 64)
                    if not d: break
                    got += d
                t.join(); print(len(got), out['w'])
                """)
            // Crash once the link is up and the holder's 100 bytes are in (WriteBytes).
            _ = waitUntil { pipes.procLine(3, "vbpipe").contains("OOOO") }
            _ = waitUntil { pipes.procLine(4, "vbpipe").split(separator: " ").last == "100" }
            let old = try pipes.crash(4)
            let outcome = survivor.finish(timeout: 10)
            #expect(
                !outcome.timedOut && outcome.outputText == "100 EPIPE\n",
                "\(outcome.outputText) \(outcome.standardError)")
            _ = holder.finish(timeout: 5)
            #expect(pipes.waitRestarted(4, from: old))
            let again = try pipes.python(
                """
                import threading
                t = threading.Thread(target=lambda: os.write(os.open('vm4/dev/vbpipe0', os.O_RDWR), b'back')); t.start()
                print(os.read(os.open('vm3/dev/vbpipe0', os.O_RDWR), 4)); t.join()
                """)
            #expect(again.outputText == "b'back'\n", "\(again.standardError)")
        }
    }

    @Test("soak: random VM kills and stops under load, every stream a prefix of what was written")
    func boundedSoak() throws {
        try withTemporaryDirectory { dir in
            let pipes = try PipePlatform(in: dir)
            let outcome = try ProcessRunner.run(
                "/usr/bin/env",
                [
                    "VLM=" + VLMBinary.path, PipePlatform.python, PipePlatform.soakScript, pipes.run, "40",
                    "--kills", "6", "--seed", "\(UInt16.random(in: 1...9999))",
                ],
                timeout: 58)
            #expect(!outcome.timedOut && outcome.status == 0, "\(outcome.outputText) \(outcome.standardError)")
            #expect(outcome.outputText.contains("soak: OK"), "\(outcome.outputText)")
        }
    }
}
