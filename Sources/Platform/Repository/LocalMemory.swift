// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// An in-process region of zeroed memory with the `SharedWords` operations.
///
/// The twin of a mapped POSIX shared-memory object for logic tests and
/// single-process tools: every operation takes one mutex, so it is atomic and
/// ordered, though not lock-free. Each instance gets its own fake base address,
/// so two `LocalMemory` "mappings" translate addresses differently, as two VMs do.
public final class LocalMemory: SharedWords {
    private final class Storage: Sendable {
        let bytes: Mutex<[UInt8]>
        init(_ count: Int) { bytes = Mutex([UInt8](repeating: 0, count: count)) }
    }

    private let storage: Storage
    private static let nextBase = Atomic<UInt>(0x7f10_0000_0000)

    /// The region's size in bytes.
    public let byteCount: Int
    /// The fake address this "mapping" starts at (distinct per instance, 1 GiB apart).
    public let baseAddress: UInt

    /// Creates `byteCount` zeroed bytes.
    public init(byteCount: Int) {
        self.byteCount = byteCount
        self.storage = Storage(byteCount)
        self.baseAddress = Self.nextBase.add(1 << 30, ordering: .relaxed).oldValue
    }

    /// A second "mapping" of the same bytes at another base address, as another
    /// process would see the same shared-memory object.
    public init(sharing other: LocalMemory) {
        self.byteCount = other.byteCount
        self.storage = other.storage
        self.baseAddress = Self.nextBase.add(1 << 30, ordering: .relaxed).oldValue
    }

    private func check(_ offset: Int, _ width: Int) {
        precondition(offset >= 0 && offset + width <= byteCount, "LocalMemory: offset \(offset) out of bounds")
        precondition(offset % min(width, 8) == 0 || width > 8, "LocalMemory: misaligned offset \(offset)")
    }

    private func read32(_ b: borrowing [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }

    private func write32(_ b: inout [UInt8], _ o: Int, _ v: UInt32) {
        for i in 0..<4 { b[o + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
    }

    private func rmw32(_ offset: Int, _ update: (UInt32) -> UInt32) -> UInt32 {
        check(offset, 4)
        return storage.bytes.withLock { b in
            let old = read32(b, offset)
            write32(&b, offset, update(old))
            return old
        }
    }

    public func load32(_ offset: Int) -> UInt32 {
        check(offset, 4)
        return storage.bytes.withLock { read32($0, offset) }
    }

    public func store32(_ offset: Int, _ value: UInt32) {
        _ = rmw32(offset) { _ in value }
    }

    public func compareExchange32(_ offset: Int, expected: UInt32, desired: UInt32) -> (
        exchanged: Bool, original: UInt32
    ) {
        let old = rmw32(offset) { $0 == expected ? desired : $0 }
        return (old == expected, old)
    }

    public func fetchAdd32(_ offset: Int, _ value: UInt32) -> UInt32 { rmw32(offset) { $0 &+ value } }
    public func fetchSub32(_ offset: Int, _ value: UInt32) -> UInt32 { rmw32(offset) { $0 &- value } }
    public func fetchOr32(_ offset: Int, _ value: UInt32) -> UInt32 { rmw32(offset) { $0 | value } }
    public func fetchAnd32(_ offset: Int, _ value: UInt32) -> UInt32 { rmw32(offset) { $0 & value } }

    public func load64(_ offset: Int) -> UInt64 {
        check(offset, 8)
        return storage.bytes.withLock { UInt64(read32($0, offset)) | UInt64(read32($0, offset + 4)) << 32 }
    }

    public func store64(_ offset: Int, _ value: UInt64) {
        check(offset, 8)
        storage.bytes.withLock {
            write32(&$0, offset, UInt32(truncatingIfNeeded: value))
            write32(&$0, offset + 4, UInt32(truncatingIfNeeded: value >> 32))
        }
    }

    public func compareExchange64(_ offset: Int, expected: UInt64, desired: UInt64) -> (
        exchanged: Bool, original: UInt64
    ) {
        check(offset, 8)
        return storage.bytes.withLock { b in
            let old = UInt64(read32(b, offset)) | UInt64(read32(b, offset + 4)) << 32
            guard old == expected else { return (false, old) }
            write32(&b, offset, UInt32(truncatingIfNeeded: desired))
            write32(&b, offset + 4, UInt32(truncatingIfNeeded: desired >> 32))
            return (true, old)
        }
    }

    public func loadBytes(_ offset: Int, count: Int) -> [UInt8] {
        precondition(offset >= 0 && count >= 0 && offset + count <= byteCount, "LocalMemory: range out of bounds")
        return storage.bytes.withLock { Array($0[offset..<(offset + count)]) }
    }

    public func storeBytes(_ offset: Int, _ data: [UInt8]) {
        precondition(offset >= 0 && offset + data.count <= byteCount, "LocalMemory: range out of bounds")
        storage.bytes.withLock { $0.replaceSubrange(offset..<(offset + data.count), with: data) }
    }
}
