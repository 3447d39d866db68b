// SPDX-License-Identifier: Apache-2.0
import PlatformViews
import VlinkLib

/// The reading half of a pipe: this VM's server end of a vlink, whose ring it
/// consumes. Serves `read(2)` with the pipe rules of VPIPE(4D)/VBPIPE(4D):
/// data when there is some; EOF once the writer left and what it wrote is
/// drained; otherwise wait (or EAGAIN).
final class ReaderChannel: RingChannel {
    struct State {
        var consumer: RingConsumer
        /// The writer's last `c_idx`, captured when it left ON: what is left to drain.
        var draining: UInt32?
        var reads: UInt32 = 0
        var bytes: UInt64 = 0
    }

    let vlink: Vlink
    let xirqs: PipeXirqs
    /// Without the vbpipe `a` flag, a blocking read waits for all `count` bytes.
    let readAll: Bool
    let dataSize: Int
    private let state: RequestQueue<ReaderChannel>

    init(vlink: Vlink, ring: ExRing, xirqs: PipeXirqs, readAll: Bool) {
        self.vlink = vlink
        self.xirqs = xirqs
        self.readAll = readAll
        self.dataSize = ring.dataSize
        self.state = RequestQueue(State(consumer: RingConsumer(ring: ring)))
    }

    var endpoint: VlinkEndpoint { vlink.endpoint }

    /// Bytes that may be read now: the ring while I am ON, what the departed
    /// writer left while draining, else none (stale indices are never trusted).
    private func readable(_ s: State) -> Int {
        if endpoint.mine == .on { return s.consumer.available() }
        return s.draining.map { s.consumer.available(limit: $0) } ?? 0
    }

    /// Nothing more will come from this writer.
    private func atEnd(_ s: State) -> Bool {
        s.draining != nil || (endpoint.peerState ?? .off) == .off
    }

    /// Whether a blocking open may complete: the link is up, or a writer that
    /// already left wrote something.
    var isReadyForOpen: Bool {
        state.withLock { s in (endpoint.mine == .on && endpoint.peerState == .on) || readable(s) > 0 }
    }
}

extension ReaderChannel: PipeChannel {
    // MARK: Handshake operations (run by the vlink's engine, see Vlink.settle)

    func registerOps() {
        vlink.vlink_ops_register([
            // The writer left: its last `c_idx`, read while my end is still ON (once
            // my OFF is published the writer may reset `c_idx` to 0 at once, and a
            // capture after that made the stale ring look full: phantom bytes, the
            // end never drained, so it never reset and the next open hung).
            VlinkOpDesc(.abort) { [unowned self] _, _ in
                state.withLock { $0.draining = $0.consumer.ring.clientIndex }
                return VlinkReturn.ok
            },
            // OFF→RESET only once what the departed writer left is drained.
            VlinkOpDesc(.reset) { [unowned self] _, _ in
                state.withLock { s in
                    guard s.draining.map({ s.consumer.available(limit: $0) == 0 }) ?? true else {
                        return VlinkReturn.EAGAIN
                    }
                    s.consumer.reset()
                    s.draining = nil
                    return VlinkReturn.ok
                }
            },
            // The last close: no read waits, nothing left to drain.
            VlinkOpDesc(.stop) { [unowned self] _, _ in
                state.withLock { s in
                    s.consumer.awake()
                    s.draining = nil
                }
                return VlinkReturn.ok
            },
        ])
    }
}

extension ReaderChannel {
    // MARK: Reads

    /// My queue: `reads` that wait for the ring (see `RingChannel` for the rest).
    func withQueue<R>(_ body: (borrowing RequestQueue<ReaderChannel>) -> R) -> R {
        body(state)
    }

    /// No read waits any more: lower `s_wait`.
    func idle(_ s: inout State) {
        s.consumer.awake()
    }

    /// An interrupted read returned what it had gathered: it counts if that was something.
    func interrupted(_ request: DeviceReadRequest, _ s: inout State) {
        if request.appended > 0 { s.reads += 1 }
    }

    /// Once the departed writer's data is drained, the end may reset for the
    /// next one: the caller settles the vlink (outside my lock).
    func settle(_ s: inout State) -> ChannelEffects {
        guard s.draining != nil, readable(s) == 0 else { return ChannelEffects() }
        return ChannelEffects(notify: false, settle: true)
    }
}

extension ReaderChannel {
    /// Answers `request` if the pipe rules allow it now.
    func attempt(_ request: DeviceReadRequest, _ s: inout State) -> Attempt {
        guard !request.isCancelled else { return Attempt() }
        var available = readable(s)
        if available == 0 && !atEnd(s) && !request.isNonBlocking && endpoint.mine == .on {
            available = s.consumer.prepareToWait()  // vbpipe: raise s_wait, then look again
        }
        if readAll && !request.isNonBlocking {
            return gather(request, available: available, &s)
        }
        var result = Attempt()
        if available > 0 {
            let take = min(available, request.count)
            if s.consumer.withData(take, { request.complete(copying: $0, $1) }) {
                result.effects.notify = consume(take, answered: true, &s)
            }
        } else if atEnd(s) || request.count == 0 {
            request.completeEndOfFile()
        } else if request.isNonBlocking {
            request.fail(.eagain)
        } else {
            result.waits = true
        }
        return result
    }

    /// vbpipe without `a`: gathers until all `count` bytes are there (or the end).
    private func gather(_ request: DeviceReadRequest, available: Int, _ s: inout State) -> Attempt {
        var result = Attempt()
        var available = available
        while true {
            let want = request.count - request.appended
            if available >= want && request.appended == 0 {
                if s.consumer.withData(want, { request.complete(copying: $0, $1) }) {
                    result.effects.notify = consume(want, answered: true, &s)
                }
                return result
            }
            if available > 0 {
                let take = min(available, want)
                guard s.consumer.withData(take, { request.append(copying: $0, $1) }) else { return result }
                if consume(take, answered: false, &s) { result.effects.notify = true }
            }
            if request.appended == request.count || (readable(s) == 0 && atEnd(s)) {
                if request.completeAppended() && request.appended > 0 { s.reads += 1 }
                return result
            }
            // Bytes still wanted: raise s_wait, then look again, so that a writer
            // publishing meanwhile sees the flag (it was lowered by the first look).
            available = endpoint.mine == .on && !atEnd(s) ? s.consumer.prepareToWait() : readable(s)
            if available == 0 {
                result.waits = true
                return result
            }
        }
    }

    /// Releases `count` bytes to the writer; counts them. Returns whether to notify.
    private func consume(_ count: Int, answered: Bool, _ s: inout State) -> Bool {
        s.bytes += UInt64(count)
        if answered && count > 0 { s.reads += 1 }
        return s.consumer.consume(count)
    }

    // MARK: Poll and statistics

    /// `POLLIN` when data (or the end) is there, `POLLHUP` once the writer is gone.
    func pollEvents() -> PollEvents {
        state.withLock { s in
            var events: PollEvents = []
            var available = readable(s)
            if available == 0 && endpoint.mine == .on && !atEnd(s) { available = s.consumer.prepareToWait() }
            if available > 0 || atEnd(s) { events.formUnion(.input) }
            if atEnd(s) { events.insert(.hangUp) }
            return events
        }
    }

    /// (read calls that moved bytes, bytes read).
    var statistics: (reads: UInt32, bytes: UInt64) {
        state.withLock { ($0.reads, $0.bytes) }
    }
}
