// SPDX-License-Identifier: Apache-2.0

/// The client (writer, front-end) end of an `ExRing`: it alone writes `c_idx`
/// and `c_wait`.
///
/// Bytes are copied in first (`stage`), then made visible by `publish`, which
/// says whether the reader must be sent its xirq:
/// - vpipe: when the ring was empty before this chunk (the reader may sleep);
///   "before" is judged from `s_idx` read *after* publishing, so a reader that
///   emptied the ring and went to sleep meanwhile is never missed;
/// - vbpipe: when the reader's `s_wait` flag says it may be asleep.
public struct RingProducer: Sendable {
    /// The ring written to.
    public let ring: ExRing
    /// My `c_idx` (only I change it).
    public private(set) var index: UInt32 = 0
    /// Where the next byte goes in `ring[]` (kept locally, so the size need not
    /// divide 2^32).
    public private(set) var position = 0

    public init(ring: ExRing) {
        self.ring = ring
        self.index = ring.clientIndex
        self.position = Int(index % UInt32(ring.dataSize))
    }

    /// The handshake's OFF→RESET for the writer: `c_idx = 0`, `c_wait = 0`.
    public mutating func reset() {
        index = 0
        position = 0
        ring.store(ring.layout.cIdx, 0)
        if let cWait = ring.layout.cWait { ring.store(cWait, 0) }
    }

    /// Free bytes now.
    public func room() -> Int {
        ring.dataSize - ring.used(client: index, server: ring.serverIndex)
    }

    /// Copies the first `count` bytes of `source` (at most `room()`) into the ring
    /// after the published data, without publishing them.
    public func stage(_ source: UnsafeRawBufferPointer, count: Int) {
        precondition(count <= source.count && count <= ring.dataSize, "staged more than fits")
        let (first, second) = ring.pieces(at: position, count: count)
        if !first.isEmpty {
            ring.memory.ringCopyIn(ring.dataOffset(first.lowerBound), from: UnsafeRawBufferPointer(rebasing: source[0..<first.count]))
        }
        if !second.isEmpty {
            ring.memory.ringCopyIn(ring.dataOffset(0), from: UnsafeRawBufferPointer(rebasing: source[first.count..<count]))
        }
    }

    /// Makes `count` staged bytes visible to the reader. Returns whether the
    /// reader's xirq must be triggered.
    public mutating func publish(_ count: Int) -> Bool {
        guard count > 0 else { return false }
        let before = index
        index &+= UInt32(count)
        position = (position + count) % ring.dataSize
        ring.store(ring.layout.cIdx, index)
        if let sWait = ring.layout.sWait { return ring.load(sWait) != 0 }
        // Empty before this chunk ⇔ the reader had caught up with `before`.
        return Int32(bitPattern: ring.serverIndex &- before) >= 0
    }

    /// Before waiting for room: raise `c_wait` (vbpipe), then look again.
    /// Returns the room now; when it is not 0 the flag is lowered again.
    public mutating func prepareToWait() -> Int {
        if let cWait = ring.layout.cWait { ring.store(cWait, 1) }
        let free = room()
        if free > 0 { awake() }
        return free
    }

    /// After waiting: lower `c_wait` (vbpipe).
    public func awake() {
        if let cWait = ring.layout.cWait, ring.load(cWait) != 0 { ring.store(cWait, 0) }
    }
}
