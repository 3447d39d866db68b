// SPDX-License-Identifier: Apache-2.0
public import PlatformSys

/// What a booted guest has: its manifest, its mappings of the shared objects,
/// every VM's doorbell, and its channel to the supervisor. NKDDI is built on it.
public struct GuestEnvironment: Sendable {
    public let manifest: GuestManifest
    /// This process's mapping of the repository object.
    public let repository: MappedRegion
    /// This process's mapping of the PMEM pool object.
    public let pmem: MappedRegion
    /// The doorbell (eventfd) of every VM, this one included: write a peer's to
    /// deliver an xirq, wait on `doorbell` to receive.
    public let doorbells: [Int: EventFD]
    let control: ControlSocket

    /// This VM's own doorbell.
    public var doorbell: EventFD { doorbells[manifest.vm.id]! }

    /// Asks the supervisor for a lifecycle change (`nk_start`, `nk_stop`, …).
    public func request(_ action: LifecycleAction, vm: Int) throws {
        try control.send(GuestMessage.lifecycle(action, vm: vm).encoded())
    }
}

/// Where NKDDI and the vdrivers plug into the guest kernel. Hooks run on the
/// guest's main thread; `boot` may start threads (e.g. the xirq dispatcher on `doorbell`).
public struct GuestHooks: Sendable {
    /// Everything mapped: bring up NKDDI and the drivers, then return.
    public var boot: @Sendable (GuestEnvironment) throws -> Void = { _ in }
    /// Orderly stop: take vlink ends OFF. The process exits after it returns.
    public var stop: @Sendable () -> Void = {}

    public init() {}
}

/// How a guest process ends (anchors §12.5 item 8).
public enum GuestExit: Int32, Sendable {
    /// Orderly stop, or the supervisor went away.
    case ok = 0
    /// The supervisor was already gone at startup.
    case orphaned = 70
    /// Malformed manifest or message.
    case protocolError = 71
    /// Mapping the shared objects or a boot hook failed.
    case bootFailed = 72
}

/// The guest kernel: the `vlm guest` process of one VM.
public enum GuestKernel {
    /// Runs VM `id` under supervisor `supervisorPID`, talking over fd 3:
    /// arm the parent-death signal, name the process, read the manifest, map
    /// the shared objects, boot the hooks, start `vl,init`, say `ready`, then
    /// serve the control socket until told to stop.
    public static func run(id: Int, name: String, supervisorPID: Int32, hooks: GuestHooks = GuestHooks()) -> GuestExit {
        guard (try? ParentDeath.arm(expectedParent: supervisorPID)) == true else { return .orphaned }
        try? ProcessInfo.setName("vm\(id):\(name)")
        guard let inherited = try? OwnedFD.duplicate(of: 3) else { return .protocolError }
        let control = ControlSocket(adopting: inherited)
        let console = GuestConsole(vm: id)
        let environment: GuestEnvironment
        do {
            environment = try receiveManifest(control, expecting: id)
        } catch {
            console.write("vm\(id): cannot boot: \(error)")
            return error is RuntimeError ? .protocolError : .bootFailed
        }
        do {
            try hooks.boot(environment)
            let initProcess = try startInit(environment.manifest.vm, console: console)
            try control.send(GuestMessage.ready.encoded())
            return try serve(control, initProcess: initProcess, hooks: hooks, console: console)
        } catch {
            console.write("vm\(id): \(error)")
            return .bootFailed
        }
    }

    static func receiveManifest(_ control: ControlSocket, expecting id: Int) throws -> GuestEnvironment {
        guard let message = try control.receiveBlocking(),
              case .manifest(let manifest) = try SupervisorMessage(decoding: message.bytes),
              manifest.vm.id == id, message.descriptors.count == 2 + manifest.vmIDs.count,
              let repoFD = message.descriptors.take(0), let pmemFD = message.descriptors.take(1) else {
            throw RuntimeError.protocolViolation("expected the manifest of vm\(id) with its descriptors")
        }
        var doorbells: [Int: EventFD] = [:]
        for (index, vm) in manifest.vmIDs.enumerated() {
            guard let fd = message.descriptors.take(2 + index) else { continue }
            doorbells[vm] = EventFD(adopting: fd)
        }
        return GuestEnvironment(
            manifest: manifest, repository: try SharedMemory.adopting(repoFD, name: manifest.repositoryObject).map(),
            pmem: try SharedMemory.adopting(pmemFD, name: manifest.pmemObject).map(), doorbells: doorbells,
            control: control)
    }

    /// Starts `vl,init` with the VM's console as stdout/stderr, through
    /// `vlm guest --exec-init`, so it dies with this guest (parent-death signal).
    static func startInit(_ vm: VMConfig, console: GuestConsole) throws -> ChildProcess? {
        guard let command = vm.initCommand, !command.isEmpty else { return nil }
        let devNull = try FileSystem.openReadOnly("/dev/null")
        let process = try ChildProcess.spawn(
            executable: "/proc/self/exe",
            arguments: ["vlm", "guest", "--exec-init", "--supervisor", "\(ProcessInfo.currentID)", "--"] + command,
            descriptors: [devNull.rawValue, 1, 2], newProcessGroup: false)
        console.write("vm\(vm.id): started vl,init \(command.joined(separator: " ")) (pid \(process.pid))")
        return process
    }

    /// The `--exec-init` half: arm the parent-death signal, then become `command`.
    public static func execInit(guestPID: Int32, command: [String]) -> GuestExit {
        guard (try? ParentDeath.arm(expectedParent: guestPID)) == true else { return .orphaned }
        do {
            try ChildProcess.exec(command)
        } catch {
            GuestConsole(vm: 0).write("vl,init: cannot run \(command.first ?? ""): \(error.errno)")
            return .bootFailed
        }
    }
}
