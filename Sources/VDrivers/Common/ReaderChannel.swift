// SPDX-License-Identifier: Apache-2.0
import PlatformViews
import Synchronization

/// The reading half of a pipe: this VM's server end of a vlink, whose ring it
/// consumes. Serves `read(2)` with the pipe rules of VPIPE(4D)/VBPIPE(4D):
/// data when there is some; EOF once the writer left and what it wrote is
/// drained; otherwise wait (or EAGAIN).
final class ReaderChannel: Sendable {
    struct State {
        var consumer: RingConsumer
        /// The writer's last `c_idx`, captured when it left ON: what is left to drain.
        var draining: UInt32?
        var isOpen = false
        var waiting: [DeviceReadRequest] = []
        var reads: UInt32 = 0
        var bytes: UInt64 = 0
    }

    let endpoint: VlinkEndpoint
    let xirqs: PipeXirqs
    /// Without the vbpipe `a` flag, a blocking read waits for all `count` bytes.
    let readAll: Bool
    let dataSize: Int
    private let state: Mutex<State>
    /// `waiting.count`, readable without the lock: an xirq with nobody waiting
    /// returns at once (`serveIfWaiting`) instead of contending for `state`.
    private let sleepers = Atomic<Int>(0)

    init(endpoint: VlinkEndpoint, ring: ExRing, xirqs: PipeXirqs, readAll: Bool) {
        self.endpoint = endpoint
        self.xirqs = xirqs
        self.readAll = readAll
        self.dataSize = ring.dataSize
        self.state = Mutex(State(consumer: RingConsumer(ring: ring)))
    }

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

    // MARK: Handshake

    /// Re-runs the handshake (after a SYSCONF, an open, a drain).
    func handshake() -> ChannelEffects {
        state.withLock { handshake(&$0) }
    }

    private func handshake(_ s: inout State) -> ChannelEffects {
        var changed = false
        if endpoint.mine == .on {
            let down = endpoint.handshake(mayReset: false) {}
            if down.wentDown { s.draining = s.consumer.ring.clientIndex }
            changed = down.changed
        }
        let drained = s.draining.map { s.consumer.available(limit: $0) == 0 } ?? true
        let up = endpoint.handshake(mayReset: s.isOpen && drained) {
            s.consumer.reset()
            s.draining = nil
        }
        return ChannelEffects(notify: false, sysconf: changed || up.changed)
    }

    /// First open (`true`) or last close (`false`). Closing takes my end OFF.
    func setOpen(_ open: Bool) -> ChannelEffects {
        state.withLock { s in
            s.isOpen = open
            if open { return handshake(&s) }
            s.consumer.awake()
            s.draining = nil
            let wasOff = endpoint.mine == .off
            endpoint.setMine(.off)
            return ChannelEffects(notify: false, sysconf: !wasOff)
        }
    }

    /// Whether a blocking open may complete: the link is up, or a writer that
    /// already left wrote something.
    var isReadyForOpen: Bool {
        state.withLock { s in (endpoint.mine == .on && endpoint.peerState == .on) || readable(s) > 0 }
    }
}

extension ReaderChannel {
    // MARK: Reads

    /// A new `read(2)`.
    func read(_ request: DeviceReadRequest) -> ChannelEffects {
        state.withLock { s in
            guard s.waiting.isEmpty else {
                s.waiting.append(request.suspend())
                return ChannelEffects()
            }
            var outcome = attempt(request, &s)
            if outcome.waits {
                s.waiting.append(request.suspend())
                sleepers.store(s.waiting.count, ordering: .sequentiallyConsistent)
                outcome.effects.merge(serveLocked(&s))  // look again: see serveIfWaiting
            } else {
                outcome.effects.merge(settleDrain(&s))
            }
            return outcome.effects
        }
    }

    /// Serves the waiting reads after a handshake.
    func serve() -> ChannelEffects {
        state.withLock { serveLocked(&$0) }
    }

    /// The data xirq: serves the waiting reads, if any. A read about to wait
    /// announces itself in `sleepers` and then looks at the ring again
    /// (`read`), so skipping here never loses data published meanwhile.
    func serveIfWaiting() -> ChannelEffects {
        sleepers.load(ordering: .sequentiallyConsistent) > 0 ? serve() : ChannelEffects()
    }

    private func serveLocked(_ s: inout State) -> ChannelEffects {
        var effects = ChannelEffects()
        while let request = s.waiting.first {
            let outcome = attempt(request, &s)
            effects.merge(outcome.effects)
            if outcome.waits { break }
            s.waiting.removeFirst()
        }
        if s.waiting.isEmpty { s.consumer.awake() }
        sleepers.store(s.waiting.count, ordering: .sequentiallyConsistent)
        effects.merge(settleDrain(&s))
        return effects
    }

    /// Drops a waiting read the caller interrupted.
    func cancel(_ request: DeviceReadRequest) {
        state.withLock { s in
            s.waiting.removeAll { $0 === request }
            sleepers.store(s.waiting.count, ordering: .sequentiallyConsistent)
        }
    }

    /// Once the departed writer's data is drained, the end may reset for the next one.
    private func settleDrain(_ s: inout State) -> ChannelEffects {
        guard s.draining != nil, readable(s) == 0 else { return ChannelEffects() }
        return handshake(&s)
    }
}

extension ReaderChannel {
    struct Attempt {
        var effects = ChannelEffects()
        /// The request must wait (it is not answered).
        var waits = false
    }

    /// Answers `request` if the pipe rules allow it now.
    private func attempt(_ request: DeviceReadRequest, _ s: inout State) -> Attempt {
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
