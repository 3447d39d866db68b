// SPDX-License-Identifier: Apache-2.0
public import DeviceTree
import DeviceTreeHost
import Foundation

/// The repository's `Configs/*.dts` and test fixtures, compiled for tests.
public enum ConfigFixtures {
    /// The package root (this file is `Sources/PlatformTestSupport/ConfigFixtures.swift`).
    public static let packageRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }()

    /// `Configs/<name>`.
    public static func configPath(_ name: String) -> String { packageRoot + "/Configs/" + name }

    /// The `.dts` files of `Configs/`, sorted.
    public static var configNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: packageRoot + "/Configs")) ?? []
        return names.filter { $0.hasSuffix(".dts") }.sorted()
    }

    /// Compiles the source at `path` with the project's compiler.
    ///
    /// - Throws: the compiler's `DeviceTreeError`.
    public static func compile(_ path: String, includePaths: [String] = []) throws -> DeviceTree {
        try DeviceTreeCompiler.compile(
            file: path, reader: HostSourceFiles(), options: CompileOptions(includePaths: includePaths)
        ).tree
    }
}
