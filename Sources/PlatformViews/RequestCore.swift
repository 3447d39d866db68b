// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// The state every device request shares: it is answered exactly once, by the device
/// (now or later, from any thread) or by the kernel's interrupt, whichever comes first;
/// and the bytes a device has committed to it are counted under the same lock, so an
/// interrupted transfer answers exactly what was moved.
public final class RequestCore: Sendable {
    private enum Phase {
        case active, suspended, answered, cancelled
    }

    private struct State {
        var phase = Phase.active
        var progress = 0
        var onCancel: (@Sendable () -> Void)?
    }

    /// Where the answer goes.
    let responder: any RequestResponder
    private let state = Mutex(State())

    init(responder: any RequestResponder) {
        self.responder = responder
    }

    /// Whether the kernel interrupted the request (it has been answered).
    var isCancelled: Bool {
        state.withLock { $0.phase == .cancelled }
    }

    /// Bytes committed so far.
    var progress: Int {
        state.withLock { $0.progress }
    }

    /// Takes the right to answer: true once, for the first caller, while unanswered.
    /// Returns the committed progress with it.
    func claim() -> Int? {
        state.withLock { state in
            guard state.phase == .active || state.phase == .suspended else { return nil }
            state.phase = .answered
            state.onCancel = nil
            return state.progress
        }
    }

    /// Counts `bytes` more as moved, unless the request was answered meanwhile.
    func commit(_ bytes: Int) -> Bool {
        state.withLock { state in
            guard state.phase == .active || state.phase == .suspended else { return false }
            state.progress += bytes
            return true
        }
    }

    /// Marks the request as kept by the driver.
    func suspend() {
        state.withLock { state in
            if state.phase == .active { state.phase = .suspended }
        }
    }

    /// Runs `handler` when the request is cancelled (at once if it already was).
    func onCancel(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state in
            guard state.phase == .cancelled else {
                state.onCancel = handler
                return false
            }
            return true
        }
        if runNow { handler() }
    }

    /// Cancels the request unless already answered: returns the progress to answer with
    /// and the driver's cancellation handler.
    func cancel() -> (progress: Int, onCancel: (@Sendable () -> Void)?)? {
        state.withLock { state in
            guard state.phase == .active || state.phase == .suspended else { return nil }
            state.phase = .cancelled
            defer { state.onCancel = nil }
            return (state.progress, state.onCancel)
        }
    }

    /// Whether the driver's call returned with the request neither answered nor kept.
    func isAbandoned() -> Bool {
        state.withLock { $0.phase == .active }
    }
}

/// What every device request offers: cancellation and failure.
///
/// A driver answers each request exactly once, with its `complete` method or ``fail(_:)``,
/// either inside the call that handed it over or later from any thread after calling
/// `suspend()`. Answering a request that was already answered, or that the kernel
/// interrupted, does nothing and returns false.
public protocol DeviceRequest: AnyObject, Sendable {
    /// The shared answer-once state.
    var core: RequestCore { get }

    /// The answer when the caller is interrupted after `progress` bytes were committed:
    /// EINTR when none were, else what was moved (as a pipe does).
    func interruptedAnswer(progress: Int, send: (DeviceAnswer) -> Void)
}

extension DeviceRequest {
    /// Whether the caller was interrupted (Ctrl-C): the request is already answered.
    public var isCancelled: Bool { core.isCancelled }

    /// Runs `handler` once if the caller is interrupted while the request waits, so the
    /// driver can drop it from its wait queue. It runs on a FUSE thread; keep it short and
    /// never wait there for another request to be answered.
    public func onCancel(_ handler: @escaping @Sendable () -> Void) {
        core.onCancel(handler)
    }

    /// Answers with an error. Returns false if already answered.
    @discardableResult
    public func fail(_ errno: ViewErrno) -> Bool {
        guard core.claim() != nil else { return false }
        core.responder.send(.error(errno), fromInterrupt: false)
        return true
    }

    /// For the FUSE glue: the kernel interrupted the request. Answers EINTR (or the
    /// partial progress) unless it was answered already. Returns whether this call answered.
    @discardableResult
    public func interrupt() -> Bool {
        guard let (progress, onCancel) = core.cancel() else { return false }
        interruptedAnswer(progress: progress) { core.responder.send($0, fromInterrupt: true) }
        onCancel?()
        return true
    }

    /// For the FUSE glue, after the driver's call returned: answers EIO if the driver
    /// neither answered nor suspended the request (a driver bug). Returns whether it did.
    @discardableResult
    public func answerIfAbandoned() -> Bool {
        guard core.isAbandoned() else { return false }
        return fail(.eio)
    }
}
