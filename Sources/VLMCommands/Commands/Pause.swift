// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform

/// `vlm pause VM [--run-dir DIR]`.
struct Pause: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Freeze a running VM's processes.")

    @Argument(help: "The VM: an id (3) or a name.")
    var vm: String

    @OptionGroup var runDirectory: RunDirectoryOption

    func run() throws {
        try LifecycleCommand.run(.pause, vm: vm, runDirectory: runDirectory)
    }
}
