// SPDX-License-Identifier: Apache-2.0
import Platform
import Synchronization

/// A doorbell that counts rings, for in-process tests (the dispatcher is drained
/// by hand instead of by a thread).
final class CountingDoorbell: XirqDoorbell {
    let rings = Atomic<Int>(0)
    func ring() { rings.add(1, ordering: .relaxed) }
    var count: Int { rings.load(ordering: .relaxed) }
}

/// Records lifecycle hypercalls and answers `.done`.
final class RecordingHypervisor: HypercallChannel {
    let calls = Mutex<[Hypercall]>([])
    func hypercall(_ call: Hypercall) -> HypercallResult {
        calls.withLock { $0.append(call) }
        return .done
    }
    var recorded: [Hypercall] { calls.withLock { $0 } }
}

/// Two VMs (2 "server", 3 "client") and a third (4) that is no end of the vlinks,
/// with two vpipe vlinks and a veth one, over `LocalMemory` "mappings" that each
/// VM sees at its own base address.
struct TestPlatform {
    static let input = RepositoryInput(
        vms: [.init(id: 2, name: "server"), .init(id: 3, name: "client"), .init(id: 4, name: "other")],
        vlinks: [
            .init(name: "vpipe", link: 0, serverID: 2, clientID: 3, serverInfo: "8K", clientInfo: ""),
            .init(name: "veth", link: 0, serverID: 3, clientID: 2, serverInfo: "mac", clientInfo: "x"),
            .init(name: "vpipe", link: 1, serverID: 2, clientID: 3),
        ],
        properties: [
            .init(
                name: "test.shared", maxSize: 8, value: Array("hi".utf8), allowGet: 0b11100, allowSet: 0b01100,
                allowNotify: 0b00100),
            .init(name: "test.private", maxSize: 4, value: [1], allowGet: 0b00100, allowSet: 0, allowNotify: 0),
        ],
        pmemSize: 1 << 20,
        pdevHeapSize: 16 << 10)

    let repoMemory: LocalMemory
    let pmemMemory: LocalMemory
    let supervisor: Repository
    let doorbells: [NkOsId: CountingDoorbell]
    let hypervisor = RecordingHypervisor()

    init(_ input: RepositoryInput = Self.input) {
        let sizes = Repository.regionSizes(for: input)
        repoMemory = LocalMemory(byteCount: sizes.repo)
        pmemMemory = LocalMemory(byteCount: sizes.pmem)
        supervisor = Repository.format(input, repo: repoMemory, pmem: pmemMemory)
        var bells: [NkOsId: CountingDoorbell] = [:]
        for vm in input.vms {
            bells[vm.id] = CountingDoorbell()
            supervisor.vmDidStart(vm.id)
        }
        doorbells = bells
    }

    /// VM `id`'s NKDDI over its own "mapping" of both regions.
    func vm(_ id: NkOsId) -> NKDDI {
        let r = Repository(repo: LocalMemory(sharing: repoMemory), pmem: LocalMemory(sharing: pmemMemory))
        return NKDDI(repository: r, id: id, doorbells: doorbells, hypervisor: hypervisor)
    }
}
