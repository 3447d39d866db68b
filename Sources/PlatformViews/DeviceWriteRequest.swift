// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// A `write(2)` to a device file: ``count`` bytes, taken in one or more pieces, answered
/// with the number of bytes written or an errno.
///
/// The bytes are borrowed from the FUSE buffer while the driver's `write` call runs;
/// ``suspend()`` copies what is left so the request can wait for room.
public final class DeviceWriteRequest: DeviceRequest {
    public let core: RequestCore
    /// How many bytes the caller wrote.
    public let count: Int
    /// The caller's current file flags.
    public let flags: OpenFlags

    // The pointers are only dereferenced by the driver that holds the request: the
    // borrowed one during its `write` call, the owned one until deinit.
    private struct Storage: @unchecked Sendable {
        var bytes: UnsafeRawPointer?
        var owned: UnsafeMutableRawPointer?
    }

    private let storage: Mutex<Storage>

    /// A request over `bytes`, which must stay valid until the driver's `write` call
    /// returns (the glue's buffer) unless the request is suspended.
    public init(bytes: UnsafeRawBufferPointer, flags: OpenFlags, responder: any RequestResponder) {
        self.core = RequestCore(responder: responder)
        self.count = bytes.count
        self.flags = flags
        self.storage = Mutex(Storage(bytes: bytes.baseAddress))
    }

    deinit {
        storage.withLock { $0.owned?.deallocate() }
    }

    /// Whether `O_NONBLOCK` is set: answer EAGAIN instead of waiting.
    public var isNonBlocking: Bool { flags.isNonBlocking }

    /// Bytes taken so far.
    public var written: Int { core.progress }

    /// Bytes still to take.
    public var remaining: Int { count - written }

    /// Calls `body` with the bytes not yet taken. Do not answer the request inside.
    public func withRemainingBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let base = storage.withLock { $0.bytes }
        let written = core.progress
        let rest = UnsafeRawBufferPointer(start: base.map { $0 + written }, count: count - written)
        return try body(rest)
    }

    /// Counts `bytes` more as taken. Copy them first but publish them (advance the
    /// ring) only when this returns true: false means the caller was interrupted
    /// meanwhile and has been answered with what was taken before.
    public func commitWritten(_ bytes: Int) -> Bool {
        precondition(bytes >= 0 && written + bytes <= count, "wrote past the request")
        return core.commit(bytes)
    }

    /// Keeps the request to take the rest when room appears (the caller blocks until
    /// then). Copies the bytes not yet taken out of the FUSE buffer, once.
    @discardableResult
    public func suspend() -> DeviceWriteRequest {
        storage.withLock { storage in
            guard storage.owned == nil else { return }
            let copy = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
            if let bytes = storage.bytes { copy.copyMemory(from: bytes, byteCount: count) }
            storage.owned = copy
            storage.bytes = UnsafeRawPointer(copy)
        }
        core.suspend()
        return self
    }

    /// Answers with the number of bytes taken (``written``). Returns false if already
    /// answered.
    @discardableResult
    public func complete() -> Bool {
        guard let written = core.claim() else { return false }
        core.responder.send(.count(written), fromInterrupt: false)
        return true
    }

    public func interruptedAnswer(progress: Int, send: (DeviceAnswer) -> Void) {
        send(progress == 0 ? .error(.eintr) : .count(progress))
    }

    /// For the FUSE glue, after the driver's call returned: the borrowed bytes go away.
    public func endBorrow() {
        storage.withLock { storage in
            if storage.owned == nil { storage.bytes = nil }
        }
    }
}
