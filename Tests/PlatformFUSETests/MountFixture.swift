// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformFUSE
import PlatformTestSupport
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
        // ProcessRunner's children start with an empty signal mask, so a Ctrl-C reaches them.
        let argv = ["/usr/bin/env", "timeout", "-s", "KILL", String(timeout)] + arguments
        return RunningProcess(process: try ProcessRunner.start(argv), timeout: timeout)
    }
}

/// A child process started by ``Shell/start(_:timeout:)``.
struct RunningProcess {
    let process: StartedProcess
    let timeout: Double

    /// Waits for the end and collects the output.
    func finish() -> ProcessResult {
        let outcome = process.finish(timeout: timeout + 10)
        return ProcessResult(status: outcome.status, output: outcome.outputText, error: outcome.standardError)
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
        return mounts.split(separator: "\n").contains {
            $0.split(separator: " ").dropFirst().first.map(String.init) == path
        }
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
