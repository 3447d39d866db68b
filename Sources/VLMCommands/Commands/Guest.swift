// SPDX-License-Identifier: Apache-2.0
package import ArgumentParser
package import Platform
import PlatformSys
import Synchronization

/// `vlm guest …` (hidden): the guest kernel of one VM, spawned by `vlm run`
/// with its control socket as fd 3; or, with `--exec-init`, the trampoline
/// that arms the parent-death signal and becomes `vl,init`.
package struct Guest: ParsableCommand {
    package static let configuration = CommandConfiguration(
        abstract: "Run one VM (started by `vlm run`, not by hand).", shouldDisplay: false)

    @Option(help: "The VM id.")
    var id: Int?

    @Option(help: "The VM name.")
    var name: String?

    @Option(help: "The pid of the parent (supervisor, or guest for --exec-init).")
    var supervisor: Int32

    @Option(help: "With --exec-init: the VM's views (DIR/vm<N>) to show at /dev, /sys/nk, /proc/nk.")
    var views: String?

    @Flag(help: "Become the command after the arguments (vl,init).")
    var execInit = false

    @Argument(parsing: .postTerminator, help: "The vl,init command.")
    var command: [String] = []

    package init() {}

    package func run() throws { try run(afterBoot: nil) }

    /// Runs the guest kernel (or the `--exec-init` trampoline). `afterBoot`,
    /// when given, runs once the views are mounted and the vdrivers probed,
    /// with the VM's id (only `vlm-testkit` passes one: its NKDDI scripts).
    package func run(afterBoot: (@Sendable (Int, GuestEnvironment) throws -> Void)?) throws {
        let exit: GuestExit
        if execInit {
            exit = GuestKernel.execInit(guestPID: supervisor, views: views, command: command)
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
