// SPDX-License-Identifier: Apache-2.0

/// The answer to one device request.
public enum DeviceAnswer {
    /// Bytes read: `first` then `second` (a ring's two halves; `second` is often empty).
    /// They are only valid during ``RequestResponder/send(_:fromInterrupt:)``.
    case bytes(UnsafeRawBufferPointer, UnsafeRawBufferPointer)
    /// Bytes written.
    case count(Int)
    /// The new open file.
    case opened(any DeviceFileHandle)
    /// An error; `.eintr` when the caller was interrupted before any progress.
    case error(ViewErrno)
}

/// Where the answer to one device request goes.
///
/// `PlatformFUSE` implements it over a `fuse_req_t`; ``ReplyRecorder`` records answers
/// for tests. The request classes guarantee exactly one `send` per request.
public protocol RequestResponder: AnyObject, Sendable {
    /// Sends `answer`. `fromInterrupt` is true when the kernel's interrupt notification
    /// is answering (the glue is then inside its interrupt callback).
    func send(_ answer: DeviceAnswer, fromInterrupt: Bool)
}
