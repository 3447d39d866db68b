// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DeviceTree

/// `vlm dt print IN [-i DIR]…`: the canonical source of a `.dts`, as `dtc -I dts -O dts`.
struct DTPrint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print",
        abstract: "Print the canonical source of a .dts (includes, amendments and references resolved).",
        discussion: "The output compiles back to the same blob. Exit status: 0, or 2 on bad input."
    )

    @OptionGroup var source: DTSourceOptions
    @OptionGroup var output: DTOutputOptions

    func run() throws {
        let tree = try source.compile()
        try output.write(Array(DTSPrinter.print(tree).utf8))
    }
}
