// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform

/// `vlm resume VM [--run-dir DIR]`.
struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Thaw a paused VM.")

    @Argument(help: "The VM: an id (3) or a name.")
    var vm: String

    @OptionGroup var runDirectory: RunDirectoryOption

    func run() throws {
        try LifecycleCommand.run(.resume, vm: vm, runDirectory: runDirectory)
    }
}
