// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform
import PlatformSys
import Synchronization

/// `vlm guest …` (hidden): the guest kernel of one VM, spawned by `vlm run`
/// with its control socket as fd 3; or, with `--exec-init`, the trampoline
/// that arms the parent-death signal and becomes `vl,init`.
struct Guest: ParsableCommand {
    static let configuration = CommandConfiguration(
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

    func run() throws {
        let exit: GuestExit
        if execInit {
            exit = GuestKernel.execInit(guestPID: supervisor, views: views, command: command)
        } else {
            guard let id, let name else { throw ValidationError("--id and --name are required") }
            exit = GuestKernel.run(id: id, name: name, supervisorPID: supervisor, hooks: Self.hooks(vm: id, supervisor: supervisor))
        }
        if exit != .ok { throw ExitCode(exit.rawValue) }
    }

    /// The guest's views and vdrivers (``GuestDrivers``). For tests and
    /// benchmarks, `VLM_NKDDI_SCRIPT_<id>` (NKDDIScript commands separated by
    /// `;`) runs inside VM `<id>` once it booted, on a thread of its own,
    /// printing to the VM's console.
    static func hooks(vm id: Int, supervisor: Int32) -> GuestHooks {
        var hooks = GuestHooks()
        hooks.boot = { environment in
            let drivers = try GuestDrivers(environment, supervisor: supervisor)
            GuestDrivers.current.withLock { $0 = drivers }
            try startScript(vm: id, environment)
        }
        hooks.stop = { GuestDrivers.current.withLock { $0 }?.stop() }
        return hooks
    }

    private static func startScript(vm id: Int, _ environment: GuestEnvironment) throws {
        guard let script = FileSystem.environment("VLM_NKDDI_SCRIPT_\(id)"), !script.isEmpty else { return }
        let commands = script.split(separator: ";").map { $0.trimmingCharacters() }
        do {
            let runner = NKDDIScript(
                nk: environment.nkddi, emit: environment.log, sleep: { PlatformSys.ProcessInfo.sleep(for: $0) })
            try DetachedThread.start { _ = runner.run(commands) }
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces.
    fileprivate func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
