// SPDX-License-Identifier: Apache-2.0
package import ArgumentParser
import PlatformSys

/// `vlm`: a VLX/NK hypervisor platform simulated on one Linux host (run by
/// the `vlm` executable's `main.swift`).
package struct VLM: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "vlm",
        abstract: "Simulate a VLX/NK hypervisor platform from its device tree.",
        // One subcommand per line, each defined in Commands/<Name>.swift.
        subcommands: [
            DT.self,
            Check.self,
            Graph.self,
            Run.self,
            Status.self,
            Start.self,
            Stop.self,
            Restart.self,
            Pause.self,
            Resume.self,
            Exec.self,
            Guest.self,
            Reaper.self,
        ]
    )

    package init() {}

    /// Runs the command; a bad command line exits with 2 (bad input, DESIGN
    /// §1.1) rather than argument-parser's 64, after the usual message.
    package static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            HostFiles.writeStandardError(fullMessage(for: error) + "\n")
            exit(withError: ExitCode(2))
        }
    }
}
