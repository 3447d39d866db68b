// SPDX-License-Identifier: Apache-2.0
import Foundation
import Glibc

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
/// Children are started with `posix_spawn(3)` directly: Foundation's
/// `Process.run()` was seen crashing (memcpy in `Process.run`) when tests
/// start many processes in parallel.
public enum ProcessRunner {
    /// The absolute path of `name` on `PATH`, or nil.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `executable` with `arguments` in `directory`, killing it after `timeout` seconds.
    ///
    /// - Throws: `POSIXError` when the process cannot be started.
    public static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil, timeout: Double = 10
    ) throws -> ProcessOutcome {
        var argv = [executable] + arguments
        if let directory {
            // `cd` in a shell keeps the spawn portable (no addchdir_np) and leaves our cwd alone.
            argv = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory] + argv
        }
        return try start(argv).finish(timeout: timeout)
    }

    /// Starts `argv` (absolute executable first) without waiting; `finish` collects it.
    ///
    /// Output goes to files, never pipes: a FUSE mount made concurrently in the
    /// test process starts a `fusermount3` watcher that inherits every
    /// descriptor that is not close-on-exec, so a pipe's write end could stay
    /// open in it and a read to end-of-file would never return.
    public static func start(_ argv: [String]) throws -> StartedProcess {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vlm-run-\(UUID().uuidString)").path
        let pid = try spawn(argv, standardOutput: scratch + ".out", standardError: scratch + ".err")
        return StartedProcess(pid: pid, outPath: scratch + ".out", errPath: scratch + ".err")
    }

    private static func spawn(_ argv: [String], standardOutput: String, standardError: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, standardError, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        return pid
    }

    /// Polls `waitpid` until the child ends or `timeout` passes (then SIGKILL).
    static func wait(for pid: pid_t, timeout: Double) -> (status: Int32, timedOut: Bool) {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno != EINTR) { return (status, false) }
            if DispatchTime.now().uptimeNanoseconds > deadline {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return (status, true)
            }
            usleep(1000)
        }
    }
}

/// A child started by ``ProcessRunner/start(_:)``, its output going to files.
public struct StartedProcess: Sendable {
    public let pid: Int32
    let outPath: String
    let errPath: String

    /// Waits for the end (SIGKILL after `timeout` seconds), collects the output
    /// and removes the files.
    public func finish(timeout: Double = 60) -> ProcessOutcome {
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let (status, timedOut) = ProcessRunner.wait(for: pid, timeout: timeout)
        let signal = status & 0x7F
        return ProcessOutcome(
            status: signal == 0 ? (status >> 8) & 0xFF : signal, timedOut: timedOut,
            crashed: !timedOut && signal != 0,
            standardOutput: Array((try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()),
            standardError: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data(), as: UTF8.self))
    }
}
