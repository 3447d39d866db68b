// SPDX-License-Identifier: Apache-2.0

/// An error a view answers with, as the Linux errno the calling process sees.
///
/// The raw values are Linux's (x86-64 and arm64 share them), so the FUSE glue hands
/// `rawValue` to the kernel unchanged. `PlatformViews` is pure Swift, so it cannot take
/// them from libc; this short list holds the ones views and device files need.
public enum ViewErrno: Int32, Error, Sendable {
    /// Operation not permitted.
    case eperm = 1
    /// No such file or directory.
    case enoent = 2
    /// Interrupted system call: the caller's request was interrupted by a signal.
    case eintr = 4
    /// Input/output error.
    case eio = 5
    /// No such device or address (the device's peer is gone).
    case enxio = 6
    /// Bad file descriptor (the file is not open for this operation).
    case ebadf = 9
    /// Resource temporarily unavailable: an `O_NONBLOCK` request that would block.
    case eagain = 11
    /// Cannot allocate memory.
    case enomem = 12
    /// Permission denied: a write to a read-only view, a read of a write-only one.
    case eacces = 13
    /// Device or resource busy.
    case ebusy = 16
    /// File exists.
    case eexist = 17
    /// No such device.
    case enodev = 19
    /// Not a directory.
    case enotdir = 20
    /// Is a directory.
    case eisdir = 21
    /// Invalid argument: a control file got a value it does not accept.
    case einval = 22
    /// File too large.
    case efbig = 27
    /// No space left on device.
    case enospc = 28
    /// Illegal seek.
    case espipe = 29
    /// Read-only file system.
    case erofs = 30
    /// Broken pipe: the reading side is gone.
    case epipe = 32
    /// Result out of range.
    case erange = 34
    /// Function not implemented.
    case enosys = 38
    /// No data available.
    case enodata = 61
    /// Operation not supported.
    case eopnotsupp = 95
    /// Transport endpoint is not connected.
    case enotconn = 107
    /// Connection timed out.
    case etimedout = 110
}
