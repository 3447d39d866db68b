// SPDX-License-Identifier: Apache-2.0
import CFuse3
import PlatformViews

/// One kernel request (`fuse_req_t`) and its replies. Each request is replied to exactly
/// once; libfuse frees it in the reply call.
@safe struct FUSERequest: @unchecked Sendable {
    // @unchecked: a fuse_req_t may be replied to from any thread (libfuse locks inside);
    // the request classes of PlatformViews ensure only one thread replies.
    let raw: fuse_req_t

    /// Attribute and entry cache time for nodes whose attributes never change.
    static let stableTimeout = 1.0

    /// The mount's server (the session's user data).
    var server: ViewServer {
        // SAFETY: the user data is the ViewServer that ViewMount keeps alive (a +1
        // reference) until the session loop has ended and the session is destroyed.
        unsafe Unmanaged<ViewServer>.fromOpaque(fuse_req_userdata(raw)!).takeUnretainedValue()
    }

    func reply(_ errno: ViewErrno) {
        _ = unsafe fuse_reply_err(raw, errno.rawValue)  // SAFETY: replies once to a live request.
    }

    func replySuccess() {
        _ = unsafe fuse_reply_err(raw, 0)  // SAFETY: as above.
    }

    func replyNone() {
        unsafe fuse_reply_none(raw)  // SAFETY: as above (forget has no reply).
    }

    func replyEntry(_ number: UInt64, _ attributes: stat, timeout: Double) {
        var entry = fuse_entry_param()
        entry.ino = number
        entry.attr = attributes
        entry.attr_timeout = timeout
        entry.entry_timeout = Self.stableTimeout
        _ = unsafe fuse_reply_entry(raw, &entry)  // SAFETY: libfuse copies the entry.
    }

    func replyAttributes(_ attributes: stat, timeout: Double) {
        var attributes = attributes
        _ = unsafe fuse_reply_attr(raw, &attributes, timeout)  // SAFETY: libfuse copies it.
    }

    func replyLink(_ target: String) {
        _ = unsafe fuse_reply_readlink(raw, target)  // SAFETY: C string bridged for the call.
    }

    /// Replies to an open; returns false if the kernel no longer waits for it.
    func replyOpen(handle: UInt64, directIO: Bool, nonSeekable: Bool) -> Bool {
        var info = fuse_file_info()
        info.fh = handle
        info.direct_io = directIO ? 1 : 0
        info.nonseekable = nonSeekable ? 1 : 0
        return unsafe fuse_reply_open(raw, &info) == 0  // SAFETY: libfuse copies the info.
    }

    func replyBytes(_ bytes: UnsafeRawBufferPointer) {
        // SAFETY: libfuse writes the bytes to the device before it returns.
        _ = unsafe fuse_reply_buf(raw, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
    }

    func replyBytes(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) {
        // SAFETY: the caller's buffer is valid for the call; libfuse copies it before returning.
        guard second.count > 0 else { return unsafe replyBytes(first) }
        // SAFETY: the iovecs borrow the caller's buffers only for the reply below.
        var vectors = unsafe [
            iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count),
        ]
        // SAFETY: libfuse only reads through the iovecs, before it returns.
        _ = unsafe fuse_reply_iov(raw, &vectors, 2)
    }

    func replyWritten(_ count: Int) {
        _ = unsafe fuse_reply_write(raw, count)  // SAFETY: replies once to a live request.
    }

    func replyPoll(_ events: PollEvents) {
        _ = unsafe fuse_reply_poll(raw, events.rawValue)  // SAFETY: as above.
    }

    /// Registers `callback` as the interrupt function, with `data`; nil unregisters,
    /// waiting for a call in progress to end.
    func setInterruptHandler(_ callback: fuse_interrupt_func_t?, _ data: UnsafeMutableRawPointer?) {
        unsafe fuse_req_interrupt_func(raw, callback, data)  // SAFETY: data outlives registration.
    }
}
