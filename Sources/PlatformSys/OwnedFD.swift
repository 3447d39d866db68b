// SPDX-License-Identifier: Apache-2.0
import CVPlat
import Glibc
import SystemPackage

/// A file descriptor this value owns: it is closed exactly once, when the
/// value is consumed by `close()`/`release()` or goes out of scope.
///
/// The raw number may be lent to APIs that take a descriptor (epoll, spawn,
/// SCM_RIGHTS); the owner must outlive that use.
public struct OwnedFD: ~Copyable, Sendable {
    /// The descriptor number. Valid while this value lives.
    public let rawValue: CInt

    /// Takes ownership of `rawValue`, which must be an open descriptor no one else closes.
    public init(adopting rawValue: CInt) {
        precondition(rawValue >= 0, "OwnedFD needs an open descriptor, got \(rawValue)")
        self.rawValue = rawValue
    }

    deinit { OwnedFD.closeIgnoringInterrupt(rawValue) }

    /// Gives up ownership and returns the number; the caller must close it.
    public consuming func release() -> CInt {
        let value = rawValue
        discard self
        return value
    }

    /// Closes now. `close` is never retried: on Linux the descriptor is gone even
    /// when it reports `EINTR` (https://lwn.net/Articles/576478/).
    public consuming func close() {
        OwnedFD.closeIgnoringInterrupt(release())
    }

    static func closeIgnoringInterrupt(_ fd: CInt) {
        if Glibc.close(fd) != 0 {
            let code = Glibc.errno
            precondition(code != EBADF, "close(\(fd)): descriptor was not open (double close?)")
        }
    }

    /// A second descriptor for the same open file, close-on-exec. The corresponding C function is `fcntl(F_DUPFD_CLOEXEC)`.
    public func duplicate() throws(SyscallError) -> OwnedFD {
        OwnedFD(adopting: try syscall("fcntl") { fcntl(rawValue, F_DUPFD_CLOEXEC, 0) })
    }

    /// A close-on-exec duplicate of a descriptor this value does not own
    /// (e.g. fd 1 or an inherited fd 3). The corresponding C function is `fcntl(F_DUPFD_CLOEXEC)`.
    public static func duplicate(of raw: CInt) throws(SyscallError) -> OwnedFD {
        OwnedFD(adopting: try syscall("fcntl") { fcntl(raw, F_DUPFD_CLOEXEC, 0) })
    }

    /// Switches `O_NONBLOCK` on or off.
    public func setNonBlocking(_ on: Bool) throws(SyscallError) {
        let flags = try syscall("fcntl") { fcntl(rawValue, F_GETFL) }
        let updated = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        try syscall("fcntl") { fcntl(rawValue, F_SETFL, updated) }
    }

    /// Reads up to `count` bytes (blocking unless the fd is non-blocking).
    /// An empty array means end of file.
    public func read(upTo count: Int) throws(SyscallError) -> IOResult<[UInt8]> {
        var buffer = [UInt8](repeating: 0, count: count)
        // SAFETY: the buffer holds `count` bytes and read(2) writes at most that many.
        let result = try nonBlockingSyscall("read") {
            unsafe buffer.withUnsafeMutableBytes { unsafe Glibc.read(rawValue, $0.baseAddress, count) }
        }
        guard case .processed(let n) = result else { return .wouldBlock }
        buffer.removeSubrange(n...)
        return .processed(buffer)
    }

    /// Writes all of `bytes`, looping over short writes (blocking descriptors).
    public func writeAll(_ bytes: [UInt8]) throws(SyscallError) {
        var offset = 0
        while offset < bytes.count {
            // SAFETY: the pointer and length stay within `bytes`.
            offset += try syscall("write") {
                unsafe bytes.withUnsafeBytes {
                    unsafe Glibc.write(rawValue, $0.baseAddress! + offset, bytes.count - offset)
                }
            }
        }
    }

    /// Whether this descriptor is a terminal. The corresponding C function is `isatty`.
    public var isTerminal: Bool { isatty(rawValue) == 1 }
}

/// A descriptor owned by a reference: for descriptors stored in tables or
/// shared between objects. Closed when the last reference goes.
public final class SharedFD: Sendable {
    /// The owned descriptor.
    public let descriptor: OwnedFD

    /// Takes ownership of `descriptor`.
    public init(adopting descriptor: consuming OwnedFD) {
        self.descriptor = descriptor
    }

    /// The descriptor number.
    public var rawValue: CInt { descriptor.rawValue }

    /// See `OwnedFD.read(upTo:)`.
    public func read(upTo count: Int) throws(SyscallError) -> IOResult<[UInt8]> { try descriptor.read(upTo: count) }

    /// See `OwnedFD.writeAll(_:)`.
    public func writeAll(_ bytes: [UInt8]) throws(SyscallError) { try descriptor.writeAll(bytes) }

    /// Whether this descriptor is a terminal.
    public var isTerminal: Bool { descriptor.isTerminal }
}

/// A unidirectional pipe, both ends close-on-exec. The corresponding C function is `pipe2`.
public struct Pipe: Sendable {
    /// The end to read from.
    public let readEnd: SharedFD
    /// The end to write to.
    public let writeEnd: SharedFD

    /// Creates a pipe; `nonBlockingRead` sets `O_NONBLOCK` on the read end.
    public init(nonBlockingRead: Bool = false) throws(SyscallError) {
        var fds: [CInt] = [-1, -1]
        // SAFETY: pipe2 writes exactly two ints into the two-element buffer.
        try syscall("pipe2") {
            unsafe fds.withUnsafeMutableBufferPointer { unsafe CVPlat_pipe_cloexec($0.baseAddress!) }
        }
        readEnd = SharedFD(adopting: OwnedFD(adopting: fds[0]))
        writeEnd = SharedFD(adopting: OwnedFD(adopting: fds[1]))
        if nonBlockingRead { try readEnd.descriptor.setNonBlocking(true) }
    }
}
