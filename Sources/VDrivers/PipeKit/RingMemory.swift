// SPDX-License-Identifier: Apache-2.0
public import Platform
public import PlatformSys

/// The memory an `ExRing` lives in: a block of shared memory (the PMEM block of
/// `nk_pmem_alloc`, mapped) or its in-process twin.
///
/// Index and flag words are accessed with sequential consistency: a side that is
/// about to sleep stores its index or wait flag and then loads the peer's, and
/// the peer does the mirror image, so neither may see both old values (the
/// lost-wakeup race of Dekker's algorithm). Byte copies are plain: the ring
/// protocol publishes bytes only after they are copied.
public protocol RingMemory: AnyObject, Sendable {
    /// Size of the memory in bytes.
    var byteCount: Int { get }
    /// Sequentially consistent load of the 32-bit word at `offset`.
    func ringLoad(_ offset: Int) -> UInt32
    /// Sequentially consistent store of the 32-bit word at `offset`.
    func ringStore(_ offset: Int, _ value: UInt32)
    /// Copies `source` to `offset`.
    func ringCopyIn(_ offset: Int, from source: UnsafeRawBufferPointer)
    /// Lends `count` bytes at `offset` to `body`, without copying when it can.
    func ringWithBytes<R>(_ offset: Int, count: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R
}

/// A mapped POSIX shared-memory object: the real ring memory.
extension MappedRegion: RingMemory {
    public func ringLoad(_ offset: Int) -> UInt32 { loadSequential32(at: offset) }
    public func ringStore(_ offset: Int, _ value: UInt32) { storeSequential32(value, at: offset) }
    public func ringCopyIn(_ offset: Int, from source: UnsafeRawBufferPointer) { copyBytes(to: offset, from: source) }

    public func ringWithBytes<R>(_ offset: Int, count: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(at: offset, count: count, body)
    }
}

/// The in-process twin (every operation under one lock, hence sequentially
/// consistent): for logic tests of the ring and the drivers.
extension LocalMemory: RingMemory {
    public func ringLoad(_ offset: Int) -> UInt32 { load32(offset) }
    public func ringStore(_ offset: Int, _ value: UInt32) { store32(offset, value) }
    public func ringCopyIn(_ offset: Int, from source: UnsafeRawBufferPointer) { storeBytes(offset, Array(source)) }

    public func ringWithBytes<R>(_ offset: Int, count: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        loadBytes(offset, count: count).withUnsafeBytes(body)
    }
}
