// SPDX-License-Identifier: Apache-2.0

/// The server (reader, back-end) end of an `ExRing`: it alone writes `s_idx`
/// and `s_wait`.
///
/// Data is lent out in place (`withData`), then released by `consume`, which
/// says whether the writer must be sent its xirq:
/// - vpipe: when the ring was full before this chunk, judged from `c_idx` read
///   after the release (so a writer that filled the ring and went to sleep
///   meanwhile is never missed);
/// - vbpipe: when the writer's `c_wait` flag says it may be asleep.
public struct RingConsumer: Sendable {
    private var cursor: RingCursor

    public init(ring: ExRing) {
        cursor = .server(ring)
    }

    /// The ring read from.
    public var ring: ExRing { cursor.ring }
    /// My `s_idx` (only I change it).
    public var index: UInt32 { cursor.index }
    /// Where the next byte is read in `ring[]`.
    public var position: Int { cursor.position }

    /// The handshake's OFF→RESET for the reader: `s_idx = 0`, `s_wait = 0`.
    public mutating func reset() {
        cursor.reset()
    }

    /// Bytes readable now. `limit`, when given, replaces `c_idx`: the writer's
    /// last index, captured when it left ON (its next session resets `c_idx`).
    public func available(limit: UInt32? = nil) -> Int {
        ring.used(client: limit ?? ring.clientIndex, server: index)
    }

    /// Lends the next `count` readable bytes (at most `available()`) as one or two
    /// pieces; they stay in the ring until `consume`.
    public func withData<R>(_ count: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> R) -> R {
        precondition(count <= ring.dataSize, "lent more than the ring holds")
        let (first, second) = ring.pieces(at: position, count: count)
        return ring.memory.ringWithBytes(ring.dataOffset(first.lowerBound), count: first.count) { head in
            ring.memory.ringWithBytes(ring.dataOffset(0), count: second.count) { tail in body(head, tail) }
        }
    }

    /// Releases `count` bytes to the writer. Returns whether the writer's xirq
    /// must be triggered.
    public mutating func consume(_ count: Int) -> Bool {
        guard count > 0 else { return false }
        let before = cursor.advance(count)
        if let writerMayWait = cursor.peerMayWait { return writerMayWait }
        // Full before this chunk ⇔ the writer had filled up to `before + size`.
        return Int(ring.clientIndex &- before) >= ring.dataSize
    }

    /// Before waiting for data: raise `s_wait` (vbpipe), then look again.
    /// Returns what is readable now; when it is not 0 the flag is lowered again.
    public mutating func prepareToWait(limit: UInt32? = nil) -> Int {
        cursor.prepareToWait { available(limit: limit) }
    }

    /// After waiting: lower `s_wait` (vbpipe).
    public func awake() {
        cursor.awake()
    }
}
