// SPDX-License-Identifier: Apache-2.0
import CFuse3
import PlatformViews
import Synchronization

/// Sends the answer of one device request to the kernel, whenever and from whichever
/// thread the driver gives it, and turns the kernel's interrupt into EINTR.
///
/// Lifetime: while the request waits, libfuse holds a +1 reference to this object as
/// the interrupt function's data. Whoever answers drops it, exactly once:
/// - the driver (``send(_:fromInterrupt:)`` with false) first unregisters the interrupt
///   function, which waits for a running interrupt call to end, then replies;
/// - the interrupt (``LowLevelOps`` calling ``interrupt()``) replies from inside the
///   interrupt function; libfuse then never calls it again.
/// The request classes let only one of the two answer.
final class FUSEReplier: RequestResponder {
    private let request: FUSERequest
    private let server: ViewServer
    /// The request answered through this replier, while it is unanswered.
    private let target = Mutex<(any DeviceRequest)?>(nil)

    init(_ request: FUSERequest, server: ViewServer) {
        self.request = request
        self.server = server
    }

    /// Ties `deviceRequest` to this replier and registers the interrupt function. Call
    /// before handing the request to its driver.
    func watch(_ deviceRequest: any DeviceRequest) {
        target.withLock { $0 = deviceRequest }
        // SAFETY: the +1 reference is dropped in `finish()`, after the function is
        // unregistered or has run for the last time (see the type's comment).
        let data = unsafe Unmanaged.passRetained(self).toOpaque()
        unsafe request.setInterruptHandler(LowLevelOps.interruptCallback, unsafe data)
    }

    /// The kernel interrupted the caller: answer EINTR unless already answered.
    func interrupt() {
        target.withLock { $0 }?.interrupt()
    }

    func send(_ answer: DeviceAnswer, fromInterrupt: Bool) {
        // SAFETY: the request is live until the reply below; the gate keeps the reply away from a destroyed session.
        let sent = server.gate.pass {
            if !fromInterrupt { unsafe request.setInterruptHandler(nil, nil) }
            switch answer {
            case .bytes(let first, let second): unsafe request.replyBytes(first, second)
            case .count(let count): request.replyWritten(count)
            case .error(let errno): request.reply(errno)
            case .opened(let handle): replyOpened(handle)
            }
        }
        // After unmount nobody waits for the answer: an opened handle is released at once.
        if !sent, case .opened(let handle) = answer { handle.release() }
        finish()
    }

    private func replyOpened(_ handle: any DeviceFileHandle) {
        let number = server.openFiles.insert(.device(handle))
        // Device files: every read and write reaches the driver, offsets mean nothing,
        // and StreamOpenIO adds FOPEN_STREAM (behaviour-reference §2.2).
        if !request.replyOpen(handle: number, directIO: true, nonSeekable: true) {
            // The opener is gone (killed): no RELEASE will come for this handle.
            _ = server.openFiles.remove(number)
            handle.release()
        }
    }

    /// Drops the tie to the request and the reference libfuse held.
    private func finish() {
        let watched = target.withLock { target in
            defer { target = nil }
            return target != nil
        }
        // SAFETY: balances the passRetained in `watch`, once: `target` is set only there
        // and cleared here under the lock.
        if watched { unsafe Unmanaged.passUnretained(self).release() }
    }
}

/// A poller waiting on a device file (a `fuse_pollhandle`): woken once, or destroyed.
final class PollHandleWaker: PollWaker {
    // A fuse_pollhandle may be used from any thread; the mutex makes its one use unique.
    @safe private struct Handle: @unchecked Sendable {
        var pointer: OpaquePointer?
    }

    private let handle: Mutex<Handle>
    private let gate: ReplyGate

    init(_ handle: OpaquePointer, gate: ReplyGate) {
        // SAFETY: the poll handle libfuse gave this request is ours until woken or destroyed.
        self.handle = unsafe Mutex(Handle(pointer: handle))
        self.gate = gate
    }

    deinit {
        // SAFETY: the handle is ours until woken or destroyed; take() makes that once.
        if let handle = unsafe take() { unsafe fuse_pollhandle_destroy(handle) }
    }

    func wake() {
        // SAFETY: take() hands the handle out once, so it is notified and destroyed once.
        guard let handle = unsafe take() else { return }
        // SAFETY: as in deinit; notify then destroy, as fuse_lowlevel.h asks; the gate
        // keeps the notification away from a destroyed session.
        gate.pass { _ = unsafe fuse_lowlevel_notify_poll(handle) }
        unsafe fuse_pollhandle_destroy(handle)
    }

    private func take() -> OpaquePointer? {
        // SAFETY: the mutex makes taking the handle happen once; the pointer is only copied here.
        unsafe handle.withLock { handle in
            defer { unsafe handle.pointer = nil }
            return unsafe handle.pointer
        }
    }
}
