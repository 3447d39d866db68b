// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformViews
import Synchronization
import VDrivers

/// Two VMs (2 and 3) in one test process, as the runtime builds them: one
/// repository and one PMEM pool in real POSIX shared memory, each VM with its
/// own mappings, its NKDDI, an eventfd doorbell and an xirq dispatcher thread,
/// and the vdrivers probed into its own `dev/` and `proc/nk/`.
final class TwoVMs: @unchecked Sendable {
    static let vlinks: [RepositoryInput.Vlink] = [
        .init(name: "vpipe", link: 0, serverID: 2, clientID: 3, serverInfo: "8K"),
        .init(name: "vpipe", link: 1, serverID: 3, clientID: 2, serverInfo: "40;name=tiny", clientInfo: "name=tiny"),
        .init(name: "vbpipe", link: 0, serverID: 2, clientID: 3, serverInfo: "", clientInfo: "a"),
        .init(name: "vbpipe", link: 0, serverID: 3, clientID: 2, serverInfo: "a", clientInfo: ""),
    ]

    let supervisor: Repository
    let doorbells: [NkOsId: Bell]
    private(set) var vms: [NkOsId: VM] = [:]
    private let objects: (repo: SharedMemory, pmem: SharedMemory)

    /// One VM's kernel: NKDDI, drivers, views.
    struct VM {
        let nkddi: NKDDI
        let drivers: VDriverSet
        let dev: ViewDirectory
        let procNK: ViewDirectory
        let log: LogLines

        func device(_ name: String) -> PipeDevice { drivers.device(named: name) as! PipeDevice }
    }

    init(vlinks: [RepositoryInput.Vlink] = TwoVMs.vlinks) throws {
        let input = RepositoryInput(
            vms: [.init(id: 2, name: "server"), .init(id: 3, name: "client")], vlinks: vlinks, properties: [],
            pmemSize: 8 << 20, pdevHeapSize: 16 << 10)
        let sizes = Repository.regionSizes(for: input)
        objects = (
            try SharedMemory.anonymous(label: "vd-repo", size: sizes.repo),
            try SharedMemory.anonymous(label: "vd-pmem", size: sizes.pmem)
        )
        supervisor = Repository.format(input, repo: try objects.repo.map(), pmem: try objects.pmem.map())
        doorbells = [2: Bell(), 3: Bell()]
        for id: NkOsId in [2, 3] { try boot(id) }
    }

    /// Boots (or reboots) VM `id`: fresh mappings, NKDDI, dispatcher, drivers.
    func boot(_ id: NkOsId) throws {
        supervisor.vmDidStart(id, isRestart: vms[id] != nil)
        let repository = Repository(repo: try objects.repo.map(), pmem: try objects.pmem.map())
        let nkddi = NKDDI(repository: repository, id: id, doorbells: doorbells, hypervisor: nil)
        let log = LogLines()
        let dev = ViewDirectory()
        let procNK = ViewDirectory()
        let context = VDriverContext(nkddi: nkddi, dev: dev, procNK: procNK) { line in
            log.lines.withLock { $0.append(line) }
        }
        let drivers = VDriverRegistry.boot(context)
        let bell = try EventFD()
        doorbells[id]!.current.withLock { $0 = bell }  // a dead kernel's dispatcher is never rung again
        _ = Thread { nkddi.dispatcher.run(waiter: bell) }
        vms[id] = VM(nkddi: nkddi, drivers: drivers, dev: dev, procNK: procNK, log: log)
    }

    /// What the supervisor does when VM `id` dies: its ends OFF, SYSCONF to peers.
    /// (The VM's dispatcher thread lives on in this process with no handler
    /// left: a late xirq can no longer move the dead kernel's state words.)
    func crash(_ id: NkOsId) {
        vms[id]?.drivers.stop()  // the dead kernel's drivers must not answer any more
        vms[id]?.nkddi.dispatcher.detachAll()  // nor any handler of a kit driver or transport
        doorbells[id]!.current.withLock { $0 = nil }
        let peers = supervisor.vmDidStop(id)
        for peer in (2..<32).map(NkOsId.init) where peers & (1 << peer) != 0 {
            supervisor.trigger(NK_XIRQ_SYSCONF, on: peer, doorbell: doorbells[peer])
        }
    }

    subscript(_ id: NkOsId) -> VM { vms[id]! }
}

/// A VM's console lines.
final class LogLines: Sendable {
    let lines = Mutex<[String]>([])
}

/// A VM's doorbell that a reboot re-targets to the new kernel's eventfd.
final class Bell: XirqDoorbell {
    let current = Mutex<EventFD?>(nil)
    func ring() { try? current.withLock { $0 }?.signal() }
}
