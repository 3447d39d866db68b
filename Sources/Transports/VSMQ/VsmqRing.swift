// SPDX-License-Identifier: Apache-2.0
public import Platform
import VlinkLib

/// The shared queue of one VSMQ vlink (a vlm layout: the manual names `struct
/// vsmq`, `vsmq_head` and `vsmq_count` without fields, lines 28716–28763):
/// `nk_pmem_alloc(plink, 0, 64 + queue_size × slot)`, the slot being
/// `msg_size` rounded up to 8 bytes.
///
/// | offset | word     | written by       | meaning                               |
/// |--------|----------|------------------|---------------------------------------|
/// | 0      | `sent`   | transmitter (TX) | messages published, free-running      |
/// | 4      | `freed`  | receiver (RX)    | messages freed, free-running          |
/// | 64     | slots    | TX, then RX      | message `n` in slot `n % queue_size`  |
///
/// Each side writes only its own word (release) after the slots it covers.
/// Every load of the peer's word is checked: `sent - freed` must stay within
/// the queue and move forward only; anything else is the peer's corruption
/// (`EINVAL`), never an access outside the block.
struct VsmqRing: Sendable {
    static let header = 64
    static let sent = 0, freed = 4

    let base: SharedPointer
    let queueSize: UInt32
    let slotSize: Int

    init(base: SharedPointer, queueSize: UInt32, messageSize: UInt32) {
        self.base = base
        self.queueSize = queueSize
        self.slotSize = (Int(messageSize) + 7) & ~7
    }

    /// The block's size for `queueSize` messages of `messageSize` bytes.
    static func blockSize(queueSize: UInt32, messageSize: UInt32) -> Int {
        header + Int(queueSize) * ((Int(messageSize) + 7) & ~7)
    }

    func load(_ word: Int) -> UInt32 { base.advanced(by: word).load32() }
    func store(_ word: Int, _ value: UInt32) { base.advanced(by: word).store32(value) }

    /// The body of message number `n`.
    func slot(_ n: UInt32) -> SharedPointer {
        base.advanced(by: Self.header + Int(n & (queueSize - 1)) * slotSize)
    }

    /// Whether `sent` and `freed` describe a queue: at most `queueSize` apart.
    func consistent(sent: UInt32, freed: UInt32) -> Bool {
        sent &- freed <= queueSize
    }

    /// Maps the block of `endpoint`'s vlink; nil when the pool or the map refuse.
    static func map(_ endpoint: VlinkEndpoint, queueSize: UInt32, messageSize: UInt32) -> VsmqRing? {
        let nkddi = endpoint.nkddi
        let bytes = NkPhSize(blockSize(queueSize: queueSize, messageSize: messageSize))
        let paddr = nkddi.nk_pmem_alloc(endpoint.plink, 0, bytes)
        guard paddr != 0 else { return nil }
        let vaddr = nkddi.nk_mem_map(paddr, bytes)
        guard vaddr != 0, let base = nkddi.pointer(vaddr) else { return nil }
        return VsmqRing(base: base, queueSize: queueSize, messageSize: messageSize)
    }
}

/// A message body in a queue: what `vsmq_msg_allocate` and
/// `vsmq_msg_receive` hand out (the manual's `void* msg`).
public struct VsmqMsg: Sendable {
    /// The message's number in its queue.
    let number: UInt32
    /// The queue it belongs to.
    let queue: ObjectIdentifier
    /// Its body, `msg_size` bytes.
    public let body: SharedPointer
    /// `msg_size`.
    public let size: Int

    /// Copies the body.
    public func load() -> [UInt8] { body.loadBytes(count: size) }
    /// Writes `bytes` at the start of the body (at most `size` of them).
    public func store(_ bytes: [UInt8]) { body.storeBytes(Array(bytes.prefix(size))) }
}
