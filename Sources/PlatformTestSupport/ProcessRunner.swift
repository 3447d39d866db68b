// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformSys

/// What a child process did: its exit status, its output, and whether it was
/// killed for running too long or died of a signal.
public struct ProcessOutcome: Sendable {
    /// The exit status, or the signal number when `crashed`.
    public var status: Int32
    /// Killed after the time limit.
    public var timedOut: Bool
    /// Ended by a signal it did not catch (SIGSEGV, SIGABRT, SIGTRAP…).
    public var crashed: Bool
    public var standardOutput: [UInt8]
    public var standardError: String

    /// The output as text.
    public var outputText: String { String(decoding: standardOutput, as: UTF8.self) }
}

/// Runs tools (dtc, the built `vlm`) for tests, with a time limit, output
/// captured through files so that a chatty child can never block on a pipe.
///
/// Children are started with `ChildProcess.spawn` (`posix_spawn`), like
/// `VLMBinary.runMerged`: Foundation's `Process.run()` was seen crashing
/// (memcpy in `Process.run`) when tests start many processes in parallel. The
/// child gets an empty signal mask (the test runner's threads block signals,
/// and a mask survives exec) and no descriptor but its standard three. It
/// stays in the test's process group.
public enum ProcessRunner {
    /// The absolute path of `name` on `PATH`, or nil.
    public static func which(_ name: String) -> String? {
        executableOnPath(name)
    }

    /// Runs `executable` with `arguments` in `directory`, killing it after `timeout` seconds.
    ///
    /// - Throws: `SyscallError` when the process cannot be started.
    public static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil, timeout: Double = 10
    ) throws -> ProcessOutcome {
        var argv = [executable] + arguments
        if let directory {
            // `cd` in a shell leaves our cwd alone (posix_spawn has no portable chdir).
            argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory] + argv
        }
        return try start(argv).finish(timeout: timeout)
    }

    /// Starts `argv` (absolute executable first) without waiting; `finish` collects it.
    ///
    /// Output goes to files, never pipes: a FUSE mount made concurrently in the
    /// test process starts a `fusermount3` watcher, and a pipe's write end held
    /// open anywhere but in the child would keep a read to end-of-file waiting.
    public static func start(_ argv: [String]) throws -> StartedProcess {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vlm-run-\(UUID().uuidString)").path
        let (outPath, errPath) = (scratch + ".out", scratch + ".err")
        do {
            let input = try FileSystem.openReadOnly("/dev/null")
            let output = try FileSystem.openForWriting(outPath)
            let error = try FileSystem.openForWriting(errPath)
            let child = try ChildProcess.spawn(
                executable: argv[0], arguments: argv, descriptors: [input.rawValue, output.rawValue, error.rawValue],
                newProcessGroup: false)
            return StartedProcess(child: child, outPath: outPath, errPath: errPath)
        } catch {
            try? FileSystem.removeIfPresent(outPath)
            try? FileSystem.removeIfPresent(errPath)
            throw error
        }
    }
}

/// A child started by ``ProcessRunner/start(_:)``, its output going to files.
public struct StartedProcess: Sendable {
    public let pid: Int32
    let child: ChildProcess
    let outPath: String
    let errPath: String

    init(child: ChildProcess, outPath: String, errPath: String) {
        self.pid = child.pid
        self.child = child
        self.outPath = outPath
        self.errPath = errPath
    }

    /// Waits for the end (SIGKILL after `timeout` seconds), collects the output
    /// and removes the files.
    public func finish(timeout: Double = 60) -> ProcessOutcome {
        defer {
            try? FileSystem.removeIfPresent(outPath)
            try? FileSystem.removeIfPresent(errPath)
        }
        let (status, timedOut) = end(within: timeout)
        var signal: Int32 = 0
        var code: Int32 = 0
        switch status {
        case .exited(let exitCode): code = exitCode
        case .signaled(let killer): signal = killer.rawValue
        }
        return ProcessOutcome(
            status: signal == 0 ? code : signal, timedOut: timedOut, crashed: !timedOut && signal != 0,
            standardOutput: (try? FileSystem.readFile(outPath)) ?? [],
            standardError: String(decoding: (try? FileSystem.readFile(errPath)) ?? [], as: UTF8.self))
    }

    /// Waits for the child to end, killing it after `timeout` seconds.
    private func end(within timeout: Double) -> (ExitStatus, timedOut: Bool) {
        do {
            if let status = try child.wait(timeout: .seconds(timeout)) { return (status, false) }
            try child.send(.kill)
            return (try child.wait(), true)
        } catch {
            return (.exited(0), false)  // reaped elsewhere: nothing more to learn (as when `waitpid` failed before)
        }
    }
}
