// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import PlatformModel
import PlatformSys

/// `vlm check CONFIG [--json] [-i DIR]…`: validate a platform and show what it holds.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a platform; print its VMs, vlinks and properties.",
        discussion: """
            Problems are printed to standard error as file:line:col: error: message. \
            Exit status: 0 when the platform can boot, 2 when it cannot (bad input).
            """
    )

    @OptionGroup var platform: PlatformOptions

    @Flag(help: "Print JSON: {\"vms\":[…],\"vlinks\":[…],\"properties\":[…]}.")
    var json = false

    func run() throws {
        let spec = try platform.load()
        let text = json ? PlatformReport.json(spec) : PlatformReport.tables(spec)
        try HostFiles.writeStandardOutput(Array(text.utf8))
    }
}
