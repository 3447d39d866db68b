// SPDX-License-Identifier: Apache-2.0
import CVPlat
import Glibc
import SystemPackage

/// A POSIX signal number with Swift names for the ones vlm uses.
public struct Signal: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: CInt
    public init(rawValue: CInt) { self.rawValue = rawValue }

    /// `SIGINT` (Ctrl-C).
    public static let interrupt = Signal(rawValue: SIGINT)
    /// `SIGTERM`.
    public static let terminate = Signal(rawValue: SIGTERM)
    /// `SIGKILL`.
    public static let kill = Signal(rawValue: SIGKILL)
    /// `SIGCHLD`.
    public static let childExited = Signal(rawValue: SIGCHLD)
    /// `SIGSTOP`: freezes a process (pause a VM).
    public static let stop = Signal(rawValue: SIGSTOP)
    /// `SIGCONT`: resumes a stopped process.
    public static let `continue` = Signal(rawValue: SIGCONT)
    /// `SIGHUP`.
    public static let hangUp = Signal(rawValue: SIGHUP)
    /// `SIGPIPE`.
    public static let brokenPipe = Signal(rawValue: SIGPIPE)
    /// `SIGQUIT` (Ctrl-backslash).
    public static let quit = Signal(rawValue: SIGQUIT)

    public var description: String {
        // SAFETY: strsignal returns a static or thread-local string; copied at once.
        guard let name = unsafe strsignal(rawValue) else { return "signal \(rawValue)" }
        return unsafe "\(String(cString: name)) (signal \(rawValue))"
    }

    /// Blocks `signals` in the calling thread (threads created later inherit the
    /// mask). Call it first thing in `main`, before any thread exists, so that
    /// a `SignalFD` receives them instead of their default action.
    public static func block(_ signals: [Signal]) throws(SyscallError) {
        try mask(0, signals)
    }

    /// Unblocks `signals` in the calling thread.
    public static func unblock(_ signals: [Signal]) throws(SyscallError) {
        try mask(1, signals)
    }

    /// Ignores `signal` process-wide (SIG_IGN), e.g. SIGPIPE so a dead peer gives `EPIPE`.
    public static func ignore(_ signal: Signal) {
        _ = Glibc.signal(signal.rawValue, SIG_IGN)
    }

    /// Restores `signal`'s default action process-wide (SIG_DFL).
    public static func restoreDefault(_ signal: Signal) {
        _ = Glibc.signal(signal.rawValue, SIG_DFL)
    }

    private static func mask(_ how: CInt, _ signals: [Signal]) throws(SyscallError) {
        let numbers = signals.map(\.rawValue)
        // SAFETY: the shim reads `count` ints from the array.
        try syscall("pthread_sigmask") {
            unsafe numbers.withUnsafeBufferPointer { unsafe CVPlat_sigmask(how, $0.baseAddress, CInt($0.count)) }
        }
    }

    /// Sends `signal` to the calling thread. The corresponding C function is `raise`.
    public static func raise(_ signal: Signal) throws(SyscallError) {
        try syscall("raise") { Glibc.raise(signal.rawValue) }
    }

    /// Sends `signal` to process (or, negative, process group) `pid`. The corresponding C function is `kill`.
    public static func send(_ signal: Signal, to pid: Int32) throws(SyscallError) {
        try syscall("kill") { Glibc.kill(pid, signal.rawValue) }
    }
}

/// A signalfd: blocked signals become readable records, so the supervisor's
/// epoll loop handles SIGINT/SIGTERM/SIGCHLD like any other event.
public final class SignalFD: Sendable {
    /// The owned descriptor (non-blocking).
    public let descriptor: OwnedFD

    /// Blocks `signals` in the calling thread and opens a signalfd for them.
    /// The corresponding C function is `signalfd`.
    public init(_ signals: [Signal]) throws(SyscallError) {
        try Signal.block(signals)
        let numbers = signals.map(\.rawValue)
        // SAFETY: the shim reads `count` ints from the array.
        descriptor = OwnedFD(
            adopting: try syscall("signalfd") {
                unsafe numbers.withUnsafeBufferPointer { unsafe CVPlat_signalfd($0.baseAddress, CInt($0.count), 1) }
            })
    }

    /// The descriptor number, for epoll registration.
    public var rawValue: CInt { descriptor.rawValue }

    /// Reads every pending signal: `(signal, sender pid)` pairs, empty when none.
    public func drain() throws(SyscallError) -> [(signal: Signal, sender: Int32)] {
        var result: [(Signal, Int32)] = []
        while true {
            var number: CInt = 0
            var sender: CInt = 0
            // SAFETY: the shim writes the two locals.
            let got = try syscall("read") { unsafe CVPlat_signalfd_read(descriptor.rawValue, &number, &sender) }
            if got == 0 { return result }
            result.append((Signal(rawValue: number), sender))
        }
    }
}
