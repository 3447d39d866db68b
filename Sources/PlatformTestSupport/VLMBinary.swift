// SPDX-License-Identifier: Apache-2.0
import Foundation

/// The built `vlm` executable, for end-to-end tests.
///
/// Like swift-argument-parser's test helpers, it is looked up next to the
/// running test bundle (the build products directory, `.build/debug` or a
/// `--scratch-path`); `VLM_BINARY` in the environment overrides.
public enum VLMBinary {
    /// The executable's path (it may not exist: see `isBuilt`).
    public static var path: String { productPath("vlm", override: "VLM_BINARY") }

    /// The test-only `vlm-testkit` built beside `vlm` (its `run` and `guest` with
    /// NKDDI scripts inside the VMs, `nkddi-probe`, `fuse-demo`);
    /// `VLM_TESTKIT_BINARY` in the environment overrides.
    public static var testKitPath: String { productPath("vlm-testkit", override: "VLM_TESTKIT_BINARY") }

    /// `name` in the build products directory, unless the environment variable `override` names another path.
    static func productPath(_ name: String, override: String) -> String {
        if let path = ProcessInfo.processInfo.environment[override] { return path }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // The test bundle is `<products>/<name>.xctest` (a file on Linux, a directory elsewhere).
        while directory.path != "/" && directory.pathExtension == "xctest" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent(name).path
    }

    /// True when the executable exists (`swift build` has built the `vlm` product).
    public static var isBuilt: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Runs `vlm` with `arguments` in `directory`, killing it after `timeout` seconds.
    public static func run(_ arguments: [String], in directory: String? = nil, timeout: Double = 10) throws
        -> ProcessOutcome
    {
        try ProcessRunner.run(path, arguments, in: directory, timeout: timeout)
    }
}
