// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// A ``RequestResponder`` that records answers instead of sending them to a kernel: the
/// in-memory twin of the FUSE glue, for unit tests of device drivers.
public final class ReplyRecorder: RequestResponder {
    /// One recorded answer, with the bytes copied.
    public enum Reply: Sendable, Equatable {
        case bytes([UInt8])
        case count(Int)
        case opened
        case error(ViewErrno)
    }

    private struct Record {
        var replies: [Reply] = []
        var interrupted = false
        var handle: (any DeviceFileHandle)?
    }

    private let record = Mutex(Record())

    public init() {}

    /// Every answer, in order (a correct request produces exactly one).
    public var replies: [Reply] { record.withLock { $0.replies } }

    /// The one answer so far, or nil.
    public var reply: Reply? { record.withLock { $0.replies.last } }

    /// Whether the last answer came from an interrupt.
    public var answeredFromInterrupt: Bool { record.withLock { $0.interrupted } }

    /// The handle of an answered open.
    public var openedHandle: (any DeviceFileHandle)? { record.withLock { $0.handle } }

    public func send(_ answer: DeviceAnswer, fromInterrupt: Bool) {
        let reply: Reply
        var handle: (any DeviceFileHandle)?
        switch answer {
        case .bytes(let first, let second): reply = .bytes(Array(first) + Array(second))
        case .count(let count): reply = .count(count)
        case .opened(let opened):
            reply = .opened
            handle = opened
        case .error(let errno): reply = .error(errno)
        }
        record.withLock { record in
            record.replies.append(reply)
            record.interrupted = fromInterrupt
            if let handle { record.handle = handle }
        }
    }
}
