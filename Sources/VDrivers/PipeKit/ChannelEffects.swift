// SPDX-License-Identifier: Apache-2.0
public import Platform
public import VlinkLib

/// What a channel asks for after it released its lock: an xirq to the peer,
/// a handshake.
struct ChannelEffects: Sendable {
    /// Send the peer's data/room xirq.
    var notify = false
    /// Re-run the vlink's handshake (a departed writer's bytes are drained).
    var settle = false

    mutating func merge(_ other: ChannelEffects) {
        notify = notify || other.notify
        settle = settle || other.settle
    }
}

/// The xirqs of one vlink of a pipe (behaviour-reference §1.5): id 0 is the
/// client's (`c_xirq`, "ring became non-full"), id 1 the server's (`s_xirq`,
/// "ring became non-empty"), both allocated with `nk_pxirq_alloc` by each end.
public struct PipeXirqs: Sendable, Equatable {
    /// The xirq this VM attaches its handler to.
    public var own: NkXIrq
    /// The xirq this VM triggers at the peer.
    public var peer: NkXIrq

    /// Allocates (or finds) both xirqs of `endpoint`'s vlink; nil on failure.
    public static func allocate(_ endpoint: VlinkEndpoint) -> PipeXirqs? {
        let nkddi = endpoint.nkddi
        let record = endpoint.record
        let client = nkddi.nk_pxirq_alloc(endpoint.plink, 0, record.c_id, 1)
        let server = nkddi.nk_pxirq_alloc(endpoint.plink, 1, record.s_id, 1)
        guard client != 0, server != 0 else { return nil }
        return endpoint.isServer ? PipeXirqs(own: server, peer: client) : PipeXirqs(own: client, peer: server)
    }
}

/// Maps the ring block of a vlink: `nk_pmem_alloc(plink, 0, blockSize)` then
/// `nk_mem_map`. Nil when the pool refuses (full, or the label exists with
/// another size).
func mapRing(_ endpoint: VlinkEndpoint, blockSize: Int, layout: ExRingLayout) -> ExRing? {
    let nkddi = endpoint.nkddi
    let paddr = nkddi.nk_pmem_alloc(endpoint.plink, 0, NkPhSize(blockSize))
    guard paddr != 0 else { return nil }
    let vaddr = nkddi.nk_mem_map(paddr, NkPhSize(blockSize))
    guard vaddr != 0, let pointer = nkddi.pointer(vaddr), let memory = pointer.region as? any RingMemory else {
        return nil
    }
    return ExRing(memory: memory, base: pointer.offset, blockSize: blockSize, layout: layout)
}
