// SPDX-License-Identifier: Apache-2.0
import ArgumentParser

/// `vlm`: a VLX/NK hypervisor platform simulated on one Linux host.
@main
struct VLM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vlm",
        abstract: "Simulate a VLX/NK hypervisor platform from its device tree.",
        // One subcommand per line, each defined in Commands/<Name>.swift.
        subcommands: [
            DT.self,
            Run.self,
            Status.self,
            Start.self,
            Stop.self,
            Restart.self,
            Pause.self,
            Resume.self,
            Guest.self,
            NKDDIProbe.self,
            FuseDemo.self,
        ]
    )
}
