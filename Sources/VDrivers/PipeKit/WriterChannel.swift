// SPDX-License-Identifier: Apache-2.0
import PlatformViews
import VlinkLib

/// The writing half of a pipe: this VM's client end of a vlink, whose ring it
/// fills. Serves `write(2)` with the pipe rules of VPIPE(4D)/VBPIPE(4D): all
/// bytes (waiting for room), EPIPE once the reader is not ON, and with
/// `O_NONBLOCK` all-or-nothing up to the ring size, partial beyond it.
final class WriterChannel: RingChannel {
    struct State {
        var producer: RingProducer
        var writes: UInt32 = 0
        var bytes: UInt64 = 0
    }

    let vlink: Vlink
    let xirqs: PipeXirqs
    let dataSize: Int
    private let state: RequestQueue<WriterChannel>

    init(vlink: Vlink, ring: ExRing, xirqs: PipeXirqs) {
        self.vlink = vlink
        self.xirqs = xirqs
        self.dataSize = ring.dataSize
        self.state = RequestQueue(State(producer: RingProducer(ring: ring)))
    }

    var endpoint: VlinkEndpoint { vlink.endpoint }

    /// Both ends ON: bytes may go into the ring.
    private var isUp: Bool { endpoint.mine == .on && endpoint.peerState == .on }
    /// The reader is gone (EPIPE); otherwise it is there or coming up.
    private var readerGone: Bool { (endpoint.peerState ?? .off) == .off }

    /// Whether a blocking open may complete: the link is up.
    var isReadyForOpen: Bool { isUp }

    // MARK: Writes

    /// My queue: `writes` that wait for the ring (see `RingChannel` for the rest).
    func withQueue<R>(_ body: (borrowing RequestQueue<WriterChannel>) -> R) -> R {
        body(state)
    }

    /// No write waits any more: lower `c_wait`.
    func idle(_ s: inout State) {
        s.producer.awake()
    }

    /// An interrupted write returned the count it had taken: it counts if that was something.
    func interrupted(_ request: DeviceWriteRequest, _ s: inout State) {
        if request.written > 0 { s.writes += 1 }
    }
}

extension WriterChannel: PipeChannel {
    // MARK: Handshake operations (run by the vlink's engine, see Vlink.settle)

    func registerOps() {
        vlink.vlink_ops_register([
            VlinkOpDesc(.reset) { [unowned self] _, _ in
                state.withLock { $0.producer.reset() }
                return VlinkReturn.ok
            },
            // The last close: no write waits.
            VlinkOpDesc(.stop) { [unowned self] _, _ in
                state.withLock { $0.producer.awake() }
                return VlinkReturn.ok
            },
        ])
    }
}

extension WriterChannel {
    /// Takes what the pipe rules allow of `request` now, or says it must wait
    /// for room (or for the link to come up).
    func attempt(_ request: DeviceWriteRequest, _ s: inout State) -> Attempt {
        guard !request.isCancelled else { return Attempt() }
        guard isUp else {
            if readerGone {
                _ = request.written > 0 ? request.complete() : request.fail(.epipe)
                return Attempt()
            }
            if request.isNonBlocking { answerNonBlocking(request) }
            return Attempt(waits: !request.isNonBlocking)
        }
        if request.isNonBlocking && request.written == 0 && request.count <= dataSize
            && s.producer.room() < request.count
        {
            request.fail(.eagain)  // a "small" non-blocking write is all or nothing
            return Attempt()
        }
        var result = Attempt()
        var room = s.producer.room()
        while true {
            let take = min(room, request.remaining)
            if take > 0 {
                request.withRemainingBytes { s.producer.stage($0, count: take) }
                guard request.commitWritten(take) else { return result }  // interrupted: not published
                if s.producer.publish(take) { result.effects.notify = true }
                s.bytes += UInt64(take)
            }
            if request.remaining == 0 || request.isNonBlocking {
                if request.written == 0 && request.count > 0 {
                    request.fail(.eagain)
                } else if request.complete() {
                    s.writes += 1
                }
                return result
            }
            // Bytes left: raise c_wait (vbpipe), then look again. Raising it only
            // when the ring was full at the start lost the wake-up of a write that
            // filled the ring itself (it then waited with c_wait low).
            room = s.producer.prepareToWait()
            if room == 0 {
                result.waits = true
                return result
            }
        }
    }

    private func answerNonBlocking(_ request: DeviceWriteRequest) {
        _ = request.written > 0 ? request.complete() : request.fail(.eagain)
    }

    // MARK: Poll and statistics

    /// `POLLOUT` when there is room; `POLLERR|POLLHUP` once the reader is gone.
    func pollEvents() -> PollEvents {
        state.withLock { s in
            if readerGone { return [.error, .hangUp] }
            guard isUp else { return [] }
            var room = s.producer.room()
            if room == 0 { room = s.producer.prepareToWait() }
            return room > 0 ? .output : []
        }
    }

    /// (write calls that moved bytes, bytes written).
    var statistics: (writes: UInt32, bytes: UInt64) {
        state.withLock { ($0.writes, $0.bytes) }
    }
}
