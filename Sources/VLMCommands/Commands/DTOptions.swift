// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DeviceTree
import DeviceTreeHost
import PlatformSys

/// The source and compiler options shared by `vlm dt compile` and `vlm dt print`.
struct DTSourceOptions: ParsableArguments {
    @Argument(help: "The .dts source file.")
    var input: String

    @Option(
        name: [.customShort("i"), .customLong("include")],
        help: "Add a directory to the /include/ and /incbin/ search path.")
    var includePaths: [String] = []

    @Flag(
        name: [.customShort("@"), .customLong("symbol")], help: "Generate the __symbols__ node (labels of the tree).")
    var generateSymbols = false

    @Flag(name: [.customShort("f"), .customLong("force")], help: "Produce output even when semantic checks fail.")
    var force = false

    /// Compiles `input`, printing every diagnostic to standard error.
    ///
    /// - Throws: `ExitCode(2)` when the source is refused.
    func compile() throws -> DeviceTree {
        let options = CompileOptions(includePaths: includePaths, generateSymbols: generateSymbols, force: force)
        do {
            let result = try DeviceTreeCompiler.compile(file: input, reader: HostSourceFiles(), options: options)
            DiagnosticPrinter.print(result.diagnostics, file: input)
            return result.tree
        } catch {
            DiagnosticPrinter.print(error.diagnostics, file: input)
            throw ExitCode(2)
        }
    }
}

/// `-o OUT`: where the result goes; standard output when absent or `-` (as dtc).
struct DTOutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .customLong("out")], help: "Output file ('-' or absent: standard output).")
    var outputPath: String?

    /// Writes `bytes` to the output.
    ///
    /// - Throws: `ExitCode(1)` when the output cannot be written (a runtime failure).
    func write(_ bytes: [UInt8]) throws {
        do {
            if let outputPath, outputPath != "-" {
                try HostFiles.write(bytes, to: outputPath)
            } else {
                try HostFiles.writeStandardOutput(bytes)
            }
        } catch {
            HostFiles.writeStandardError("vlm: cannot write \(outputPath ?? "standard output"): \(error)\n")
            throw ExitCode(1)
        }
    }
}

/// Prints diagnostics as `file:line:col: error: message [check]`.
enum DiagnosticPrinter {
    /// - Parameters:
    ///   - diagnostics: what to print, in order.
    ///   - file: the name used when a diagnostic has no location (a blob's errors).
    static func print(_ diagnostics: [Diagnostic], file: String) {
        for diagnostic in diagnostics { HostFiles.writeStandardError(line(diagnostic, file: file) + "\n") }
    }

    static func line(_ diagnostic: Diagnostic, file: String) -> String {
        let place = diagnostic.location.map { "\($0.file):\($0.line):\($0.column)" } ?? file
        let check = diagnostic.check.map { " [\($0)]" } ?? ""
        return "\(place): \(diagnostic.severity.rawValue): \(diagnostic.message)\(check)"
    }
}
