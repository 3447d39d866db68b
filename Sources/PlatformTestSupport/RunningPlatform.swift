// SPDX-License-Identifier: Apache-2.0
public import PlatformSys

extension VLMBinary {
    /// Runs `vlm arguments…` to completion as a real child process; its exit
    /// status and standard output and error (merged).
    public static func runMerged(_ arguments: [String]) throws -> (status: ExitStatus, output: String) {
        let output = try Pipe()
        let child = try ChildProcess.spawn(
            executable: path, arguments: ["vlm"] + arguments,
            descriptors: [nil, output.writeEnd.rawValue, output.writeEnd.rawValue])
        let status = try child.wait()
        var bytes: [UInt8] = []
        try output.readEnd.descriptor.setNonBlocking(true)
        while case .processed(let chunk) = try output.readEnd.read(upTo: 65536), !chunk.isEmpty { bytes += chunk }
        return (status, String(decoding: bytes, as: UTF8.self))
    }
}

/// A `vlm run --run-dir DIR` in the background, for end-to-end tests.
public final class RunningPlatform {
    /// The supervisor process.
    public let supervisor: ChildProcess
    /// The run directory.
    public let runDirectory: String
    private let output: Pipe
    private var collected: [UInt8] = []

    /// `vlm run`'s standard input (a pipe), when asked for.
    public let input: Pipe?

    /// Starts `vlm run extra… --run-dir runDirectory` and waits for `DIR/ready`.
    /// `environment` entries (`NAME=value`) are added to the inherited
    /// environment; `withInput` gives `vlm run` a pipe as stdin (`input`).
    /// `executable` is `vlm`, or `VLMBinary.testKitPath` for NKDDI scripts
    /// inside the VMs.
    public init(
        runDirectory: String, extraArguments: [String] = [], environment: [String] = [], withInput: Bool = false,
        executable: String = VLMBinary.path, timeout: Duration = .seconds(20)
    ) throws {
        self.runDirectory = runDirectory
        output = try Pipe(nonBlockingRead: true)
        input = withInput ? try Pipe() : nil
        let devNull = try FileSystem.openReadOnly("/dev/null")
        supervisor = try ChildProcess.spawn(
            executable: executable, arguments: ["vlm", "run"] + extraArguments + ["--run-dir", runDirectory],
            environment: environment.isEmpty ? nil : ChildProcess.currentEnvironment() + environment,
            descriptors: [
                input?.readEnd.rawValue ?? devNull.rawValue, output.writeEnd.rawValue, output.writeEnd.rawValue,
            ])
        // `ready` holds the supervisor's pid: a stale one left by a killed run does not count.
        let expected = Array("\(supervisor.pid)\n".utf8)
        let isReady = { (try? FileSystem.readFile(runDirectory + "/ready")) == expected }
        let started = waitUntil(timeout: timeout) { [supervisor] in isReady() || (try? supervisor.tryWait()) != nil }
        guard started, isReady() else {
            throw RuntimeTestFailure("vlm run did not become ready:\n\(self.consoleOutput())")
        }
    }

    deinit {
        if supervisor.exitStatus == nil {
            try? supervisor.send(.terminate)
            if (try? supervisor.wait(timeout: .seconds(5))) == nil {
                try? supervisor.send(.kill)
                _ = try? supervisor.wait()
            }
        }
    }

    /// Waits (up to `timeout`) until `vlm run` printed `text`; all output so far.
    @discardableResult
    public func waitForOutput(_ text: String, timeout: Duration = .seconds(10)) -> String {
        _ = waitUntil(timeout: timeout) { self.consoleOutput().contains(text) }
        return consoleOutput()
    }

    /// Everything `vlm run` printed so far.
    public func consoleOutput() -> String {
        while case .processed(let chunk) = (try? output.readEnd.read(upTo: 65536)) ?? .wouldBlock, !chunk.isEmpty {
            collected += chunk
        }
        return String(decoding: collected, as: UTF8.self)
    }

    /// `vlm ARGS… --run-dir DIR`.
    public func vlm(_ arguments: [String]) throws -> (status: ExitStatus, output: String) {
        try VLMBinary.runMerged(arguments + ["--run-dir", runDirectory])
    }

    /// Sends `signal` to the supervisor and waits (up to `timeout`) for it to exit.
    public func stop(with signal: Signal = .terminate, timeout: Duration = .seconds(10)) throws -> ExitStatus? {
        try supervisor.send(signal)
        return try supervisor.wait(timeout: timeout)
    }
}

/// A failed precondition of an end-to-end test.
public struct RuntimeTestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
