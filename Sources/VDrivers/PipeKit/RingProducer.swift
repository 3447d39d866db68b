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
    private var cursor: RingCursor

    public init(ring: ExRing) {
        cursor = .client(ring)
    }

    /// The ring written to.
    public var ring: ExRing { cursor.ring }
    /// My `c_idx` (only I change it).
    public var index: UInt32 { cursor.index }
    /// Where the next byte goes in `ring[]`.
    public var position: Int { cursor.position }

    /// The handshake's OFF→RESET for the writer: `c_idx = 0`, `c_wait = 0`.
    public mutating func reset() {
        cursor.reset()
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
            ring.memory.ringCopyIn(
                ring.dataOffset(first.lowerBound), from: UnsafeRawBufferPointer(rebasing: source[0..<first.count]))
        }
        if !second.isEmpty {
            ring.memory.ringCopyIn(
                ring.dataOffset(0), from: UnsafeRawBufferPointer(rebasing: source[first.count..<count]))
        }
    }

    /// Makes `count` staged bytes visible to the reader. Returns whether the
    /// reader's xirq must be triggered.
    public mutating func publish(_ count: Int) -> Bool {
        guard count > 0 else { return false }
        let before = cursor.advance(count)
        if let readerMayWait = cursor.peerMayWait { return readerMayWait }
        // Empty before this chunk ⇔ the reader had caught up with `before`.
        return Int32(bitPattern: ring.serverIndex &- before) >= 0
    }

    /// Before waiting for room: raise `c_wait` (vbpipe), then look again.
    /// Returns the room now; when it is not 0 the flag is lowered again.
    public mutating func prepareToWait() -> Int {
        cursor.prepareToWait { room() }
    }

    /// After waiting: lower `c_wait` (vbpipe).
    public func awake() {
        cursor.awake()
    }
}
