// SPDX-License-Identifier: Apache-2.0
import CFuse3
import PlatformViews

/// The libfuse low-level operations table: one C callback per operation, each a thin
/// trampoline into ``ViewServer``.
///
/// The callbacks are closures formed inside a nonisolated enum: libfuse calls them on
/// its own threads, and callbacks isolated to the main actor trap there in Swift 6
/// (behaviour-reference §0 item 6).
enum LowLevelOps {
    /// The table handed to `fuse_session_new`.
    static func table() -> fuse_lowlevel_ops {
        var ops = fuse_lowlevel_ops()
        // SAFETY: libfuse calls every operation with a live request (alive until its one reply) and arguments (names, file info, attributes, forget records) valid for the call; FUSERequest(raw:) wraps the request without taking ownership.
        unsafe ops.`init` = { _, connection in unsafe LowLevelOps.configure(connection) }
        unsafe ops.lookup = { req, parent, name in
            // SAFETY: libfuse passes a NUL-terminated name valid for the call.
            let name = unsafe String(cString: name!)
            unsafe FUSERequest(raw: req!).server.lookUp(FUSERequest(raw: req!), parent: UInt64(parent), name: name)
        }
        unsafe ops.forget = { req, number, count in
            let request = unsafe FUSERequest(raw: req!)
            request.server.forget(UInt64(number), count: count)
            request.replyNone()
        }
        unsafe ops.forget_multi = { req, count, forgets in
            let request = unsafe FUSERequest(raw: req!)
            // SAFETY: libfuse passes `count` forget records valid for the call.
            let items = unsafe UnsafeBufferPointer(start: forgets, count: count)
            for index in 0..<count {
                let item = unsafe items[index]
                request.server.forget(UInt64(item.ino), count: item.nlookup)
            }
            request.replyNone()
        }
        unsafe ops.getattr = { req, number, _ in
            let request = unsafe FUSERequest(raw: req!)
            request.server.getAttributes(request, UInt64(number))
        }
        unsafe ops.setattr = { req, number, attributes, changes, _ in
            let request = unsafe FUSERequest(raw: req!)
            // SAFETY: libfuse passes the new attributes, valid for the call.
            let size = unsafe attributes.map { unsafe Int($0.pointee.st_size) } ?? 0
            request.server.setAttributes(request, UInt64(number), changes: changes, size: size)
        }
        unsafe ops.readlink = { req, number in
            let request = unsafe FUSERequest(raw: req!)
            request.server.readLink(request, UInt64(number))
        }
        installFileOps(&ops)
        installDirectoryOps(&ops)
        return ops
    }

    /// Called when libfuse learns of an interrupt of a request waiting in a driver.
    static let interruptCallback: fuse_interrupt_func_t = { _, data in
        // SAFETY: `data` is the +1 reference FUSEReplier.watch registered; it is dropped
        // only after this callback can no longer run (see FUSEReplier).
        unsafe Unmanaged<FUSEReplier>.fromOpaque(data!).takeUnretainedValue().interrupt()
    }

    private static func installFileOps(_ ops: inout fuse_lowlevel_ops) {
        // SAFETY: as in table(): a live request and arguments valid for the call.
        unsafe ops.open = { req, number, info in
            let request = unsafe FUSERequest(raw: req!)
            // SAFETY: libfuse passes the open's file info, valid for the call.
            let flags = OpenFlags(rawValue: unsafe info!.pointee.flags)
            request.server.open(request, UInt64(number), flags: flags)
        }
        unsafe ops.read = { req, _, count, offset, info in
            let request = unsafe FUSERequest(raw: req!)
            let (handle, flags) = unsafe LowLevelOps.fileInfo(info)
            request.server.read(request, handle: handle, offset: Int(offset), count: count, flags: flags)
        }
        unsafe ops.write = { req, _, bytes, count, _, info in
            let request = unsafe FUSERequest(raw: req!)
            let (handle, flags) = unsafe LowLevelOps.fileInfo(info)
            // SAFETY: the bytes live in libfuse's receive buffer for the call; a driver
            // that keeps the request copies them (DeviceWriteRequest.suspend).
            let buffer = unsafe UnsafeRawBufferPointer(start: bytes, count: count)
            unsafe request.server.write(request, handle: handle, bytes: buffer, flags: flags)
        }
        unsafe ops.release = { req, _, info in
            let request = unsafe FUSERequest(raw: req!)
            request.server.release(request, handle: unsafe LowLevelOps.fileInfo(info).handle)
        }
        unsafe ops.poll = { req, _, info, pollHandle in
            let request = unsafe FUSERequest(raw: req!)
            let server = request.server
            let waker = unsafe pollHandle.map { unsafe PollHandleWaker($0, gate: server.gate) }
            server.poll(request, handle: unsafe LowLevelOps.fileInfo(info).handle, waker: waker)
        }
    }

    private static func installDirectoryOps(_ ops: inout fuse_lowlevel_ops) {
        // SAFETY: as in table(): a live request and arguments valid for the call.
        unsafe ops.opendir = { req, number, info in
            let request = unsafe FUSERequest(raw: req!)
            guard let handle = request.server.openDirectory(request, UInt64(number)) else { return }
            var reply = fuse_file_info()
            reply.fh = handle
            // SAFETY: libfuse copies the info.
            if unsafe fuse_reply_open(req, &reply) != 0 { _ = request.server.openFiles.remove(handle) }
            _ = unsafe info
        }
        unsafe ops.readdir = { req, _, size, offset, info in
            let request = unsafe FUSERequest(raw: req!)
            unsafe LowLevelOps.readDirectory(
                request, handle: LowLevelOps.fileInfo(info).handle, size: size, offset: Int(offset))
        }
        unsafe ops.releasedir = { req, _, info in
            let request = unsafe FUSERequest(raw: req!)
            _ = request.server.openFiles.remove(unsafe LowLevelOps.fileInfo(info).handle)
            request.replySuccess()
        }
    }

    /// Fills one `readdir` reply with as many entries from `offset` on as fit in `size`.
    fileprivate static func readDirectory(_ request: FUSERequest, handle: UInt64, size: Int, offset: Int) {
        guard let entries = request.server.directoryEntries(handle, from: offset) else {
            return request.reply(.ebadf)
        }
        var buffer = [CChar](repeating: 0, count: size)
        var used = 0
        // The slice keeps the listing's indices: no counting up from `offset`, which a
        // caller may set to any value (`lseek` on the directory; Int.max trapped).
        for index in entries.indices {
            let entry = entries[index]
            var attributes = stat()
            attributes.st_ino = __ino_t(entry.number)
            attributes.st_mode = entry.mode
            // SAFETY: fuse_add_direntry writes at most `size - used` bytes at the cursor.
            let length = unsafe buffer.withUnsafeMutableBufferPointer { bytes in
                unsafe fuse_add_direntry(
                    request.raw, bytes.baseAddress! + used, size - used, entry.name, &attributes, off_t(index + 1))
            }
            guard used + length <= size else { break }
            used += length
        }
        // SAFETY: the first `used` bytes of `buffer`, valid for the reply, which libfuse copies.
        unsafe buffer.withUnsafeBytes { unsafe request.replyBytes(UnsafeRawBufferPointer(rebasing: $0[..<used])) }
    }

    /// The handle and current flags of an open file.
    fileprivate static func fileInfo(_ info: UnsafeMutablePointer<fuse_file_info>?) -> (
        handle: UInt64, flags: OpenFlags
    ) {
        // SAFETY: libfuse passes the request's file info, valid for the call.
        unsafe (info!.pointee.fh, OpenFlags(rawValue: info!.pointee.flags))
    }

    /// Negotiates the connection: no splice, so every request and reply passes through
    /// StreamOpenIO's read and writev.
    private static func configure(_ connection: UnsafeMutablePointer<fuse_conn_info>?) {
        // SAFETY: libfuse passes its connection info, valid and ours for the call.
        guard let connection = unsafe connection else { return }
        let splice = UInt32(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE)
        unsafe connection.pointee.want &= ~splice
    }
}
