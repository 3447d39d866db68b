// SPDX-License-Identifier: Apache-2.0
import Foundation

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
public enum ProcessRunner {
    /// The absolute path of `name` on `PATH`, or nil.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `executable` with `arguments` in `directory`, killing it after `timeout` seconds.
    ///
    /// - Throws: when the process cannot be started.
    public static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil, timeout: Double = 10
    ) throws -> ProcessOutcome {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("vlm-run-\(UUID().uuidString)")
        let outURL = scratch.appendingPathExtension("out")
        let errURL = scratch.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        let timedOut = done.wait(timeout: .now() + timeout) == .timedOut
        if timedOut {
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
            done.wait()
        }
        return ProcessOutcome(
            status: process.terminationStatus, timedOut: timedOut,
            crashed: !timedOut && process.terminationReason == .uncaughtSignal,
            standardOutput: Array((try? Data(contentsOf: outURL)) ?? Data()),
            standardError: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }
}
