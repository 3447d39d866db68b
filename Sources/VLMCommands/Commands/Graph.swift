// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import PlatformModel
import PlatformSys

/// `vlm graph CONFIG [--format dot|svg]`: the platform as a picture.
struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a platform: VMs as boxes, one arrow per vlink from client to server.",
        discussion: "svg needs Graphviz's dot. Exit status: 0, 1 when dot fails or is missing, 2 on a bad config."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case dot
        case svg
    }

    @OptionGroup var platform: PlatformOptions

    @Option(help: "Output format: dot (Graphviz source) or svg (drawn by Graphviz's dot).")
    var format: Format = .dot

    func run() throws {
        let source = PlatformGraph.dot(try platform.load())
        switch format {
        case .dot:
            try HostFiles.writeStandardOutput(Array(source.utf8))
        case .svg:
            try HostFiles.writeStandardOutput(try Self.render(source))
        }
    }

    static let missingDot = """
        vlm graph: --format svg needs Graphviz's `dot`, which is not installed.
          Install it:  sudo apt-get install graphviz   (Scripts/deps does this)
          Or draw elsewhere:  vlm graph CONFIG --format dot > platform.dot; dot -Tsvg platform.dot > platform.svg

        """

    /// `dot -Tsvg` of `source`.
    ///
    /// - Throws: `ExitCode(1)` when `dot` is missing or fails.
    static func render(_ source: String) throws -> [UInt8] {
        guard let dot = findDot() else {
            HostFiles.writeStandardError(missingDot)
            throw ExitCode(1)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dot)
        process.arguments = ["-Tsvg"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(source.utf8))
        try input.fileHandleForWriting.close()
        let svg = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            HostFiles.writeStandardError("vlm graph: dot failed with status \(process.terminationStatus)\n")
            throw ExitCode(1)
        }
        return Array(svg)
    }

    /// `dot` on `PATH`, or nil.
    static func findDot() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/dot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
