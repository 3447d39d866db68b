// SPDX-License-Identifier: Apache-2.0

/// Word-level access to one shared-memory region: the repository or the PMEM pool.
///
/// `Platform` never touches raw pointers; `PlatformSys.MappedRegion` satisfies this
/// protocol (see `MappedRegion+SharedWords.swift`) and `LocalMemory` is an
/// in-process twin for logic tests. Offsets are byte offsets from the start of the
/// region; implementations trap on an out-of-bounds or misaligned access.
///
/// Orderings are fixed by the operation: loads are acquiring, stores releasing,
/// read-modify-write operations acquiring-and-releasing. That is what the NKDDI
/// atomics and the xirq pending bits need (a trigger's release pairs with the
/// dispatcher's acquire).
public protocol SharedWords: AnyObject, Sendable {
    /// Size of the region in bytes.
    var byteCount: Int { get }
    /// The address at which this process mapped the region ("virtual" address base).
    var baseAddress: UInt { get }

    /// Acquiring 32-bit load.
    func load32(_ offset: Int) -> UInt32
    /// Releasing 32-bit store.
    func store32(_ offset: Int, _ value: UInt32)
    /// Atomic compare-and-exchange of a 32-bit word.
    func compareExchange32(_ offset: Int, expected: UInt32, desired: UInt32) -> (exchanged: Bool, original: UInt32)
    /// Atomic wrapping add; returns the old value.
    func fetchAdd32(_ offset: Int, _ value: UInt32) -> UInt32
    /// Atomic wrapping subtract; returns the old value.
    func fetchSub32(_ offset: Int, _ value: UInt32) -> UInt32
    /// Atomic OR; returns the old value.
    func fetchOr32(_ offset: Int, _ value: UInt32) -> UInt32
    /// Atomic AND; returns the old value.
    func fetchAnd32(_ offset: Int, _ value: UInt32) -> UInt32

    /// Acquiring 64-bit load.
    func load64(_ offset: Int) -> UInt64
    /// Releasing 64-bit store.
    func store64(_ offset: Int, _ value: UInt64)
    /// Atomic compare-and-exchange of a 64-bit word.
    func compareExchange64(_ offset: Int, expected: UInt64, desired: UInt64) -> (exchanged: Bool, original: UInt64)

    /// Copies `count` bytes out of the region (plain, non-atomic).
    func loadBytes(_ offset: Int, count: Int) -> [UInt8]
    /// Copies bytes into the region (plain, non-atomic).
    func storeBytes(_ offset: Int, _ bytes: [UInt8])
}

extension SharedWords {
    /// Reads a NUL-terminated string of at most `limit` bytes.
    public func loadCString(_ offset: Int, limit: Int) -> String {
        let raw = loadBytes(offset, count: min(limit, byteCount - offset))
        let end = raw.firstIndex(of: 0) ?? raw.endIndex
        return String(decoding: raw[..<end], as: UTF8.self)
    }

    /// Writes `string` NUL-terminated into a field of `limit` bytes (truncating,
    /// always terminated, rest of the field zeroed).
    public func storeCString(_ offset: Int, _ string: String, limit: Int) {
        var bytes = Array(string.utf8.prefix(limit - 1))
        bytes.append(contentsOf: repeatElement(0, count: limit - bytes.count))
        storeBytes(offset, bytes)
    }

    /// Takes a word used as a spin lock: CAS 0 → `owner` (owner must be non-zero).
    /// The critical sections guarded this way are short and make no system call.
    func spinLock(_ offset: Int, owner: UInt32) {
        while !compareExchange32(offset, expected: 0, desired: owner).exchanged {}
    }

    /// `spinLock` that gives up: false when the word stays held through `tries`
    /// attempts (its owner may be stopped or dead; the caller must not wait).
    func tryLock(_ offset: Int, owner: UInt32, tries: Int) -> Bool {
        for _ in 0..<tries where compareExchange32(offset, expected: 0, desired: owner).exchanged { return true }
        return false
    }

    /// Releases a spin lock taken by `spinLock`.
    func spinUnlock(_ offset: Int) {
        store32(offset, 0)
    }
}

/// A word address inside a shared region: what a driver holds instead of a C pointer.
///
/// `NKDDI.nk_ptov` / `nk_mem_map` give `NkVAddr` numbers; `NKDDI.pointer(_:)`
/// turns such a number into a `SharedPointer` for loads, stores and atomics.
public struct SharedPointer: Sendable {
    /// The region the address points into.
    public let region: any SharedWords
    /// Byte offset inside `region`.
    public let offset: Int

    /// Creates a pointer to `offset` in `region`.
    public init(region: any SharedWords, offset: Int) {
        self.region = region
        self.offset = offset
    }

    /// The pointer `bytes` further on.
    public func advanced(by bytes: Int) -> SharedPointer {
        SharedPointer(region: region, offset: offset + bytes)
    }

    /// The process-local numeric address (`void*` of the manual).
    public var address: UInt { region.baseAddress + UInt(offset) }

    /// Acquiring load of the 32-bit word at the pointer.
    public func load32() -> UInt32 { region.load32(offset) }
    /// Releasing store of the 32-bit word at the pointer.
    public func store32(_ value: UInt32) { region.store32(offset, value) }
    /// Acquiring load of the 64-bit word at the pointer.
    public func load64() -> UInt64 { region.load64(offset) }
    /// Releasing store of the 64-bit word at the pointer.
    public func store64(_ value: UInt64) { region.store64(offset, value) }
    /// Copies `count` bytes from the pointer.
    public func loadBytes(count: Int) -> [UInt8] { region.loadBytes(offset, count: count) }
    /// Copies bytes to the pointer.
    public func storeBytes(_ bytes: [UInt8]) { region.storeBytes(offset, bytes) }
}
