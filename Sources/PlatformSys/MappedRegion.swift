// SPDX-License-Identifier: Apache-2.0
import Glibc
import SystemPackage

/// A `MAP_SHARED` read-write mapping, unmapped when the last reference goes.
///
/// All access goes through bounds- and alignment-checked accessors: atomics
/// (`atomic32(at:)`, `atomic64(at:)` and the `load`/`store`/`fetch…` shorthands),
/// byte copies and scoped spans. An offset outside the region is a bug in the
/// caller and traps; validate offsets read from shared memory with
/// `contains(offset:count:)` first.
///
/// `@unchecked Sendable`: the memory is shared with other processes anyway;
/// concurrent access is made sound by the atomics' orderings, which callers choose.
@safe public final class MappedRegion: @unchecked Sendable {
    /// Start of the mapping in this process.
    let base: UnsafeMutableRawPointer
    /// Length in bytes.
    public let size: Int

    /// Maps `size` bytes of `fd` from offset 0. The corresponding C function is `mmap`.
    init(mapping fd: CInt, size: Int) throws(SyscallError) {
        precondition(size > 0, "cannot map an empty region")
        // SAFETY: a fresh shared mapping chosen by the kernel; nothing aliases it in
        // this process until `base` is stored; MAP_FAILED is checked below.
        let address = unsafe mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let address = unsafe address, unsafe address != MAP_FAILED else {
            throw SyscallError(call: "mmap", errno: .init(rawValue: Glibc.errno))
        }
        unsafe base = address
        self.size = size
    }

    deinit {
        // SAFETY: the mapping was created in init and nothing outlives `self`:
        // every accessor keeps `self` alive while it uses the pointer.
        _ = unsafe munmap(base, size)
    }

    /// The address of byte 0 as an integer, for `nk_ptov`/`nk_vtop` style
    /// translation (physical = offset + fixed base; virtual = this + offset).
    // SAFETY: reads the pointer's bit pattern only; nothing is dereferenced.
    public var baseAddress: UInt { UInt(bitPattern: unsafe base) }

    /// The region offset of virtual `address`, nil when it is not inside the region.
    public func offset(ofAddress address: UInt) -> Int? {
        guard address >= baseAddress, address - baseAddress < UInt(size) else { return nil }
        return Int(address - baseAddress)
    }

    /// Whether `[offset, offset + count)` lies inside the region.
    public func contains(offset: Int, count: Int) -> Bool {
        offset >= 0 && count >= 0 && offset <= size && count <= size - offset
    }

    /// Traps unless `[offset, offset + count)` is inside and `offset` is a multiple of `alignment`.
    func check(_ offset: Int, _ count: Int, alignment: Int = 1) {
        precondition(
            contains(offset: offset, count: count),
            "MappedRegion access [\(offset), +\(count)) outside \(size) bytes")
        precondition(offset % alignment == 0, "MappedRegion offset \(offset) not \(alignment)-aligned")
    }

    // MARK: bytes

    /// Copies `bytes` into the region at `offset`.
    public func copyBytes(to offset: Int, from bytes: some Collection<UInt8>) {
        check(offset, bytes.count)
        var index = offset
        for byte in bytes {
            // SAFETY: index stays in [offset, offset + count), checked above.
            unsafe base.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
            index += 1
        }
    }

    /// Copies `bytes` into the region at `offset` with one memcpy.
    public func copyBytes(to offset: Int, from bytes: [UInt8]) {
        check(offset, bytes.count)
        // SAFETY: destination range checked above; source is the array's storage.
        unsafe bytes.withUnsafeBytes { unsafe (base + offset).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// Copies `count` bytes of the region starting at `offset` out into a new array.
    public func readBytes(at offset: Int, count: Int) -> [UInt8] {
        check(offset, count)
        // SAFETY: source range checked above; the array is initialized with exactly `count` bytes.
        return unsafe [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            unsafe buffer.baseAddress!.initialize(
                from: (base + offset).assumingMemoryBound(to: UInt8.self), count: count)
            initialized = count
        }
    }

    /// Sets `count` bytes at `offset` to `value`.
    public func fill(at offset: Int, count: Int, with value: UInt8 = 0) {
        check(offset, count)
        // SAFETY: range checked above.
        _ = unsafe memset(base + offset, CInt(value), count)
    }

    /// Lends the bytes `[offset, offset + count)` as a read-only span for the call.
    public func withBytes<R>(at offset: Int, count: Int, _ body: (RawSpan) throws -> R) rethrows -> R {
        check(offset, count)
        // SAFETY: range checked; the span cannot escape `body`, and `self` (the mapping) outlives the call.
        let span = unsafe RawSpan(_unsafeStart: base + offset, byteCount: count)
        return try withExtendedLifetime(self) { try body(span) }
    }

    /// Lends the bytes `[offset, offset + count)` as a mutable span for the call.
    public func withMutableBytes<R>(at offset: Int, count: Int, _ body: (inout MutableRawSpan) throws -> R) rethrows
        -> R
    {
        check(offset, count)
        // SAFETY: range checked; the span cannot escape `body`, and `self` outlives the call.
        var span = unsafe MutableRawSpan(_unsafeStart: base + offset, byteCount: count)
        return try withExtendedLifetime(self) { try body(&span) }
    }

    // MARK: plain integers (no atomicity, host byte order, any alignment)

    /// Loads a `T` at `offset` (unaligned allowed, not atomic).
    public func load<T: FixedWidthInteger>(_ type: T.Type = T.self, at offset: Int) -> T {
        check(offset, MemoryLayout<T>.size)
        // SAFETY: range checked; loadUnaligned has no alignment requirement.
        return unsafe base.loadUnaligned(fromByteOffset: offset, as: T.self)
    }

    /// Stores `value` at `offset` (unaligned allowed, not atomic).
    public func store<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        check(offset, MemoryLayout<T>.size)
        // SAFETY: range checked; storeBytes accepts unaligned offsets for trivial types.
        unsafe base.storeBytes(of: value, toByteOffset: offset, as: T.self)
    }
}
