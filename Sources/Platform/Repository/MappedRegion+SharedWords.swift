// SPDX-License-Identifier: Apache-2.0
public import PlatformSys
import Atomics

/// A mapping of a POSIX shared-memory object is the real `SharedWords`: every
/// word operation is a lock-free `SharedAtomic` access (bounds and alignment
/// checked by `PlatformSys`), with the orderings `SharedWords` documents.
extension MappedRegion: SharedWords {
    public var byteCount: Int { size }

    public func load32(_ offset: Int) -> UInt32 { atomic32(at: offset).load(ordering: .acquiring) }
    public func store32(_ offset: Int, _ value: UInt32) { atomic32(at: offset).store(value, ordering: .releasing) }

    public func compareExchange32(_ offset: Int, expected: UInt32, desired: UInt32) -> (exchanged: Bool, original: UInt32) {
        atomic32(at: offset).compareExchange(expected: expected, desired: desired, ordering: .acquiringAndReleasing)
    }

    public func fetchAdd32(_ offset: Int, _ value: UInt32) -> UInt32 {
        atomic32(at: offset).fetchAdd(value, ordering: .acquiringAndReleasing)
    }

    public func fetchSub32(_ offset: Int, _ value: UInt32) -> UInt32 {
        atomic32(at: offset).fetchSub(value, ordering: .acquiringAndReleasing)
    }

    public func fetchOr32(_ offset: Int, _ value: UInt32) -> UInt32 {
        atomic32(at: offset).fetchOr(value, ordering: .acquiringAndReleasing)
    }

    public func fetchAnd32(_ offset: Int, _ value: UInt32) -> UInt32 {
        atomic32(at: offset).fetchAnd(value, ordering: .acquiringAndReleasing)
    }

    public func load64(_ offset: Int) -> UInt64 { atomic64(at: offset).load(ordering: .acquiring) }
    public func store64(_ offset: Int, _ value: UInt64) { atomic64(at: offset).store(value, ordering: .releasing) }

    public func compareExchange64(_ offset: Int, expected: UInt64, desired: UInt64) -> (exchanged: Bool, original: UInt64) {
        atomic64(at: offset).compareExchange(expected: expected, desired: desired, ordering: .acquiringAndReleasing)
    }

    public func loadBytes(_ offset: Int, count: Int) -> [UInt8] { readBytes(at: offset, count: count) }
    public func storeBytes(_ offset: Int, _ bytes: [UInt8]) { copyBytes(to: offset, from: bytes) }
}

/// A VM's eventfd is its xirq doorbell: `nk_xirq_trigger` writes 1 to the
/// target's eventfd after setting the pending bit; the target's dispatcher
/// blocks in `read`.
extension EventFD: XirqDoorbell, XirqWaiter {
    public func ring() { try? signal() }

    public func waitForRing() -> Bool {
        while true {
            do {
                if case .processed = try wait() { return true }
            } catch {
                return false
            }
        }
    }
}
