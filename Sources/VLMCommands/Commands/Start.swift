// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform

/// `vlm start VM [--run-dir DIR]`.
struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Boot a stopped VM and wait until it runs.")

    @Argument(help: "The VM: an id (3) or a name.")
    var vm: String

    @OptionGroup var runDirectory: RunDirectoryOption

    func run() throws {
        try LifecycleCommand.run(.start, vm: vm, runDirectory: runDirectory)
    }
}
