// SPDX-License-Identifier: Apache-2.0
import Atomics
import Glibc

/// Bulk copies between a mapping and caller-owned buffers, for data paths that
/// must not allocate per request (the vpipe/vbpipe rings copy straight between a
/// FUSE buffer and shared memory). The region side is bounds-checked like every
/// other accessor; the caller vouches for its own buffer.
extension MappedRegion {
    /// Copies `source` into the region at `offset` with one memcpy.
    ///
    /// `source` must be valid for reads of `source.count` bytes for the duration
    /// of the call and must not overlap the region.
    @unsafe public func copyBytes(to offset: Int, from source: UnsafeRawBufferPointer) {
        guard source.count > 0, let from = source.baseAddress else { return }
        check(offset, source.count)
        // SAFETY: destination range checked above; the caller guarantees the source.
        _ = unsafe memcpy(base + offset, from, source.count)
    }

    /// Lends `[offset, offset + count)` to `body` as a read-only raw buffer, so it
    /// can be handed to a system call (a FUSE reply) without an intermediate copy.
    ///
    /// The buffer must not escape `body`; the peer may change the bytes meanwhile
    /// (they are shared memory), which a byte ring's protocol rules out.
    @unsafe public func withUnsafeBytes<R>(
        at offset: Int, count: Int, _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        check(offset, count)
        // SAFETY: range checked; `self` (the mapping) outlives the call.
        let buffer = unsafe UnsafeRawBufferPointer(start: base + offset, count: count)
        return try withExtendedLifetime(self) { try unsafe body(buffer) }
    }

    /// Sequentially consistent 32-bit load (the store→load ordering a sleeping
    /// consumer's wait flag needs, Dekker style).
    public func loadSequential32(at offset: Int) -> UInt32 {
        atomic32(at: offset).load(ordering: .sequentiallyConsistent)
    }

    /// Sequentially consistent 32-bit store.
    public func storeSequential32(_ value: UInt32, at offset: Int) {
        atomic32(at: offset).store(value, ordering: .sequentiallyConsistent)
    }
}
