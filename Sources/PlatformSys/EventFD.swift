// SPDX-License-Identifier: Apache-2.0
import CVPlat
import Glibc
import SystemPackage

/// A Linux eventfd: a 64-bit counter that `signal` adds to and `wait`/`drain`
/// read and reset. vlm delivers cross interrupts (xirqs) through one per VM.
///
/// Shared by reference (the supervisor passes it to guests over SCM_RIGHTS,
/// a dispatcher thread waits on it); the descriptor closes with the last reference.
public final class EventFD: Sendable {
    /// The owned descriptor.
    public let descriptor: OwnedFD

    /// Creates a new eventfd with counter 0, close-on-exec. The corresponding C function is `eventfd`.
    /// - Parameter nonBlocking: `wait()` returns `.wouldBlock` instead of sleeping.
    public init(nonBlocking: Bool = false) throws(SyscallError) {
        let flags = CVPlat_EFD_CLOEXEC | (nonBlocking ? CVPlat_EFD_NONBLOCK : 0)
        descriptor = OwnedFD(adopting: try syscall("eventfd") { CVPlat_eventfd(0, flags) })
    }

    /// Wraps a descriptor known to be an eventfd (e.g. received over a control socket).
    public init(adopting descriptor: consuming OwnedFD) {
        self.descriptor = descriptor
    }

    /// The descriptor number, for epoll registration or SCM_RIGHTS.
    public var rawValue: CInt { descriptor.rawValue }

    /// Adds `count` to the counter, waking a waiter. The corresponding C function is `write`.
    public func signal(_ count: UInt64 = 1) throws(SyscallError) {
        var value = count
        // SAFETY: writes exactly the 8 bytes of `value`, as eventfd(2) requires.
        _ = try syscall("write") { unsafe Glibc.write(descriptor.rawValue, &value, 8) }
    }

    /// Reads and resets the counter; sleeps while it is 0 unless non-blocking.
    /// The corresponding C function is `read`.
    public func wait() throws(SyscallError) -> IOResult<UInt64> {
        var value: UInt64 = 0
        // SAFETY: reads exactly the 8 bytes of `value`, as eventfd(2) requires.
        let result = try nonBlockingSyscall("read") { unsafe Glibc.read(descriptor.rawValue, &value, 8) }
        guard case .processed = result else { return .wouldBlock }
        return .processed(value)
    }

    /// Reads and resets the counter without ever sleeping (`poll` first), returning 0 when it was 0.
    public func drain() throws(SyscallError) -> UInt64 {
        var pfd = pollfd(fd: descriptor.rawValue, events: Int16(POLLIN), revents: 0)
        // SAFETY: one pollfd, timeout 0.
        let ready = try syscall("poll") { unsafe poll(&pfd, 1, 0) }
        guard ready > 0, case .processed(let value) = try wait() else { return 0 }
        return value
    }
}
