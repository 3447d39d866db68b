// SPDX-License-Identifier: Apache-2.0
import Foundation

/// Whether tests that mount FUSE file systems can run here.
///
/// Use as `@Suite(.enabled(if: FUSEAvailability.shouldRun))`. Outside CI a machine
/// without `/dev/fuse` or `fusermount3` skips those tests (libfuse's "exit 77"); under
/// CI (`CI` set) they always run, so a broken CI image fails instead of passing quietly.
public enum FUSEAvailability {
    /// `/dev/fuse` exists and `fusermount3` is on `PATH`.
    public static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: "/dev/fuse") && executablePath("fusermount3") != nil
    }

    /// Whether FUSE tests should run: available, or running under CI.
    public static var shouldRun: Bool {
        isAvailable || ProcessInfo.processInfo.environment["CI"] != nil
    }

    /// The full path of `name` on `PATH`, or nil.
    public static func executablePath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":")
            .map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The test-only `vlm-testkit` built next to the running test bundle (its
    /// `fuse-demo`), or nil when it is not built.
    public static var builtTestKit: String? {
        FileManager.default.isExecutableFile(atPath: VLMBinary.testKitPath) ? VLMBinary.testKitPath : nil
    }
}
