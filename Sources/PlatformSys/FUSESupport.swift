// SPDX-License-Identifier: Apache-2.0
// The few plain syscalls the FUSE glue (PlatformFUSE) needs: a thread to run the session
// loop on, the device read/write of its custom I/O, directories and unmounting.
import CVPlat
import Glibc
import Synchronization

/// Syscalls for `PlatformFUSE`, which may call libfuse but not libc.
public enum FUSESupport {
    /// A joinable thread.
    public struct Thread: Sendable {
        // pthread_t is an integer on Linux/glibc.
        fileprivate let id: pthread_t

        /// Waits for the thread to end. The corresponding C function is `pthread_join(3)`.
        public func join() {
            _ = pthread_join(id, nil)
        }
    }

    private final class ThreadBody {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Runs `body` on a new thread. The corresponding C function is `pthread_create(3)`.
    /// - Throws: the errno `pthread_create` returned.
    public static func startThread(_ body: @escaping @Sendable () -> Void) throws(FUSESupportError) -> Thread {
        // SAFETY: a +1 reference handed to the new thread below (or released on failure).
        let context = unsafe Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var id = pthread_t()
        // SAFETY: `context` is a +1 reference to a ThreadBody that the new thread takes
        // back exactly once; on failure no thread took it, so it is released here.
        let result = unsafe pthread_create(
            &id, nil,
            { raw in
                let box = unsafe Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
                box.body()
                return nil
            }, context)
        guard result == 0 else {
            unsafe Unmanaged<ThreadBody>.fromOpaque(context).release()
            throw FUSESupportError(call: "pthread_create", errno: result)
        }
        return Thread(id: id)
    }

    /// The effective user and group of this process: the owner of its views.
    public static func currentOwner() -> (uid: UInt32, gid: UInt32) {
        (geteuid(), getegid())
    }

    /// Seconds since the epoch: the time stamps of the views.
    public static func now() -> Int {
        var time = timespec()
        _ = unsafe clock_gettime(CLOCK_REALTIME, &time)  // SAFETY: writes one timespec we own.
        return time.tv_sec
    }

    /// Detaches the mount at `path` (`umount2(MNT_DETACH)`): the fallback when libfuse's
    /// own unmount did not remove it. Returns whether a mount was detached.
    public static func detachMount(_ path: String) -> Bool {
        unsafe umount2(path, Int32(MNT_DETACH)) == 0  // SAFETY: C string bridged for the call.
    }

    /// A pipe whose write end stops the readers of ``readDevice(_:_:_:stop:session:)``: the
    /// read end becomes readable for good once one byte is written.
    /// The corresponding C function is `pipe(2)`.
    public static func makeStopPipe() throws(FUSESupportError) -> (read: Int32, write: Int32) {
        var fds: (Int32, Int32) = (-1, -1)
        // Close-on-exec atomically (pipe2 through CVPlat): a fork elsewhere must never inherit it.
        // SAFETY: pipe2 writes exactly two ints into the tuple's storage.
        let result = unsafe withUnsafeMutableBytes(of: &fds) {
            unsafe CVPlat_pipe_cloexec($0.baseAddress!.assumingMemoryBound(to: Int32.self))
        }
        guard result == 0 else { throw FUSESupportError(call: "pipe2", errno: errno) }
        return (fds.0, fds.1)
    }

    /// A number no other session of this process gets: a loop thread's wait made for
    /// one session is never reused for another whose descriptors got the same numbers.
    public static func newSessionToken() -> UInt64 {
        sessionTokens.add(1, ordering: .relaxed).newValue
    }

    private static let sessionTokens = Atomic<UInt64>(0)

    /// Makes every present and future ``readDevice(_:_:_:stop:session:)`` on `stop`'s pipe return.
    public static func signalStop(_ writeEnd: Int32) {
        var byte: UInt8 = 1
        _ = unsafe write(writeEnd, &byte, 1)  // SAFETY: writes one byte we own.
    }

    /// Closes `fd`, ignoring EINTR (it is closed anyway on Linux).
    public static func closeDescriptor(_ fd: Int32) {
        _ = close(fd)
    }

    /// Puts `fd` in non-blocking mode. The corresponding C function is `fcntl(2)`.
    public static func setNonBlocking(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0
    }

    /// Reads one request from the (non-blocking) FUSE device into `buffer`, waiting while
    /// there is none; -1 with `errno` set on failure, as libfuse's custom I/O expects, and
    /// ENODEV (libfuse: "unmounted", the loop ends) once `stop` is readable.
    ///
    /// The wait is an epoll of the calling thread's own holding the device with
    /// `EPOLLEXCLUSIVE`: a request wakes one idle loop thread. (A `poll` on the shared
    /// device woke every idle thread per request; all but one then read EAGAIN.)
    /// The corresponding C functions are `read(2)` and `epoll_wait(2)`.
    /// - Parameter session: the session's ``newSessionToken()``.
    public static func readDevice(
        _ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int, stop: Int32, session: UInt64
    ) -> Int {
        while true {
            let result = unsafe read(fd, buffer, count)  // SAFETY: libfuse hands `count` bytes.
            guard result < 0 && errno == EAGAIN else { return result }
            switch CVPlat_wait_device(fd, stop, session) {
            case 0: continue
            case 1:
                errno = ENODEV
                return -1
            default: return -1
            }
        }
    }

    /// Writes one reply to the FUSE device; -1 with `errno` set on failure.
    /// The corresponding C function is `writev(2)`.
    /// - Parameter vectors: `count` `struct iovec`s (typed raw so Glibc stays internal).
    public static func writeDevice(_ fd: Int32, _ vectors: UnsafeRawPointer?, _ count: Int32) -> Int {
        // SAFETY: libfuse hands `count` valid, initialized iovecs at `vectors`.
        unsafe writev(fd, vectors?.assumingMemoryBound(to: iovec.self), count)
    }
}

/// A failed syscall of ``FUSESupport``: the call and its errno.
public struct FUSESupportError: Error, Sendable, CustomStringConvertible {
    /// The C function that failed.
    public let call: String
    /// Its errno.
    public let errno: Int32

    public var description: String {
        "\(call): errno \(errno)"
    }
}
