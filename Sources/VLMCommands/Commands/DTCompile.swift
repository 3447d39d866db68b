// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DeviceTree

/// `vlm dt compile IN [-o OUT] [-i DIR]… [-@] [-f]`: `.dts` → `.dtb`, as `dtc -I dts -O dtb`.
struct DTCompile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a .dts source into a flattened device tree blob (.dtb).",
        discussion: "Exit status: 0 on success, 2 on bad input (diagnostics on standard error)."
    )

    @OptionGroup var source: DTSourceOptions
    @OptionGroup var output: DTOutputOptions

    func run() throws {
        let tree = try source.compile()
        try output.write(DTB.encode(tree))
    }
}
