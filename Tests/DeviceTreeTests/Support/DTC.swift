// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformTestSupport
import Testing

/// Debian's `dtc` 1.6.1, the oracle of the conformance tests.
enum DTC {
    static let path = ProcessRunner.which("dtc")

    /// dtc is installed.
    static var isAvailable: Bool { path != nil }

    /// Tests that need dtc run (and fail without it) under CI; elsewhere they
    /// are skipped when dtc is missing.
    static var shouldRun: Bool { isAvailable || ProcessInfo.processInfo.environment["CI"] != nil }

    static let skipReason: Comment = "dtc (Debian device-tree-compiler) is not installed and CI is unset"

    /// `dtc -q [-f] [-@] -I dts -O dtb -o - -i … FILE` in the corpus directory.
    static func compile(
        _ file: String, force: Bool = true, symbols: Bool = false, in directory: String = Corpus.directory
    )
        throws -> ProcessOutcome
    {
        var arguments = ["-q", "-I", "dts", "-O", "dtb", "-o", "-"]
        if force { arguments.append("-f") }
        if symbols { arguments.append("-@") }
        for include in Corpus.includePaths { arguments += ["-i", include] }
        return try run(arguments + [file], in: directory)
    }

    /// Compiles source text (written to a temporary file) in `directory`.
    static func compile(source: String, force: Bool = true, in directory: String = Corpus.directory) throws
        -> ProcessOutcome
    {
        try withTemporaryFile(Array(source.utf8), suffix: ".dts") { try compile($0, force: force, in: directory) }
    }

    /// `dtc -q -f -I dtb -O dts -s` of a blob: the text the conformance tests compare.
    static func decompile(_ blob: [UInt8]) throws -> String {
        try withTemporaryFile(blob, suffix: ".dtb") {
            try run(["-q", "-f", "-I", "dtb", "-O", "dts", "-s", $0]).outputText
        }
    }

    /// The check names of dtc's `ERROR (name):` lines, each once, in order.
    static func errorChecks(in standardError: String) -> [String] {
        distinct(
            standardError.split(separator: "\n").compactMap { line in
                guard let start = line.range(of: "ERROR (")?.upperBound,
                    let end = line[start...].firstIndex(of: ")")
                else { return nil }
                return String(line[start..<end])
            })
    }

    static func distinct(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }

    static func run(_ arguments: [String], in directory: String? = nil) throws -> ProcessOutcome {
        guard let path else { throw DTCMissing() }
        return try ProcessRunner.run(path, arguments, in: directory, timeout: 10)
    }

    struct DTCMissing: Error, CustomStringConvertible {
        var description: String { "dtc is not on PATH (apt-get install device-tree-compiler)" }
    }
}

/// Writes `bytes` to a fresh temporary file, passes its absolute path, removes it.
func withTemporaryFile<T>(_ bytes: [UInt8], suffix: String, _ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("vlm-\(UUID().uuidString)\(suffix)").path
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
        throw CocoaError(.fileWriteUnknown)
    }
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}
