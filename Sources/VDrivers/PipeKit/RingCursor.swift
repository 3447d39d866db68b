// SPDX-License-Identifier: Apache-2.0

/// What one end of an `ExRing` owns, and it alone writes: its free-running index
/// (`s_idx` or `c_idx`), where its next byte is in `ring[]` (kept locally, so the
/// size need not divide 2^32), and its "might go to sleep" flag (`s_wait` or
/// `c_wait`, vbpipe only). `RingConsumer` and `RingProducer` each move one.
struct RingCursor: Sendable {
    /// The ring this end moves through.
    let ring: ExRing
    /// My index (`s_idx` or `c_idx`), not yet masked.
    private(set) var index: UInt32
    /// Where my next byte is in `ring[]`.
    private(set) var position: Int
    private let indexField: Int
    private let waitField: Int?
    private let peerWaitField: Int?

    /// The server's (reader's) end: `s_idx` and `s_wait`; the peer flags with `c_wait`.
    static func server(_ ring: ExRing) -> RingCursor {
        RingCursor(ring, index: ring.layout.sIdx, wait: ring.layout.sWait, peerWait: ring.layout.cWait)
    }

    /// The client's (writer's) end: `c_idx` and `c_wait`; the peer flags with `s_wait`.
    static func client(_ ring: ExRing) -> RingCursor {
        RingCursor(ring, index: ring.layout.cIdx, wait: ring.layout.cWait, peerWait: ring.layout.sWait)
    }

    /// Picks up where the index in the ring says this end is.
    private init(_ ring: ExRing, index: Int, wait: Int?, peerWait: Int?) {
        self.ring = ring
        self.indexField = index
        self.waitField = wait
        self.peerWaitField = peerWait
        self.index = ring.load(index)
        self.position = Int(self.index % UInt32(ring.dataSize))
    }

    /// The handshake's OFF→RESET for this end: index and flag 0.
    mutating func reset() {
        index = 0
        position = 0
        ring.store(indexField, 0)
        if let waitField { ring.store(waitField, 0) }
    }

    /// Moves past `count` bytes and stores my index, which the peer then sees.
    /// Returns my index before.
    mutating func advance(_ count: Int) -> UInt32 {
        let before = index
        index &+= UInt32(count)
        position = (position + count) % ring.dataSize
        ring.store(indexField, index)
        return before
    }

    /// The peer's flag (vbpipe: whether it may be asleep); nil where the layout
    /// has none (vpipe).
    var peerMayWait: Bool? {
        peerWaitField.map { ring.load($0) != 0 }
    }

    /// Before waiting: raise my flag (vbpipe), then `look` again. Returns what
    /// the look found; when it is not 0 the flag is lowered again.
    func prepareToWait(_ look: () -> Int) -> Int {
        if let waitField { ring.store(waitField, 1) }
        let found = look()
        if found > 0 { awake() }
        return found
    }

    /// After waiting: lower my flag (vbpipe).
    func awake() {
        if let waitField, ring.load(waitField) != 0 { ring.store(waitField, 0) }
    }
}
