// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform

/// `vlm restart VM [--run-dir DIR]`.
struct Restart: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop a VM in order, then boot it again.")

    @Argument(help: "The VM: an id (3) or a name.")
    var vm: String

    @OptionGroup var runDirectory: RunDirectoryOption

    func run() throws {
        try LifecycleCommand.run(.restart, vm: vm, runDirectory: runDirectory)
    }
}
