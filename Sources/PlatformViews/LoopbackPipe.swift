// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// An in-memory pipe device: the reference implementation of the device-file protocol,
/// used by the FUSE tests and `vlm-testkit fuse-demo` (the shipped `vlm` does not use it).
///
/// Bytes written through any open file, or pushed in-process with ``push(_:)``, are read
/// in order through any open file. Reads block while it is empty, writes while it is full
/// (``capacity``); `O_NONBLOCK` answers EAGAIN instead; a blocking write larger than the
/// room is taken in pieces and answers once all is taken, or with the part taken when
/// interrupted. After ``finish()``, reads drain what is left then see EOF, and writes
/// answer EPIPE.
public final class LoopbackPipe: DeviceFileDriver, DeviceFileHandle {
    private struct State {
        var buffer: [UInt8] = []
        var readers: [DeviceReadRequest] = []
        var writers: [DeviceWriteRequest] = []
        var finished = false
        var opens = 0
    }

    /// The most bytes the pipe holds.
    public let capacity: Int
    public let pollQueue = PollWaitQueue()
    private let state = Mutex(State())

    /// A pipe holding at most `capacity` bytes.
    public init(capacity: Int = 4096) {
        precondition(capacity > 0, "a pipe needs room")
        self.capacity = capacity
    }

    /// Files open on the pipe now.
    public var openCount: Int { state.withLock { $0.opens } }

    /// Readers waiting now.
    public var waitingReaders: Int { state.withLock { $0.readers.count } }

    public func open(_ request: DeviceOpenRequest) {
        state.withLock { $0.opens += 1 }
        if !request.complete(with: self) { state.withLock { $0.opens -= 1 } }
    }

    public func release() {
        state.withLock { $0.opens -= 1 }
    }

    /// Appends `bytes` from inside the process (ignoring the capacity), waking readers.
    public func push(_ bytes: [UInt8]) {
        state.withLock { state in
            state.buffer += bytes
            serve(&state)
        }
        pollQueue.wakeAll()
    }

    /// Ends the stream: readers get EOF once drained, writers EPIPE.
    public func finish() {
        state.withLock { state in
            state.finished = true
            serve(&state)
        }
        pollQueue.wakeAll()
    }

    public func read(_ request: DeviceReadRequest) {
        state.withLock { state in
            if state.buffer.isEmpty && !state.finished && request.isNonBlocking {
                request.fail(.eagain)
                return
            }
            state.readers.append(request.suspend())
            serve(&state)
        }
        pollQueue.wakeAll()
    }

    public func write(_ request: DeviceWriteRequest) {
        state.withLock { state in
            if state.finished {
                request.fail(.epipe)
                return
            }
            if request.isNonBlocking && state.buffer.count + request.count > capacity {
                request.fail(.eagain)  // all or nothing, like a pipe write of at most PIPE_BUF
                return
            }
            state.writers.append(request)
            serve(&state)
            if state.writers.contains(where: { $0 === request }) { request.suspend() }
        }
        pollQueue.wakeAll()
    }

    public func pollEvents() -> PollEvents {
        state.withLock { state in
            var events: PollEvents = []
            if !state.buffer.isEmpty || state.finished { events.formUnion(.input) }
            if state.buffer.count < capacity && !state.finished { events.formUnion(.output) }
            if state.finished { events.insert(.hangUp) }
            return events
        }
    }

    /// Moves bytes from waiting writers into the buffer and from the buffer to waiting
    /// readers until neither can progress.
    private func serve(_ state: inout State) {
        var progressed = true
        while progressed {
            progressed = takeFromWriters(&state) || giveToReaders(&state)
        }
    }

    private func takeFromWriters(_ state: inout State) -> Bool {
        guard let writer = state.writers.first else { return false }
        let room = capacity - state.buffer.count
        let chunk = writer.withRemainingBytes { Array($0.prefix(room)) }
        guard !chunk.isEmpty || writer.remaining == 0 else { return false }
        if writer.isCancelled || !writer.commitWritten(chunk.count) {
            state.writers.removeFirst()
            return true
        }
        state.buffer += chunk
        if writer.remaining == 0 {
            writer.complete()
            state.writers.removeFirst()
        }
        return true
    }

    private func giveToReaders(_ state: inout State) -> Bool {
        guard let reader = state.readers.first, !state.buffer.isEmpty || state.finished else { return false }
        state.readers.removeFirst()
        let count = min(reader.count, state.buffer.count)
        if reader.complete(Array(state.buffer.prefix(count))) {
            state.buffer.removeFirst(count)
        }
        return true
    }
}
