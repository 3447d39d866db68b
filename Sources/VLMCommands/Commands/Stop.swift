// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform

/// `vlm stop VM [--run-dir DIR]`.
struct Stop: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop a VM in order (its drivers take their vlink ends OFF, then it exits).")

    @Argument(help: "The VM: an id (3) or a name.")
    var vm: String

    @OptionGroup var runDirectory: RunDirectoryOption

    func run() throws {
        try LifecycleCommand.run(.stop, vm: vm, runDirectory: runDirectory)
    }
}
