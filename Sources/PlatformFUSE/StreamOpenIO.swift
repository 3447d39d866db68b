// SPDX-License-Identifier: Apache-2.0
import CFuse3
import PlatformSys
import Synchronization

/// The session's device I/O (`fuse_session_custom_io`), for two things libfuse 3.14
/// cannot do itself:
/// - **Stream mode.** libfuse 3.14 has no field for `FOPEN_STREAM`, which a device file
///   needs so a read blocked in the daemon does not hold the file-position lock a write on
///   the same open file (shared by threads or after fork) then waits for: a deadlock
///   (kernel commit 10dce8af3422, behaviour-reference §2.2). `read` notes the unique id of
///   every `FUSE_OPEN`; `writev` adds `FOPEN_STREAM` to each successful open reply that
///   carries `FOPEN_NONSEEKABLE`, which only device files get.
/// - **Stopping.** The device is non-blocking and an idle reader waits on it and on the
///   mount's stop pipe (`FUSESupport.readDevice`), so `ViewMount.unmount()` can end the loop even while
///   processes keep files open.
enum StreamOpenIO {
    private static let headerSize = 40  // struct fuse_in_header
    private static let openOpcode: UInt32 = 14  // FUSE_OPEN
    private static let openReplySize = 16  // struct fuse_open_out
    private static let nonSeekable: UInt32 = 1 << 2  // FOPEN_NONSEEKABLE
    private static let stream: UInt32 = 1 << 4  // FOPEN_STREAM

    /// The I/O table; the session's user data is its ``ViewServer``.
    static func io() -> fuse_custom_io {
        // SAFETY: libfuse calls these with its session's user data (the ViewServer, alive until the session is destroyed), a receive buffer of `count` bytes and `count` reply iovecs, all valid for the call.
        var io = fuse_custom_io()
        unsafe io.read = { fd, buffer, count, userdata in
            let server = unsafe StreamOpenIO.server(userdata)
            let result = unsafe FUSESupport.readDevice(
                fd, buffer, count, stop: server.stopPipe.read, session: server.session)
            if result >= StreamOpenIO.headerSize, let buffer = unsafe buffer {
                unsafe StreamOpenIO.noteOpen(UnsafeRawPointer(buffer), server)
            }
            return result
        }
        unsafe io.writev = { fd, vectors, count, userdata in
            if count >= 1, let vectors = unsafe vectors {
                unsafe StreamOpenIO.inspectReply(vectors, Int(count), unsafe StreamOpenIO.server(userdata))
            }
            return unsafe FUSESupport.writeDevice(fd, UnsafeRawPointer(vectors), count)
        }
        return io
    }

    fileprivate static func server(_ userdata: UnsafeMutableRawPointer?) -> ViewServer {
        // SAFETY: the session's user data is the ViewServer ViewMount keeps alive.
        unsafe Unmanaged<ViewServer>.fromOpaque(userdata!).takeUnretainedValue()
    }

    /// Notes the unique id of a `FUSE_OPEN` request (header: len, opcode, unique, …).
    fileprivate static func noteOpen(_ header: UnsafeRawPointer, _ server: ViewServer) {
        // SAFETY: the kernel wrote at least a whole header (checked by the caller).
        guard unsafe header.loadUnaligned(fromByteOffset: 4, as: UInt32.self) == openOpcode else { return }
        let unique = unsafe header.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        _ = server.pendingOpens.withLock { $0.insert(unique) }
    }

    /// Forgets a noted open once it is answered, and adds `FOPEN_STREAM` to a successful
    /// open reply (header: len, error, unique; then `fuse_open_out`: fh, open_flags,
    /// padding) for a non-seekable file.
    fileprivate static func inspectReply(_ vectors: UnsafeMutablePointer<iovec>, _ count: Int, _ server: ViewServer) {
        // SAFETY: libfuse passes `count` >= 1 iovecs (checked by the caller); the first is
        // its fuse_out_header, the second (if any) the reply's argument in writable memory.
        let header = unsafe vectors[0].iov_base!
        let unique = unsafe header.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        guard unique != 0, server.pendingOpens.withLock({ $0.remove(unique) }) != nil,
            count >= 2, unsafe vectors[1].iov_len == openReplySize,
            unsafe header.loadUnaligned(fromByteOffset: 4, as: Int32.self) == 0,
            let reply = unsafe vectors[1].iov_base
        else { return }
        let flags = unsafe reply.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        if flags & nonSeekable != 0 {
            unsafe reply.storeBytes(of: flags | stream, toByteOffset: 8, as: UInt32.self)
        }
    }
}
