// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// One poller waiting for a device's readiness to change (the glue wraps a
/// `fuse_pollhandle`). Dropping a waker without waking it releases it.
public protocol PollWaker: AnyObject, Sendable {
    /// Tells the poller readiness may have changed (it polls again). Called at most once.
    func wake()
}

/// The pollers of a device, like a kernel `wait_queue_head_t` for `poll`.
///
/// The glue registers a waker per open file before it asks for ``DeviceFileHandle/
/// pollEvents()``; the device calls ``wakeAll()`` whenever readiness may have changed.
/// Each waker fires once; the kernel registers a new one when it polls again.
public final class PollWaitQueue: Sendable {
    private let wakers = Mutex<[UInt64: any PollWaker]>([:])

    public init() {}

    /// Registers `waker` for the open file `key`, replacing (and releasing) its previous one.
    public func register(_ waker: any PollWaker, for key: UInt64) {
        let previous = wakers.withLock { $0.updateValue(waker, forKey: key) }
        _ = previous
    }

    /// Drops the waker of `key` (the open file was released).
    public func unregister(_ key: UInt64) {
        let previous = wakers.withLock { $0.removeValue(forKey: key) }
        _ = previous
    }

    /// Whether anyone waits: a device may skip work when no one does.
    public var hasWaiters: Bool {
        wakers.withLock { !$0.isEmpty }
    }

    /// Wakes every registered poller once and forgets them.
    public func wakeAll() {
        let woken = wakers.withLock { wakers -> [any PollWaker] in
            guard !wakers.isEmpty else { return [] }
            defer { wakers.removeAll(keepingCapacity: true) }
            return Array(wakers.values)
        }
        for waiter in woken { waiter.wake() }
    }
}
