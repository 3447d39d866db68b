// SPDX-License-Identifier: Apache-2.0
public import Atomics

/// An atomic integer inside a `MappedRegion`, shared with other processes.
///
/// It keeps its region alive, so the underlying `UnsafeAtomic` cannot outlive
/// the mapping. Every operation names its memory ordering (no sequential
/// consistency by default): `.acquiring` on consumer loads, `.releasing` on
/// producer stores. Lock-free for 32 and 64 bits on x86-64 and arm64, hence
/// valid across processes.
public struct SharedAtomic<Value: AtomicInteger & FixedWidthInteger>: @unchecked Sendable {
    @usableFromInline let region: MappedRegion
    @usableFromInline let atomic: UnsafeAtomic<Value>
    /// Where the word lives in its region.
    public let offset: Int

    init(region: MappedRegion, offset: Int) {
        region.check(offset, MemoryLayout<Value>.size, alignment: MemoryLayout<Value>.size)
        self.region = region
        self.offset = offset
        // SAFETY: offset is in bounds and naturally aligned (checked above); the
        // storage is a plain integer of the same size (anchors §12.1: spell it
        // `UnsafeAtomic<Value>.Storage`); `region` keeps the mapping alive.
        let storage = unsafe (region.base + offset).assumingMemoryBound(to: UnsafeAtomic<Value>.Storage.self)
        atomic = unsafe UnsafeAtomic<Value>(at: storage)
    }

    /// Atomic load.
    @_semantics("atomics.requires_constant_orderings") @_transparent
    public func load(ordering: AtomicLoadOrdering) -> Value {
        atomic.load(ordering: ordering)
    }

    /// Atomic store.
    @_semantics("atomics.requires_constant_orderings") @_transparent
    public func store(_ value: Value, ordering: AtomicStoreOrdering) {
        atomic.store(value, ordering: ordering)
    }

    /// Atomic exchange; returns the previous value.
    @_semantics("atomics.requires_constant_orderings") @_transparent
    public func exchange(_ value: Value, ordering: AtomicUpdateOrdering) -> Value {
        atomic.exchange(value, ordering: ordering)
    }

    /// `old = *p; *p |= mask; return old`.
    @discardableResult
    @_semantics("atomics.requires_constant_orderings") @_transparent
    public func fetchOr(_ mask: Value, ordering: AtomicUpdateOrdering) -> Value {
        atomic.loadThenBitwiseOr(with: mask, ordering: ordering)
    }

    /// `old = *p; *p &= mask; return old`.
    @discardableResult
    @_semantics("atomics.requires_constant_orderings") @_transparent
    public func fetchAnd(_ mask: Value, ordering: AtomicUpdateOrdering) -> Value {
        atomic.loadThenBitwiseAnd(with: mask, ordering: ordering)
    }

    /// `old = *p; *p &+= delta; return old` (wrapping).
    @discardableResult
    @_semantics("atomics.requires_constant_orderings") @_transparent
    public func fetchAdd(_ delta: Value, ordering: AtomicUpdateOrdering) -> Value {
        atomic.loadThenWrappingIncrement(by: delta, ordering: ordering)
    }

    /// Strong compare-and-exchange: stores `desired` if the word equals `expected`.
    /// Returns whether it did, and the value found.
    @_semantics("atomics.requires_constant_orderings") @_transparent
    public func compareExchange(
        expected: Value, desired: Value, ordering: AtomicUpdateOrdering
    ) -> (exchanged: Bool, original: Value) {
        atomic.compareExchange(expected: expected, desired: desired, ordering: ordering)
    }
}

/// A shared 32-bit word.
public typealias SharedAtomicUInt32 = SharedAtomic<UInt32>
/// A shared 64-bit word.
public typealias SharedAtomicUInt64 = SharedAtomic<UInt64>

extension MappedRegion {
    /// The 32-bit atomic word at `offset` (4-byte aligned, in bounds, else trap).
    public func atomic32(at offset: Int) -> SharedAtomicUInt32 { SharedAtomic(region: self, offset: offset) }

    /// The 64-bit atomic word at `offset` (8-byte aligned, in bounds, else trap).
    public func atomic64(at offset: Int) -> SharedAtomicUInt64 { SharedAtomic(region: self, offset: offset) }

}
