// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform
import PlatformSys
import Synchronization

/// `vlm guest …` (hidden): the guest kernel of one VM, spawned by `vlm run`
/// with its control socket as fd 3; or, with `--sandbox`, the holder of a VM's
/// sandbox, and with `--sandbox-init`, its PID 1 (``VMSandbox``).
struct Guest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one VM (started by `vlm run`, not by hand).", shouldDisplay: false)

    @Option(help: "The VM id.")
    var id: Int?

    @Option(help: "The VM name.")
    var name: String?

    @Option(help: "The pid of the parent (supervisor, or guest for --sandbox).")
    var supervisor: Int32

    @Option(help: "With --sandbox: the VM's views (DIR/vm<N>); with --sandbox-init: the staged exec-proc.")
    var views: String?

    @Option(help: "With --sandbox: the platform's run directory, hidden inside.")
    var runDir: String?

    @Flag(help: "Hold the VM's sandbox (started by the guest).")
    var sandbox = false

    @Flag(help: "Be PID 1 of the VM's sandbox (started by its holder).")
    var sandboxInit = false

    @Argument(parsing: .postTerminator, help: "The vl,init command.")
    var command: [String] = []

    func run() throws {
        let exit: GuestExit
        if sandbox {
            guard let id, let name, let views, let runDir else {
                throw ValidationError("--id, --name, --views and --run-dir are required")
            }
            exit = VMSandbox.hold(
                guestPID: supervisor, id: id, label: name, views: views, runDirectory: runDir, command: command)
        } else if sandboxInit {
            guard let id, let name, let views else { throw ValidationError("--id, --name and --views are required") }
            exit = VMSandbox.runInit(id: id, label: name, procStaging: views, command: command)
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
