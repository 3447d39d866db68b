// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DeviceTree
import PlatformSys

/// `vlm dt decompile IN.dtb`: a blob's source, as `dtc -I dtb -O dts`.
struct DTDecompile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decompile",
        abstract: "Print the source of a flattened device tree blob (.dtb).",
        discussion: "Value types are guessed from the bytes, as dtc guesses them. Exit status: 0, or 2 on a bad blob."
    )

    @Argument(help: "The .dtb file.")
    var input: String

    @OptionGroup var output: DTOutputOptions

    func run() throws {
        let blob: [UInt8]
        do {
            blob = try HostFiles.read(input)
        } catch {
            HostFiles.writeStandardError("\(input): error: cannot read the blob: \(error)\n")
            throw ExitCode(2)
        }
        do {
            try output.write(Array(DTSPrinter.print(try DTB.decode(blob)).utf8))
        } catch let error as DeviceTreeError {
            DiagnosticPrinter.print(error.diagnostics, file: input)
            throw ExitCode(2)
        }
    }
}
