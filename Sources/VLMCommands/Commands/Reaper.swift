// SPDX-License-Identifier: Apache-2.0
package import ArgumentParser
import Platform
import PlatformSys

/// `vlm reaper --run-dir DIR --supervisor PID` (hidden): the run directory's
/// reaper, spawned by `vlm run`; it removes the run's VMs, mounts, shared
/// memory and run files if the supervisor dies without doing it (``RunReaper``).
package struct Reaper: ParsableCommand {
    package static let configuration = CommandConfiguration(
        abstract: "Clean a run directory after its supervisor (started by `vlm run`, not by hand).",
        shouldDisplay: false)

    @Option(name: .customLong("run-dir"), help: "The run directory.")
    var path: String

    @Option(help: "The supervisor's pid.")
    var supervisor: Int32

    package init() {}

    package func run() throws {
        let status = RunReaper.run(runDirectory: RunDirectory(path: path), supervisorPID: supervisor)
        if status != 0 { throw ExitCode(status) }
    }
}
