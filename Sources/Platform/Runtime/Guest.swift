// SPDX-License-Identifier: Apache-2.0
public import PlatformSys

/// What a booted guest gives its drivers (vdrivers plug in through
/// `GuestHooks.boot`): the manifest, this VM's NKDDI over its own mappings of
/// the shared objects, and every VM's doorbell.
///
/// When `GuestHooks.boot` runs, the NKDDI exists and its xirq dispatcher runs
/// on a thread of its own (handlers run there, in attach order), so a driver
/// may attach handlers, allocate resources and start its handshake at once.
/// Lifecycle primitives (`nk_start`, `nk_stop`, `nk_suspend`, `nk_resume`,
/// writes to `nk.vm.<id>.state.*`) are hypercalls to the supervisor over the
/// control socket; everything else works directly in shared memory.
public struct GuestEnvironment: Sendable {
    public let manifest: GuestManifest
    /// This process's mapping of the repository object.
    public let repository: MappedRegion
    /// This process's mapping of the PMEM pool object.
    public let pmem: MappedRegion
    /// The doorbell (eventfd) of every VM, this one included. Drivers do not
    /// need them: `nkddi.nk_xirq_trigger` rings the target's.
    public let doorbells: [Int: EventFD]
    /// Rung by the supervisor when a console this VM's readers wait for has new
    /// output (``Repository/watchConsole(_:by:)``); non-blocking, drain it.
    public let consoleDoorbell: EventFD
    /// This VM's NKDDI: the 44 primitives of the manual's (3D) pages.
    public let nkddi: NKDDI
    let channel: GuestChannel

    /// This VM's id.
    public var id: Int { manifest.vm.id }

    /// This VM's own doorbell.
    public var doorbell: EventFD { doorbells[manifest.vm.id]! }

    /// Writes one line to the VM's console (streamed by `vlm run`, kept in the history).
    public func log(_ line: String) { GuestConsole(vm: id).write(line) }
}

/// Where the vdrivers plug into the guest kernel. Hooks run on the guest's
/// main thread; they may start threads (`DetachedThread.start`).
public struct GuestHooks: Sendable {
    /// NKDDI is up and its dispatcher runs: bring up the drivers, then return.
    /// A throw fails the boot (the VM's process exits with `bootFailed`).
    public var boot: @Sendable (GuestEnvironment) throws -> Void = { _ in }
    /// Orderly stop (`vlm stop`, `nk_stop`, shutdown): drivers take their vlink
    /// ends OFF and tell their peers. Afterwards the kernel forces any end of
    /// this VM still not OFF, stops `vl,init`, and the process exits.
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
    /// the shared objects, build NKDDI and start its dispatcher, boot the hooks,
    /// start `vl,init`, say `ready`, then serve the control socket until told to stop.
    public static func run(id: Int, name: String, supervisorPID: Int32, hooks: GuestHooks = GuestHooks()) -> GuestExit {
        guard (try? ParentDeath.arm(expectedParent: supervisorPID)) == true else { return .orphaned }
        try? ProcessInfo.setName("vm\(id):\(name)")
        guard let inherited = try? OwnedFD.duplicate(of: 3) else { return .protocolError }
        let control = ControlSocket(adopting: inherited)
        let console = GuestConsole(vm: id)
        let environment: GuestEnvironment
        do {
            environment = try receiveManifest(control, expecting: id)
            let nk = environment.nkddi
            let waiter = environment.doorbell
            try DetachedThread.start { nk.dispatcher.run(waiter: waiter) }
        } catch {
            console.write("vm\(id): cannot boot: \(error)")
            return error is RuntimeError ? .protocolError : .bootFailed
        }
        do {
            try hooks.boot(environment)
            let vm = environment.manifest.vm
            let views = "\(environment.manifest.runDirectory)/vm\(id)"
            let command = environment.manifest.startsInit ? vm.initCommand : nil
            let initProcess = try startSandbox(
                vm, views: views, runDirectory: environment.manifest.runDirectory, command: command, console: console)
            try control.send(GuestMessage.ready.encoded())
            return try serve(environment, initProcess: initProcess, hooks: hooks, console: console)
        } catch {
            console.write("vm\(id): \(error)")
            return .bootFailed
        }
    }

    static func receiveManifest(_ control: ControlSocket, expecting id: Int) throws -> GuestEnvironment {
        guard let message = try control.receiveBlocking(),
            case .manifest(let manifest) = try SupervisorMessage(decoding: message.bytes),
            manifest.vm.id == id, message.descriptors.count == 4 + manifest.vmIDs.count,
            let repoFD = message.descriptors.take(0), let pmemFD = message.descriptors.take(1),
            let bellFD = message.descriptors.take(2 + manifest.vmIDs.count),
            let consoleDoorbellFD = message.descriptors.take(3 + manifest.vmIDs.count)
        else {
            throw RuntimeError.protocolViolation("expected the manifest of vm\(id) with its descriptors")
        }
        var doorbells: [Int: EventFD] = [:]
        for (index, vm) in manifest.vmIDs.enumerated() {
            guard let fd = message.descriptors.take(2 + index) else { continue }
            doorbells[vm] = EventFD(adopting: fd)
        }
        let repo = try SharedMemory.adopting(repoFD, name: manifest.repositoryObject).map()
        let pmem = try SharedMemory.adopting(pmemFD, name: manifest.pmemObject).map()
        let channel = GuestChannel(control: control)
        var bells: [NkOsId: any XirqDoorbell] = [:]
        for (vm, bell) in doorbells { bells[NkOsId(vm)] = bell }
        let nk = NKDDI(
            repository: Repository(repo: repo, pmem: pmem), id: NkOsId(id), doorbells: bells, hypervisor: channel,
            consoleBell: EventFD(adopting: bellFD))
        return GuestEnvironment(
            manifest: manifest, repository: repo, pmem: pmem, doorbells: doorbells,
            consoleDoorbell: EventFD(adopting: consoleDoorbellFD), nkddi: nk, channel: channel)
    }

    /// Starts the VM's sandbox (``VMSandbox``), which runs `vl,init` (`command`)
    /// with the VM's console as stdout/stderr and takes `vlm exec`'s programs.
    /// Its holder is the returned process; it ends when the sandbox does.
    static func startSandbox(
        _ vm: VMConfig, views: String, runDirectory: String, command: [String]?, console: GuestConsole
    ) throws -> ChildProcess? {
        // Without its views mount (no FUSE) vl,init would open the host's own
        // /dev/vpipe0 and, as root, create files there: no sandbox, no vl,init.
        guard FileSystem.isDirectory(views + "/dev") else {
            if command != nil {
                console.write("vm\(vm.id): vl,init not started: the VM's views are not mounted at \(views)")
            }
            return nil
        }
        return try VMSandbox.start(vm, views: views, runDirectory: runDirectory, command: command, console: console)
    }
}
