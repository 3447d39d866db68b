// SPDX-License-Identifier: Apache-2.0

/// An `open(2)` of a device file, answered with a ``DeviceFileHandle`` or an errno.
public final class DeviceOpenRequest: DeviceRequest {
    public let core: RequestCore
    /// The caller's open flags: access mode and `O_NONBLOCK`.
    public let flags: OpenFlags

    /// A request answered through `responder` (the glue, or a ``ReplyRecorder``).
    public init(flags: OpenFlags, responder: any RequestResponder) {
        self.core = RequestCore(responder: responder)
        self.flags = flags
    }

    /// Whether `O_NONBLOCK` was given: an open that would wait answers EAGAIN.
    public var isNonBlocking: Bool { flags.isNonBlocking }

    /// Keeps the request to answer it later (the open blocks until then).
    @discardableResult
    public func suspend() -> DeviceOpenRequest {
        core.suspend()
        return self
    }

    /// Answers with the new open file. Returns false if already answered; the driver
    /// then still owns `handle` and must undo what opening it counted.
    @discardableResult
    public func complete(with handle: any DeviceFileHandle) -> Bool {
        guard core.claim() != nil else { return false }
        core.responder.send(.opened(handle), fromInterrupt: false)
        return true
    }

    public func interruptedAnswer(progress: Int, send: (DeviceAnswer) -> Void) {
        send(.error(.eintr))
    }
}
