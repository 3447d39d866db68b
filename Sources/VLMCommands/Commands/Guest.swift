// SPDX-License-Identifier: Apache-2.0
package import ArgumentParser
package import Platform
import PlatformSys
import Synchronization

/// `vlm guest …` (hidden): the guest kernel of one VM, spawned by `vlm run`
/// with its control socket as fd 3; or, with `--sandbox`, the holder of a VM's
/// sandbox, and with `--sandbox-init`, its PID 1 (``VMSandbox``).
package struct Guest: ParsableCommand {
    package static let configuration = CommandConfiguration(
        abstract: "Run one VM (started by `vlm run`, not by hand).", shouldDisplay: false)

    @Option(help: "The VM id.")
    var id: Int?

    @Option(help: "The VM name.")
    var name: String?

    @Option(help: "The pid of the parent (supervisor, or guest for --sandbox).")
    var supervisor: Int32

    @Option(help: "With --sandbox: the VM's views (DIR/vm<N>); with --sandbox-init: the staged exec-proc.")
    var views: String?

    @Option(help: "With --sandbox and --sandbox-init: the platform's run directory, hidden inside.")
    var runDir: String?

    @Flag(help: "Hold the VM's sandbox (started by the guest).")
    var sandbox = false

    @Flag(help: "Be PID 1 of the VM's sandbox (started by its holder).")
    var sandboxInit = false

    @Argument(parsing: .postTerminator, help: "The vl,init command.")
    var command: [String] = []

    package init() {}

    package func run() throws { try run(afterBoot: nil) }

    /// Runs the guest kernel (or a VM sandbox's holder or init). `afterBoot`,
    /// when given, runs once the views are mounted and the vdrivers probed,
    /// with the VM's id (only `vlm-testkit` passes one: its NKDDI scripts).
    package func run(afterBoot: (@Sendable (Int, GuestEnvironment) throws -> Void)?) throws {
        let exit: GuestExit
        if sandbox {
            guard let id, let name, let views, let runDir else {
                throw ValidationError("--id, --name, --views and --run-dir are required")
            }
            exit = VMSandbox.hold(
                guestPID: supervisor, id: id, label: name, views: views, runDirectory: runDir, command: command)
        } else if sandboxInit {
            guard let id, let name, let views, let runDir else {
                throw ValidationError("--id, --name, --views and --run-dir are required")
            }
            exit = VMSandbox.runInit(id: id, label: name, procStaging: views, runDirectory: runDir, command: command)
        } else {
            guard let id, let name else { throw ValidationError("--id and --name are required") }
            let hooks = Self.hooks(vm: id, supervisor: supervisor, afterBoot: afterBoot)
            exit = GuestKernel.run(id: id, name: name, supervisorPID: supervisor, hooks: hooks)
        }
        if exit != .ok { throw ExitCode(exit.rawValue) }
    }

    /// The guest's views and vdrivers (``GuestDrivers``), then `afterBoot`.
    static func hooks(
        vm id: Int, supervisor: Int32, afterBoot: (@Sendable (Int, GuestEnvironment) throws -> Void)?
    ) -> GuestHooks {
        var hooks = GuestHooks()
        hooks.boot = { environment in
            let drivers = try GuestDrivers(environment, supervisor: supervisor)
            GuestDrivers.current.withLock { $0 = drivers }
            try afterBoot?(id, environment)
        }
        hooks.stop = { GuestDrivers.current.withLock { $0 }?.stop() }
        return hooks
    }
}
