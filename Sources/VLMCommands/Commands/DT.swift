// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// `vlm dt …`: the dtc-compatible device-tree compiler.
struct DT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dt",
        abstract: "Compile, print and decompile device trees (dtc-compatible).",
        // One subcommand per line, each defined in Commands/DT<Name>.swift.
        subcommands: [
            DTCompile.self,
            DTPrint.self,
            DTDecompile.self,
        ]
    )
}
