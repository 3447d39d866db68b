// SPDX-License-Identifier: Apache-2.0
import PlatformViews
import Synchronization
import Testing

@Suite struct LoopbackPipeTests {
    private func open(_ pipe: LoopbackPipe, _ mode: OpenFlags.AccessMode = .readWrite) throws -> any DeviceFileHandle {
        let recorder = ReplyRecorder()
        pipe.open(DeviceOpenRequest(flags: .accessMode(mode), responder: recorder))
        return try #require(recorder.openedHandle)
    }

    private func read(_ handle: any DeviceFileHandle, _ count: Int, nonBlocking: Bool = false) -> ReplyRecorder {
        let recorder = ReplyRecorder()
        handle.read(
            DeviceReadRequest(
                count: count, flags: .accessMode(.readOnly, nonBlocking: nonBlocking), responder: recorder))
        return recorder
    }

    private func write(_ handle: any DeviceFileHandle, _ text: String, nonBlocking: Bool = false) -> ReplyRecorder {
        let recorder = ReplyRecorder()
        Array(text.utf8).withUnsafeBytes { bytes in
            let request = DeviceWriteRequest(
                bytes: bytes, flags: .accessMode(.writeOnly, nonBlocking: nonBlocking), responder: recorder)
            handle.write(request)
            request.endBorrow()
        }
        return recorder
    }

    @Test func blockedReadIsCompletedByAPushFromAnotherThread() async throws {
        let pipe = LoopbackPipe()
        let handle = try open(pipe)
        let reader = read(handle, 16)
        #expect(reader.reply == nil)
        await Task.detached { pipe.push(Array("later".utf8)) }.value
        #expect(reader.reply == .bytes(Array("later".utf8)))
    }

    @Test func nonBlockingReadOfAnEmptyPipeIsEAGAIN() throws {
        let handle = try open(LoopbackPipe())
        #expect(read(handle, 4, nonBlocking: true).reply == .error(.eagain))
    }

    @Test func writeLargerThanTheRoomWaitsForReaders() throws {
        // Capacity 4 so a 6-byte write is taken in two pieces.
        let pipe = LoopbackPipe(capacity: 4)
        let handle = try open(pipe)
        let writer = write(handle, "abcdef")
        #expect(writer.reply == nil)
        #expect(read(handle, 4).reply == .bytes(Array("abcd".utf8)))
        #expect(writer.reply == .count(6))
        #expect(read(handle, 4).reply == .bytes(Array("ef".utf8)))
    }

    @Test func nonBlockingWriteThatDoesNotFitIsEAGAIN() throws {
        let handle = try open(LoopbackPipe(capacity: 4))
        #expect(write(handle, "abcdef", nonBlocking: true).reply == .error(.eagain))
    }

    @Test func pollReportsReadinessAndWakesPollers() throws {
        final class Waker: PollWaker {
            let woken = Mutex(0)
            func wake() { woken.withLock { $0 += 1 } }
        }
        let pipe = LoopbackPipe()
        let handle = try open(pipe)
        #expect(handle.pollEvents() == .output)
        let waker = Waker()
        handle.pollQueue.register(waker, for: 1)
        pipe.push([1])
        #expect(waker.woken.withLock { $0 } == 1)
        #expect(handle.pollEvents() == [.input, .output])
    }

    @Test func finishGivesEOFAfterTheDataAndEPIPEToWriters() throws {
        let pipe = LoopbackPipe()
        let handle = try open(pipe)
        pipe.push(Array("x".utf8))
        pipe.finish()
        #expect(read(handle, 4).reply == .bytes(Array("x".utf8)))
        #expect(read(handle, 4).reply == .bytes([]))
        #expect(write(handle, "y").reply == .error(.epipe))
        #expect(handle.pollEvents().contains(.hangUp))
    }

    @Test func openAndReleaseAreCounted() throws {
        let pipe = LoopbackPipe()
        let handle = try open(pipe)
        #expect(pipe.openCount == 1)
        handle.release()
        #expect(pipe.openCount == 0)
    }
}
