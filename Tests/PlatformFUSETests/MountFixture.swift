// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformFUSE
import PlatformViews

/// A finished child process.
struct ProcessResult {
    let status: Int32
    let output: String
    let error: String
}

/// Runs real processes against a mount.
enum Shell {
    /// Runs `arguments` (through `/usr/bin/env`, bounded by `timeout` seconds) and waits.
    static func run(_ arguments: [String], timeout: Double = 20) throws -> ProcessResult {
        try start(arguments, timeout: timeout).finish()
    }

    /// Runs `sh -c script`.
    static func sh(_ script: String, timeout: Double = 20) throws -> ProcessResult {
        try run(["sh", "-c", script], timeout: timeout)
    }

    /// Runs `python3 -c script args…`.
    static func python(_ script: String, _ arguments: [String] = [], timeout: Double = 20) throws -> ProcessResult {
        try run(["python3", "-c", script] + arguments, timeout: timeout)
    }

    /// Starts `arguments` without waiting.
    static func start(_ arguments: [String], timeout: Double = 20) throws -> RunningProcess {
        let process = Process()
        // The test runner's threads block most signals and children inherit the mask, so
        // a Ctrl-C (SIGINT) would never reach them: clear it, then exec under `timeout`.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", unblockAndExec, "timeout", "-s", "KILL", String(timeout)] + arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        return RunningProcess(process: process, output: output, error: error)
    }
}

private let unblockAndExec = """
    import os, signal, sys
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    os.execvp(sys.argv[1], sys.argv[1:])
    """

/// A child process started by ``Shell/start(_:timeout:)``.
struct RunningProcess {
    let process: Process
    let output: Pipe
    let error: Pipe

    /// Waits for the end and collects the output.
    func finish() -> ProcessResult {
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            output: String(decoding: out, as: UTF8.self),
            error: String(decoding: err, as: UTF8.self)
        )
    }
}

/// A temporary directory with a view tree mounted on it.
final class MountFixture {
    let directory: String
    let mount: ViewMount

    init(_ root: ViewDirectory) throws {
        directory = NSTemporaryDirectory() + "vlm-fuse-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        mount = try ViewMount(root, at: directory)
    }

    deinit {
        mount.unmount()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The absolute path of `relative` inside the mount.
    func path(_ relative: String) -> String {
        "\(directory)/\(relative)"
    }

    /// Whether `path` is a mount point now (`/proc/self/mounts`).
    static func isMounted(_ path: String) -> Bool {
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        return mounts.split(separator: "\n").contains { $0.split(separator: " ").dropFirst().first.map(String.init) == path }
    }

    /// Waits up to `seconds` for `condition`; returns whether it became true.
    static func wait(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }
}
