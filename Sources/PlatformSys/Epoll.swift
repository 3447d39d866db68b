// SPDX-License-Identifier: Apache-2.0
import CVPlat
import Glibc

/// What a registered descriptor is waited for.
public struct EpollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Readable (`EPOLLIN`).
    public static let readable = EpollEvents(rawValue: CVPlat_EPOLLIN)
    /// Writable (`EPOLLOUT`).
    public static let writable = EpollEvents(rawValue: CVPlat_EPOLLOUT)
    /// Error condition (`EPOLLERR`, always reported).
    public static let error = EpollEvents(rawValue: CVPlat_EPOLLERR)
    /// Hang-up (`EPOLLHUP`, always reported).
    public static let hangUp = EpollEvents(rawValue: CVPlat_EPOLLHUP)
}

/// A token identifying a registration: a small value type converted to and
/// from the 64-bit `epoll_data` (crosvm's `EventToken`).
public protocol EpollToken: Hashable, Sendable {
    /// The 64-bit value stored in the kernel.
    var epollData: UInt64 { get }
    /// Rebuilds the token; nil for a value this type never produced.
    init?(epollData: UInt64)
}

/// An epoll instance whose registrations carry typed tokens.
///
/// The event loop of the supervisor and of each guest: `wait` returns the
/// tokens that became ready. Not thread-safe for concurrent `wait`s.
public final class Epoll<Token: EpollToken>: Sendable {
    private let descriptor: OwnedFD

    /// Creates an epoll instance, close-on-exec. The corresponding C function is `epoll_create1`.
    public init() throws(SyscallError) {
        descriptor = OwnedFD(adopting: try syscall("epoll_create1") { CVPlat_epoll_create() })
    }

    /// Starts watching `fd` for `events`, reporting `token`.
    public func add(_ fd: CInt, events: EpollEvents = .readable, token: Token) throws(SyscallError) {
        try control(CVPlat_EPOLL_CTL_ADD, fd, events, token)
    }

    /// Stops watching `fd`. Closing a descriptor also removes it.
    public func remove(_ fd: CInt) throws(SyscallError) {
        try syscall("epoll_ctl") { CVPlat_epoll_ctl(descriptor.rawValue, CVPlat_EPOLL_CTL_DEL, fd, 0, 0) }
    }

    private func control(_ op: CInt, _ fd: CInt, _ events: EpollEvents, _ token: Token) throws(SyscallError) {
        try syscall("epoll_ctl") { CVPlat_epoll_ctl(descriptor.rawValue, op, fd, events.rawValue, token.epollData) }
    }

    /// Waits until at least one registration is ready or `timeout` passes
    /// (`nil`: forever). Returns the ready tokens with their events, at most
    /// `maxEvents` (≤ 64); an empty array on timeout. `EINTR` is retried with the same timeout.
    public func wait(timeout: Duration? = nil, maxEvents: Int = 64) throws(SyscallError) -> [(
        token: Token, events: EpollEvents
    )] {
        let max = Swift.min(Swift.max(maxEvents, 1), 64)
        var tokens = [UInt64](repeating: 0, count: max)
        var events = [UInt32](repeating: 0, count: max)
        let ms = timeout.map { Epoll.milliseconds($0) } ?? -1
        // SAFETY: both buffers hold `max` entries, the most the shim writes.
        let n = try syscall("epoll_wait") {
            unsafe tokens.withUnsafeMutableBufferPointer { t in
                unsafe events.withUnsafeMutableBufferPointer { e in
                    unsafe CVPlat_epoll_wait(descriptor.rawValue, t.baseAddress!, e.baseAddress!, CInt(max), ms)
                }
            }
        }
        return (0..<Int(n)).compactMap { i in
            Token(epollData: tokens[i]).map { ($0, EpollEvents(rawValue: events[i])) }
        }
    }

    static func milliseconds(_ d: Duration) -> CInt {
        let (seconds, attoseconds) = d.components
        if seconds < 0 { return 0 }
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return CInt(clamping: ms)
    }
}

extension UInt64: EpollToken {
    public var epollData: UInt64 { self }
    public init?(epollData: UInt64) { self = epollData }
}
