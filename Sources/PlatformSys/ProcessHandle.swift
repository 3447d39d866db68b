// SPDX-License-Identifier: Apache-2.0
import CVPlat
import Glibc
import SystemPackage

/// A pidfd of any process, child or not (``ChildProcess`` is the parent's
/// side of a spawned child): it names that process and no other even after
/// its pid is reused, it can be signalled, and it becomes readable once the
/// process has ended. The run directory's reaper holds one of the supervisor
/// and one of each guest.
public final class ProcessHandle: Sendable {
    /// The process id when the handle was made.
    public let pid: Int32
    /// The pidfd.
    public let descriptor: OwnedFD

    /// Adopts a pidfd (e.g. one inherited at spawn or received with SCM_RIGHTS).
    public init(adopting descriptor: consuming OwnedFD, pid: Int32) {
        self.descriptor = descriptor
        self.pid = pid
    }

    /// A pidfd of process `pid` (this process too). The corresponding C function is `pidfd_open`.
    public static func open(_ pid: Int32) throws(SyscallError) -> ProcessHandle {
        let fd = try syscall("pidfd_open") { CVPlat_pidfd_open(pid) }
        return ProcessHandle(adopting: OwnedFD(adopting: fd), pid: pid)
    }

    /// The descriptor number, for epoll registration or spawning.
    public var rawValue: CInt { descriptor.rawValue }

    /// Whether the process has ended (it may still be a zombie waiting for its parent).
    public var hasExited: Bool { waitForExit(timeout: .zero) }

    /// Waits up to `timeout` for the process to end; whether it did.
    /// The corresponding C function is `poll` on the pidfd.
    public func waitForExit(timeout: Duration) -> Bool {
        var pfd = pollfd(fd: descriptor.rawValue, events: Int16(POLLIN), revents: 0)
        // SAFETY: one pollfd on the stack; EINTR counts as "not yet" (the caller's deadline decides).
        let ready = unsafe poll(&pfd, 1, Epoll<UInt64>.milliseconds(timeout))
        return ready > 0 && pfd.revents & Int16(POLLIN) != 0
    }

    /// Sends `signal`; a process that already ended is not an error.
    /// The corresponding C function is `pidfd_send_signal`.
    public func send(_ signal: Signal) throws(SyscallError) {
        do {
            try syscall("pidfd_send_signal") { CVPlat_pidfd_send_signal(descriptor.rawValue, signal.rawValue) }
        } catch  where error.errno == .noSuchProcess {
        }
    }
}
