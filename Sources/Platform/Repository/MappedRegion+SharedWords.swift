// SPDX-License-Identifier: Apache-2.0
public import PlatformSys

/// A mapping of a POSIX shared-memory object is the real `SharedWords`: every
/// word operation is a lock-free atomic access (bounds and alignment checked by
/// `PlatformSys`, no retain per access), with the orderings `SharedWords` documents.
extension MappedRegion: SharedWords {
    public var byteCount: Int { size }

    public func load32(_ offset: Int) -> UInt32 { acquiringLoad32(at: offset) }
    public func store32(_ offset: Int, _ value: UInt32) { releasingStore32(value, at: offset) }

    public func compareExchange32(_ offset: Int, expected: UInt32, desired: UInt32) -> (
        exchanged: Bool, original: UInt32
    ) {
        compareExchange32(expected: expected, desired: desired, at: offset)
    }

    public func fetchAdd32(_ offset: Int, _ value: UInt32) -> UInt32 {
        fetchAdd32(value, at: offset)
    }

    public func fetchSub32(_ offset: Int, _ value: UInt32) -> UInt32 {
        fetchSub32(value, at: offset)
    }

    public func fetchOr32(_ offset: Int, _ value: UInt32) -> UInt32 {
        fetchOr32(value, at: offset)
    }

    public func fetchAnd32(_ offset: Int, _ value: UInt32) -> UInt32 {
        fetchAnd32(value, at: offset)
    }

    public func load64(_ offset: Int) -> UInt64 { acquiringLoad64(at: offset) }
    public func store64(_ offset: Int, _ value: UInt64) { releasingStore64(value, at: offset) }

    public func compareExchange64(_ offset: Int, expected: UInt64, desired: UInt64) -> (
        exchanged: Bool, original: UInt64
    ) {
        compareExchange64(expected: expected, desired: desired, at: offset)
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
