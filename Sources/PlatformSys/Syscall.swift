// SPDX-License-Identifier: Apache-2.0
import Glibc
// Re-exported: `SyscallError.errno` is an `Errno`, and callers match its named cases.
@_exported public import SystemPackage

/// A failed system call: which call, and the `errno` it set.
///
/// Its description reads like NIO's `IOError`: `"epoll_ctl: Bad file descriptor (errno 9)"`.
public struct SyscallError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The name of the C function that failed, e.g. `"shm_open"`.
    public let call: String
    /// The error number the call reported.
    public let errno: Errno

    /// Creates an error for `call` failing with `errno`.
    public init(call: String, errno: Errno) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call): \(errno) (errno \(errno.rawValue))" }
}

/// The outcome of an operation on a non-blocking descriptor: either it did
/// something, or it would have had to wait (`EAGAIN`/`EWOULDBLOCK`).
public enum IOResult<Value> {
    /// The operation completed with this value.
    case processed(Value)
    /// The descriptor is not ready; nothing happened.
    case wouldBlock
}

extension IOResult: Sendable where Value: Sendable {}
extension IOResult: Equatable where Value: Equatable {}

/// Runs `body`, a libc call returning -1 with `errno` set on failure, and
/// retries it while it fails with `EINTR` (unless `retryOnInterrupt` is false).
///
/// - Returns: the call's non-negative result.
/// - Throws: `SyscallError` naming `name` and carrying `errno`.
@discardableResult
func syscall<T: BinaryInteger>(
    _ name: StaticString, retryOnInterrupt: Bool = true, _ body: () -> T
) throws(SyscallError) -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = Glibc.errno
        if code == EINTR && retryOnInterrupt { continue }
        throw SyscallError(call: "\(name)", errno: Errno(rawValue: code))
    }
}

/// Like `syscall(_:_:)`, but maps `EAGAIN` to `.wouldBlock`.
func nonBlockingSyscall<T: BinaryInteger>(
    _ name: StaticString, _ body: () -> T
) throws(SyscallError) -> IOResult<T> {
    do {
        return .processed(try syscall(name, body))
    } catch  where error.errno == .resourceTemporarilyUnavailable {
        return .wouldBlock
    }
}

/// Calls that return an error number instead of setting `errno`
/// (`posix_spawn`, `pthread_*`).
func checkReturnedErrno(_ name: StaticString, _ code: CInt) throws(SyscallError) {
    if code != 0 { throw SyscallError(call: "\(name)", errno: Errno(rawValue: code)) }
}

/// Converts Swift strings to a NULL-terminated `char *[]` for the duration of `body`.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    // SAFETY: each strdup'd buffer lives until the deferred free, after `body`
    // returns; the array is NULL-terminated as execve(2) requires.
    let pointers: [UnsafeMutablePointer<CChar>?] = unsafe strings.map { unsafe strdup($0) } + [nil]
    defer { for index in unsafe pointers.indices { unsafe free(pointers[index]) } }
    return unsafe pointers.withUnsafeBufferPointer { unsafe body($0.baseAddress!) }
}
