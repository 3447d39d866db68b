// SPDX-License-Identifier: Apache-2.0

/// `DEF_RING_SIZE`: the default size of a ring block, header included (manual
/// lines 6617 and 10969).
public let DEF_RING_SIZE = 0x1000

/// The two `ExRing` layouts of the manual.
///
/// vpipe (lines 10969–10976): `{ u32 s_idx; u32 c_idx; u8 ring[MIN_RING_SIZE=24] }`.
/// vbpipe (lines 6617–6626): `{ u32 s_idx; u32 s_wait; u32 c_idx; u32 c_wait;
/// u8 ring[MIN_RING_SIZE=16] }`. Both are 32 bytes at least (`sizeof(ExRing)`).
public enum ExRingLayout: Sendable, Hashable {
    /// Two free-running indices; xirqs on empty→non-empty and full→non-full.
    case vpipe
    /// Indices plus `s_wait`/`c_wait` ("might go to sleep") flags.
    case vbpipe

    /// Offset of `s_idx`, the server's (reader's) free-running index.
    public var sIdx: Int { 0 }
    /// Offset of `c_idx`, the client's (writer's) free-running index.
    public var cIdx: Int { self == .vpipe ? 4 : 8 }
    /// Offset of `s_wait` (vbpipe only).
    public var sWait: Int? { self == .vpipe ? nil : 4 }
    /// Offset of `c_wait` (vbpipe only).
    public var cWait: Int? { self == .vpipe ? nil : 12 }
    /// Offset of `ring[]`.
    public var headerSize: Int { self == .vpipe ? 8 : 16 }
    /// `MIN_RING_SIZE`: the length of `ring[]` in the C declaration.
    public var minRingSize: Int { self == .vpipe ? 24 : 16 }
    /// `sizeof(ExRing)`: the smallest block a ring may use.
    public var minimumBlockSize: Int { headerSize + minRingSize }
}

/// One `ExRing` in ring memory: `blockSize` bytes at `base`, of which
/// `dataSize = blockSize - header` carry data (the `Size` column of /proc/nk).
///
/// Indices are free running (never decremented, wrapping at 2^32); the amount of
/// data is `c_idx - s_idx`. A peer that writes nonsense into the indices can only
/// make this side see an empty or a full ring, never access outside the block.
public struct ExRing: Sendable {
    /// The memory holding the block.
    public let memory: any RingMemory
    /// Offset of the block in `memory`.
    public let base: Int
    /// Header fields.
    public let layout: ExRingLayout
    /// Bytes of `ring[]`.
    public let dataSize: Int

    /// The ring of `blockSize` bytes at `base` (at least `sizeof(ExRing)`).
    public init(memory: any RingMemory, base: Int, blockSize: Int, layout: ExRingLayout) {
        precondition(blockSize >= layout.minimumBlockSize, "ExRing block smaller than sizeof(ExRing)")
        precondition(base >= 0 && base % 4 == 0 && base + blockSize <= memory.byteCount, "ExRing outside its memory")
        self.memory = memory
        self.base = base
        self.layout = layout
        self.dataSize = blockSize - layout.headerSize
    }

    /// `s_idx` now.
    public var serverIndex: UInt32 { memory.ringLoad(base + layout.sIdx) }
    /// `c_idx` now.
    public var clientIndex: UInt32 { memory.ringLoad(base + layout.cIdx) }

    /// Bytes between the two indices, clamped to `dataSize` (a corrupt pair of
    /// indices reads as a full ring).
    public func used(client: UInt32, server: UInt32) -> Int {
        min(Int(client &- server), dataSize)
    }

    func store(_ field: Int, _ value: UInt32) { memory.ringStore(base + field, value) }
    func load(_ field: Int) -> UInt32 { memory.ringLoad(base + field) }

    /// Offset in `memory` of data byte `position` (0 ..< dataSize).
    func dataOffset(_ position: Int) -> Int { base + layout.headerSize + position }

    /// The (at most two) pieces of `count` bytes starting at `position`, wrapping.
    func pieces(at position: Int, count: Int) -> (first: Range<Int>, second: Range<Int>) {
        let firstCount = min(count, dataSize - position)
        return (position..<(position + firstCount), 0..<(count - firstCount))
    }
}

extension InfoFields {
    /// The block size a ring uses for a requested `size`: at least
    /// `sizeof(ExRing)` (32 bytes).
    public static func blockSize(_ requested: Int, layout: ExRingLayout) -> Int {
        max(requested, layout.minimumBlockSize)
    }
}
