// SPDX-License-Identifier: Apache-2.0
import CVPlat
import Glibc
import SystemPackage

/// Descriptors received with a message. Take the ones you keep with
/// `take(_:)`; the rest are closed when this object goes away.
public final class ReceivedDescriptors: @unchecked Sendable {
    private var descriptors: [CInt?]

    init(_ raw: [CInt]) { descriptors = raw }

    deinit {
        for fd in descriptors.compactMap({ $0 }) { OwnedFD.closeIgnoringInterrupt(fd) }
    }

    /// How many descriptors arrived (taken ones included).
    public var count: Int { descriptors.count }

    /// Takes ownership of descriptor `index`; nil if out of range or already taken.
    public func take(_ index: Int) -> OwnedFD? {
        guard descriptors.indices.contains(index), let fd = descriptors[index] else { return nil }
        descriptors[index] = nil
        return OwnedFD(adopting: fd)
    }
}

/// One message read from a `ControlSocket`.
public struct ControlMessage: Sendable {
    /// The payload.
    public let bytes: [UInt8]
    /// The descriptors attached with SCM_RIGHTS.
    public let descriptors: ReceivedDescriptors
}

/// A connected `SOCK_SEQPACKET` Unix socket: reliable, ordered messages with
/// boundaries, each able to carry descriptors (SCM_RIGHTS). The supervisor and
/// each guest talk over one such pair; `vlm status` and friends over a
/// connection to `DIR/vlm.sock`.
public final class ControlSocket: Sendable {
    /// Largest message `receive` accepts; longer ones are reported truncated.
    public static let maximumMessageSize = 256 * 1024

    /// The owned descriptor.
    public let descriptor: OwnedFD

    /// Wraps a connected SEQPACKET socket (e.g. fd 3 inherited by a guest).
    public init(adopting descriptor: consuming OwnedFD) {
        self.descriptor = descriptor
    }

    /// The descriptor number, for epoll registration or spawning.
    public var rawValue: CInt { descriptor.rawValue }

    /// A connected pair, both ends close-on-exec. The corresponding C function is `socketpair`.
    public static func pair() throws(SyscallError) -> (ControlSocket, ControlSocket) {
        var fds: [CInt] = [-1, -1]
        // SAFETY: socketpair writes exactly two ints into the two-element buffer.
        try syscall("socketpair") {
            unsafe fds.withUnsafeMutableBufferPointer {
                unsafe socketpair(
                    AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, $0.baseAddress!)
            }
        }
        return (ControlSocket(adopting: OwnedFD(adopting: fds[0])), ControlSocket(adopting: OwnedFD(adopting: fds[1])))
    }

    /// Sends one non-empty message with `descriptors` attached (borrowed: the
    /// caller still owns and may close them after the call). Blocking.
    /// `EPIPE` means the peer is gone. The corresponding C function is `sendmsg`.
    public func send(_ bytes: [UInt8], descriptors: [CInt] = []) throws(SyscallError) {
        precondition(!bytes.isEmpty, "an empty SEQPACKET message reads as end of stream")
        // SAFETY: the buffers stay valid for the call; the shim copies the fd numbers.
        try syscall("sendmsg") {
            unsafe bytes.withUnsafeBytes { b in
                unsafe descriptors.withUnsafeBufferPointer { d in
                    unsafe CVPlat_send_with_fds(rawValue, b.baseAddress, b.count, d.baseAddress, CInt(d.count), 0)
                }
            }
        }
    }

    /// Receives one message; `nil` when the peer closed its end. With
    /// `nonBlocking`, `.wouldBlock` when no message is queued.
    /// Truncated messages (too long, too many fds) throw `EMSGSIZE`.
    /// The corresponding C function is `recvmsg`.
    public func receive(nonBlocking: Bool = false) throws(SyscallError) -> IOResult<ControlMessage?> {
        var buffer = [UInt8](repeating: 0, count: Self.maximumMessageSize)
        var fds = [CInt](repeating: -1, count: Int(CVPlat_MAX_FDS))
        var count: CInt = 0
        var truncated: CInt = 0
        // SAFETY: the shim writes at most buffer.count bytes and CVPlat_MAX_FDS fds.
        let result = try nonBlockingSyscall("recvmsg") {
            unsafe buffer.withUnsafeMutableBytes { b in
                unsafe fds.withUnsafeMutableBufferPointer { f in
                    unsafe CVPlat_recv_with_fds(
                        rawValue, b.baseAddress, b.count, f.baseAddress, CInt(f.count), &count, &truncated,
                        nonBlocking ? 1 : 0)
                }
            }
        }
        guard case .processed(let n) = result else { return .wouldBlock }
        let received = ReceivedDescriptors(Array(fds.prefix(Int(count))))
        if truncated != 0 { throw SyscallError(call: "recvmsg", errno: .messageTooLong) }
        if n == 0 && count == 0 { return .processed(nil) }
        buffer.removeSubrange(n...)
        return .processed(ControlMessage(bytes: buffer, descriptors: received))
    }

    /// Blocking `receive()`: the message, or nil at end of stream.
    public func receiveBlocking() throws(SyscallError) -> ControlMessage? {
        guard case .processed(let message) = try receive(nonBlocking: false) else {
            preconditionFailure("blocking recvmsg reported EAGAIN")
        }
        return message
    }

    /// Connects to the listening socket at `path` (`DIR/vlm.sock`). The corresponding C function is `connect`.
    public static func connect(path: String) throws(SyscallError) -> ControlSocket {
        let fd = OwnedFD(
            adopting: try syscall("socket") {
                socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            })
        var address = try UnixAddress(path)
        // SAFETY: withSockaddr lends a sockaddr_un of the length it passes, for the call only.
        try syscall("connect") { unsafe address.withSockaddr { unsafe Glibc.connect(fd.rawValue, $0, $1) } }
        return ControlSocket(adopting: fd)
    }
}

/// A `sockaddr_un` for a file-system path.
struct UnixAddress {
    var storage = sockaddr_un()

    init(_ path: String) throws(SyscallError) {
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: storage.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {
            throw SyscallError(call: "bind", errno: .fileNameTooLong)
        }
        storage.sun_family = sa_family_t(AF_UNIX)
        // SAFETY: bytes.count < capacity, so the copy and its NUL terminator fit in sun_path.
        unsafe withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            unsafe raw.copyBytes(from: bytes)
            unsafe raw[bytes.count] = 0
        }
    }

    mutating func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        // SAFETY: sockaddr_un is layout-compatible with sockaddr's prefix, as the socket API requires.
        unsafe withUnsafePointer(to: &storage) {
            unsafe $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                unsafe body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }
}

/// A listening `SOCK_SEQPACKET` socket bound to a path (`DIR/vlm.sock`).
/// The path is unlinked when this object goes away.
public final class UnixListener: Sendable {
    /// The owned descriptor.
    public let descriptor: OwnedFD
    /// The bound path.
    public let path: String

    /// Binds and listens at `path`, replacing a stale socket file left by a dead run.
    public init(path: String, backlog: CInt = 16) throws(SyscallError) {
        let fd = OwnedFD(
            adopting: try syscall("socket") {
                socket(
                    AF_UNIX,
                    Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            })
        var address = try UnixAddress(path)
        try FileSystem.removeIfPresent(path)
        // SAFETY: withSockaddr lends a sockaddr_un of the length it passes, for the call only.
        try syscall("bind") { unsafe address.withSockaddr { unsafe bind(fd.rawValue, $0, $1) } }
        try syscall("listen") { listen(fd.rawValue, backlog) }
        descriptor = fd
        self.path = path
    }

    // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
    deinit { _ = unsafe unlink(path) }

    /// The descriptor number, for epoll registration.
    public var rawValue: CInt { descriptor.rawValue }

    /// Accepts one pending connection (the listener is non-blocking). The corresponding C function is `accept4`.
    public func accept() throws(SyscallError) -> IOResult<ControlSocket> {
        let result = try nonBlockingSyscall("accept4") {
            CVPlat_accept_cloexec(descriptor.rawValue)
        }
        guard case .processed(let fd) = result else { return .wouldBlock }
        return .processed(ControlSocket(adopting: OwnedFD(adopting: fd)))
    }
}
