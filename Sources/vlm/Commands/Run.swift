// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform
import PlatformSys

/// `vlm run [CONFIG] [--run-dir DIR]`: boot the platform in the foreground.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Boot the platform in the foreground (the embedded demo without CONFIG).",
        discussion: """
            One `vlm guest` process per VM; every VM's console is streamed here, each line \
            tagged with the VM's name. Ctrl-C or SIGTERM stops every VM and removes everything \
            the run created. DIR/ready appears once every VM runs.
            """)

    @Argument(help: "The platform's device tree (.dts); the embedded demo when omitted.")
    var config: String?

    @OptionGroup var runDirectory: RunDirectoryOption

    @Flag(inversion: .prefixedNo, help: "Colour the VM tags (default: when stdout is a terminal).")
    var colour: Bool?

    func run() throws {
        guard config == nil else {
            throw RuntimeFailure("vlm run CONFIG needs the platform model, which is not wired in yet; run without CONFIG for the demo")
        }
        let platform = DemoRuntime.config
        let directory = runDirectory.resolve(configName: platform.name)
        do {
            let output = try OwnedFD.duplicate(of: 1)
            let supervisor = try Supervisor(config: platform, runDirectory: directory, output: output, colour: colour)
            try supervisor.run()
        } catch let error as RuntimeError {
            throw RuntimeFailure(error.description)
        } catch let error as SyscallError {
            throw RuntimeFailure("\(error)")
        }
    }
}
