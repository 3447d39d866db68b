// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// Holds the device requests of a mount while the VM serving them is paused.
///
/// A paused VM's kernel runs nothing, so its devices move nothing: an open, read or
/// write of one of its device files waits until the VM plays again, then reaches the
/// driver as if it had just arrived. The wait is interruptible (a signal answers
/// EINTR, as any blocked device request), a non-blocking request answers EAGAIN at
/// once, and `poll` sees no readiness until the VM plays. Seq and control files are
/// not held: the views keep answering while the VM is paused.
///
/// ```swift
/// let gate = DeviceGate(isClosed: { repository.runState(id) == .paused },
///                       whenOpen: { nkddi.dispatcher.whenPlaying($0) })
/// ```
public final class DeviceGate: Sendable {
    private struct State {
        var nextID: UInt64 = 0
        var parked: [UInt64: @Sendable () -> Void] = [:]
        var pollers: [ObjectIdentifier: PollWaitQueue] = [:]
        var releaseArranged = false
    }

    private let isClosed: @Sendable () -> Bool
    private let whenOpen: @Sendable (@escaping @Sendable () -> Void) -> Void
    private let state = Mutex(State())

    /// A gate closed while `isClosed` says so. `whenOpen` must call the closure it is
    /// given once `isClosed` is false (at once if it already is).
    public init(
        isClosed: @escaping @Sendable () -> Bool,
        whenOpen: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void
    ) {
        self.isClosed = isClosed
        self.whenOpen = whenOpen
    }

    /// For the FUSE glue: runs `serve` (the driver's call) now when the gate is open.
    /// When it is closed, a non-blocking request fails with EAGAIN; any other is kept
    /// (`park` suspends it, so the caller blocks) and served once the gate opens,
    /// unless the caller is interrupted first (EINTR).
    public func pass(
        _ request: some DeviceRequest, nonBlocking: Bool, park: () -> Void, serve: @escaping @Sendable () -> Void
    ) {
        guard isClosed() else { return serve() }
        if nonBlocking {
            request.fail(.eagain)
            return
        }
        park()
        let (id, arrange) = state.withLock { state in
            state.nextID += 1
            state.parked[state.nextID] = serve
            defer { state.releaseArranged = true }
            return (state.nextID, !state.releaseArranged)
        }
        request.onCancel { [self] in state.withLock { _ = $0.parked.removeValue(forKey: id) } }
        if arrange { whenOpen { [self] in release() } }
    }

    /// For the FUSE glue: the readiness to report to `poll`. Nothing is ready while
    /// the gate is closed; `queue` is woken when it opens.
    public func pollEvents(_ queue: PollWaitQueue, _ events: () -> PollEvents) -> PollEvents {
        guard isClosed() else { return events() }
        let arrange = state.withLock { state in
            state.pollers[ObjectIdentifier(queue)] = queue
            defer { state.releaseArranged = true }
            return !state.releaseArranged
        }
        if arrange { whenOpen { [self] in release() } }
        return []
    }

    /// Serves the kept requests and wakes the pollers, if the gate is open now
    /// (else waits for the next opening).
    public func release() {
        guard !isClosed() else {
            whenOpen { [self] in release() }
            return
        }
        let (parked, pollers) = state.withLock { state in
            defer {
                state.parked.removeAll()
                state.pollers.removeAll()
                state.releaseArranged = false
            }
            return (state.parked.sorted { $0.key < $1.key }.map(\.value), Array(state.pollers.values))
        }
        for serve in parked { serve() }
        for queue in pollers { queue.wakeAll() }
    }
}
