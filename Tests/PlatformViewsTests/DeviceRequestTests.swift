// SPDX-License-Identifier: Apache-2.0
import PlatformViews
import Synchronization
import Testing

@Suite struct DeviceRequestTests {
    private let empty = UnsafeRawBufferPointer(start: nil, count: 0)

    @Test func readIsAnsweredOnce() {
        let recorder = ReplyRecorder()
        let request = DeviceReadRequest(count: 8, flags: .accessMode(.readOnly), responder: recorder)
        #expect(request.complete(Array("ab".utf8)))
        #expect(!request.complete(Array("cd".utf8)))
        #expect(!request.fail(.eio))
        #expect(recorder.replies == [.bytes(Array("ab".utf8))])
    }

    @Test func interruptAnswersEINTRAndLaterCompletionIsRefused() {
        let recorder = ReplyRecorder()
        let request = DeviceReadRequest(count: 8, flags: .accessMode(.readOnly), responder: recorder).suspend()
        #expect(request.interrupt())
        #expect(request.isCancelled)
        #expect(!request.complete(Array("late".utf8)))
        #expect(recorder.replies == [.error(.eintr)])
        #expect(recorder.answeredFromInterrupt)
    }

    @Test func cancellationHandlerRunsOnInterruptOnly() {
        let runs = Mutex(0)
        let interrupted = DeviceReadRequest(count: 1, flags: .accessMode(.readOnly), responder: ReplyRecorder())
        interrupted.onCancel { runs.withLock { $0 += 1 } }
        interrupted.interrupt()
        let completed = DeviceReadRequest(count: 1, flags: .accessMode(.readOnly), responder: ReplyRecorder())
        completed.onCancel { runs.withLock { $0 += 100 } }
        completed.completeEndOfFile()
        completed.interrupt()
        #expect(runs.withLock { $0 } == 1)
    }

    @Test func readGatheredInPiecesIsAnsweredWhole() {
        let recorder = ReplyRecorder()
        let request = DeviceReadRequest(count: 4, flags: .accessMode(.readOnly), responder: recorder)
        #expect(Array("ab".utf8).withUnsafeBytes { request.append(copying: $0) })
        #expect(Array("cd".utf8).withUnsafeBytes { request.append(copying: $0) })
        request.completeAppended()
        #expect(recorder.replies == [.bytes(Array("abcd".utf8))])
    }

    @Test func interruptedGatheringReadReturnsWhatWasGathered() {
        let recorder = ReplyRecorder()
        let request = DeviceReadRequest(count: 4, flags: .accessMode(.readOnly), responder: recorder).suspend()
        _ = Array("ab".utf8).withUnsafeBytes { request.append(copying: $0) }
        request.interrupt()
        #expect(!Array("cd".utf8).withUnsafeBytes { request.append(copying: $0) })
        #expect(recorder.replies == [.bytes(Array("ab".utf8))])
    }

    @Test func suspendedWriteKeepsItsBytesAfterTheBufferIsGone() {
        let recorder = ReplyRecorder()
        var buffer = Array("hello".utf8)
        let request = buffer.withUnsafeBytes { bytes in
            let request = DeviceWriteRequest(bytes: bytes, flags: .accessMode(.writeOnly), responder: recorder)
            request.suspend()
            request.endBorrow()
            return request
        }
        buffer = Array("XXXXX".utf8)
        #expect(request.withRemainingBytes { Array($0) } == Array("hello".utf8))
        #expect(request.commitWritten(5))
        request.complete()
        #expect(recorder.replies == [.count(5)])
    }

    @Test func interruptedWriteAnswersThePartCommitted() {
        let recorder = ReplyRecorder()
        Array("hello".utf8).withUnsafeBytes { bytes in
            let request = DeviceWriteRequest(bytes: bytes, flags: .accessMode(.writeOnly), responder: recorder)
            #expect(request.commitWritten(2))
            #expect(request.remaining == 3)
            request.suspend()
            request.interrupt()
            #expect(!request.commitWritten(3))
        }
        #expect(recorder.replies == [.count(2)])
    }

    @Test func requestNeitherAnsweredNorSuspendedIsAnsweredEIO() {
        let recorder = ReplyRecorder()
        let request = DeviceReadRequest(count: 1, flags: .accessMode(.readOnly), responder: recorder)
        #expect(request.answerIfAbandoned())
        let kept = DeviceReadRequest(count: 1, flags: .accessMode(.readOnly), responder: ReplyRecorder()).suspend()
        #expect(!kept.answerIfAbandoned())
        #expect(recorder.replies == [.error(.eio)])
    }

    @Test func openFlagsDecodeAccessModeAndNonBlocking() {
        let flags = OpenFlags(rawValue: 0o2 | 0o4000)
        #expect(flags.accessMode == .readWrite)
        #expect(flags.isNonBlocking)
        #expect(!OpenFlags.accessMode(.readOnly).wantsWrite)
        #expect(!OpenFlags.accessMode(.writeOnly).wantsRead)
    }
}
