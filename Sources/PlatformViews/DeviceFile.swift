// SPDX-License-Identifier: Apache-2.0

/// A device node in a VM's `dev/` (`vpipe0`, `vbpipe1`, `vlx-console`).
///
/// The node is a regular file served with `direct_io`, `nonseekable` and stream mode:
/// every `read(2)` and `write(2)` reaches the ``DeviceFileHandle`` with the caller's
/// current flags, offsets mean nothing, and a blocked read does not block a write on the
/// same open file. The driver answers each request now or later (see ``DeviceRequest``).
public final class DeviceFile: Sendable {
    /// The node's permission bits.
    public let permissions: ViewPermissions
    /// Opens the device.
    public let driver: any DeviceFileDriver

    /// A device node served by `driver`.
    public init(permissions: ViewPermissions = .device, driver: any DeviceFileDriver) {
        self.permissions = permissions
        self.driver = driver
    }
}

/// What a device file does when it is opened.
public protocol DeviceFileDriver: AnyObject, Sendable {
    /// Opens the device for `request.flags`. Answer with `request.complete(with:)` or
    /// `request.fail(_:)` now, or call `request.suspend()` and answer later from any
    /// thread (vbpipe: open blocks until the other side opens). Refuse a forbidden
    /// access mode with EACCES (vpipe: the client side only writes).
    func open(_ request: DeviceOpenRequest)
}

/// One open file of a device: every request on it, until its last close.
///
/// Methods are called from the FUSE threads, possibly several at once; a handle guards
/// its own state.
public protocol DeviceFileHandle: AnyObject, Sendable {
    /// A `read(2)`: answer now, fail (EAGAIN when `request.isNonBlocking` and nothing is
    /// there), or `suspend()` and complete when data arrives. An empty answer is EOF.
    func read(_ request: DeviceReadRequest)

    /// A `write(2)`: take what fits, then complete, fail (EAGAIN, EPIPE) or `suspend()`
    /// and take the rest when room appears.
    func write(_ request: DeviceWriteRequest)

    /// The readiness `poll(2)` sees now. Called after the poller is registered on
    /// ``pollQueue``, so a change right after this call still wakes it.
    func pollEvents() -> PollEvents

    /// Where pollers wait; call `wakeAll()` on it whenever ``pollEvents()`` may have
    /// changed. Handles of one device may share a queue.
    var pollQueue: PollWaitQueue { get }

    /// The last close of this open file (no request of it is in flight any more).
    func release()
}
