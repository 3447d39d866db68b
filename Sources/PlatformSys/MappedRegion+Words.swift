// SPDX-License-Identifier: Apache-2.0
import Atomics

/// Word operations straight on the mapping, with the orderings `Platform`'s
/// `SharedWords` fixes (loads acquiring, stores releasing, read-modify-writes
/// acquiring-and-releasing).
///
/// They do what `atomic32(at:).load(ordering: .acquiring)` does without building a
/// `SharedAtomic` first: that value retains the region, and a retain/release pair
/// per word was the largest user-space cost of an xirq dispatch. A method of the
/// region needs no retain, since the caller's reference keeps `self` alive for the
/// call. Same bounds and alignment checks as every other accessor.
extension MappedRegion {
    /// The atomic view of the 32-bit word at `offset`, valid only during the caller's
    /// method call on `self`.
    @unsafe @inline(__always)
    func word32(_ offset: Int) -> UnsafeAtomic<UInt32> {
        check(offset, 4, alignment: 4)
        // SAFETY: in bounds and 4-byte aligned (checked above); the storage is a
        // plain UInt32 (anchors §12.1); `self` outlives the caller's use.
        return unsafe UnsafeAtomic(at: (base + offset).assumingMemoryBound(to: UnsafeAtomic<UInt32>.Storage.self))
    }

    /// The atomic view of the 64-bit word at `offset` (see `word32`).
    @unsafe @inline(__always)
    func word64(_ offset: Int) -> UnsafeAtomic<UInt64> {
        check(offset, 8, alignment: 8)
        // SAFETY: in bounds and 8-byte aligned (checked above); plain UInt64 storage.
        return unsafe UnsafeAtomic(at: (base + offset).assumingMemoryBound(to: UnsafeAtomic<UInt64>.Storage.self))
    }

    /// Acquiring load of the 32-bit word at `offset`.
    public func acquiringLoad32(at offset: Int) -> UInt32 {
        // SAFETY: word32 checked the offset; the view does not outlive this call.
        unsafe word32(offset).load(ordering: .acquiring)
    }

    /// Releasing store of the 32-bit word at `offset`.
    public func releasingStore32(_ value: UInt32, at offset: Int) {
        // SAFETY: as in acquiringLoad32.
        unsafe word32(offset).store(value, ordering: .releasing)
    }

    /// Atomic OR of the 32-bit word at `offset`; returns the old value.
    public func fetchOr32(_ mask: UInt32, at offset: Int) -> UInt32 {
        // SAFETY: as in acquiringLoad32.
        unsafe word32(offset).loadThenBitwiseOr(with: mask, ordering: .acquiringAndReleasing)
    }

    /// Atomic AND of the 32-bit word at `offset`; returns the old value.
    public func fetchAnd32(_ mask: UInt32, at offset: Int) -> UInt32 {
        // SAFETY: as in acquiringLoad32.
        unsafe word32(offset).loadThenBitwiseAnd(with: mask, ordering: .acquiringAndReleasing)
    }

    /// Atomic wrapping add to the 32-bit word at `offset`; returns the old value.
    public func fetchAdd32(_ delta: UInt32, at offset: Int) -> UInt32 {
        // SAFETY: as in acquiringLoad32.
        unsafe word32(offset).loadThenWrappingIncrement(by: delta, ordering: .acquiringAndReleasing)
    }

    /// Atomic wrapping subtract from the 32-bit word at `offset`; returns the old value.
    public func fetchSub32(_ delta: UInt32, at offset: Int) -> UInt32 {
        // SAFETY: as in acquiringLoad32.
        unsafe word32(offset).loadThenWrappingDecrement(by: delta, ordering: .acquiringAndReleasing)
    }

    /// Strong compare-and-exchange of the 32-bit word at `offset`.
    public func compareExchange32(expected: UInt32, desired: UInt32, at offset: Int) -> (
        exchanged: Bool, original: UInt32
    ) {
        // SAFETY: as in acquiringLoad32.
        unsafe word32(offset).compareExchange(expected: expected, desired: desired, ordering: .acquiringAndReleasing)
    }

    /// Acquiring load of the 64-bit word at `offset`.
    public func acquiringLoad64(at offset: Int) -> UInt64 {
        // SAFETY: word64 checked the offset; the view does not outlive this call.
        unsafe word64(offset).load(ordering: .acquiring)
    }

    /// Releasing store of the 64-bit word at `offset`.
    public func releasingStore64(_ value: UInt64, at offset: Int) {
        // SAFETY: as in acquiringLoad64.
        unsafe word64(offset).store(value, ordering: .releasing)
    }

    /// Strong compare-and-exchange of the 64-bit word at `offset`.
    public func compareExchange64(expected: UInt64, desired: UInt64, at offset: Int) -> (
        exchanged: Bool, original: UInt64
    ) {
        // SAFETY: as in acquiringLoad64.
        unsafe word64(offset).compareExchange(expected: expected, desired: desired, ordering: .acquiringAndReleasing)
    }
}
