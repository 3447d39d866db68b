// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// A `read(2)` of a device file: at most ``count`` bytes, answered with bytes, EOF
/// (no bytes) or an errno.
///
/// A driver answers in one go with a `complete` method, or gathers bytes over time with
/// ``append(copying:_:)`` and answers with ``completeAppended()`` (vbpipe waits for all
/// `count` bytes); an interrupted read then returns what was gathered, as a pipe does.
public final class DeviceReadRequest: DeviceRequest {
    public let core: RequestCore
    /// The most bytes the caller asked for.
    public let count: Int
    /// The caller's current file flags.
    public let flags: OpenFlags
    // Written only by the driver holding the request, before it commits the bytes; read
    // after the commit (the core's lock orders the two). Freed in deinit.
    private struct Gathered: @unchecked Sendable {
        var buffer: UnsafeMutableRawPointer?
    }

    private let gathered = Mutex(Gathered())

    /// A request answered through `responder` (the glue, or a ``ReplyRecorder``).
    public init(count: Int, flags: OpenFlags, responder: any RequestResponder) {
        self.core = RequestCore(responder: responder)
        self.count = count
        self.flags = flags
    }

    deinit {
        gathered.withLock { $0.buffer?.deallocate() }
    }

    /// Whether `O_NONBLOCK` is set: answer EAGAIN instead of waiting.
    public var isNonBlocking: Bool { flags.isNonBlocking }

    /// Bytes gathered with ``append(copying:_:)`` so far.
    public var appended: Int { core.progress }

    /// Keeps the request to answer it when data arrives (the caller blocks until then).
    @discardableResult
    public func suspend() -> DeviceReadRequest {
        core.suspend()
        return self
    }

    /// Answers with `bytes` (at most ``count``; empty means EOF). Returns false, and
    /// sends nothing, if already answered.
    @discardableResult
    public func complete(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { complete(copying: $0) }
    }

    /// Answers with `first` followed by `second` (a ring's two halves), copied straight
    /// to the caller. Returns false, and sends nothing, if already answered: the driver
    /// must then leave the data where it is.
    @discardableResult
    public func complete(
        copying first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) -> Bool {
        precondition(first.count + second.count <= count, "read answer longer than the request")
        guard let progress = core.claim() else { return false }
        precondition(progress == 0, "complete(copying:) after append(copying:); use completeAppended()")
        core.responder.send(.bytes(first, second), fromInterrupt: false)
        return true
    }

    /// Answers end of file (a read of 0 bytes).
    @discardableResult
    public func completeEndOfFile() -> Bool {
        complete([])
    }

    /// Gathers `first` then `second` after the bytes gathered so far. Returns false if the
    /// request was answered meanwhile (interrupted): the driver must not consume them.
    public func append(
        copying first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) -> Bool {
        let offset = core.progress
        precondition(offset + first.count + second.count <= count, "gathered more than the request")
        let buffer = gathered.withLock { gathered in
            if let buffer = gathered.buffer { return buffer }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
            gathered.buffer = buffer
            return buffer
        }
        if let base = first.baseAddress { (buffer + offset).copyMemory(from: base, byteCount: first.count) }
        if let base = second.baseAddress {
            (buffer + offset + first.count).copyMemory(from: base, byteCount: second.count)
        }
        return core.commit(first.count + second.count)
    }

    /// Answers with the bytes gathered. Returns false if already answered.
    @discardableResult
    public func completeAppended() -> Bool {
        guard let progress = core.claim() else { return false }
        sendGathered(progress) { core.responder.send($0, fromInterrupt: false) }
        return true
    }

    public func interruptedAnswer(progress: Int, send: (DeviceAnswer) -> Void) {
        if progress == 0 {
            send(.error(.eintr))
        } else {
            sendGathered(progress, send)
        }
    }

    private func sendGathered(_ bytes: Int, _ send: (DeviceAnswer) -> Void) {
        let buffer = gathered.withLock { $0.buffer }
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        send(.bytes(UnsafeRawBufferPointer(start: buffer, count: buffer == nil ? 0 : bytes), empty))
    }
}
