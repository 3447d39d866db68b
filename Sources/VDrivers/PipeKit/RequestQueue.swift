// SPDX-License-Identifier: Apache-2.0
import PlatformViews
import Synchronization
import VlinkLib

/// A `read(2)` or `write(2)` that may have to wait for its ring.
protocol RingRequest: DeviceRequest {
    /// Keeps the request to answer it later (the caller blocks until then).
    @discardableResult func suspend() -> Self
}

extension DeviceReadRequest: RingRequest {}
extension DeviceWriteRequest: RingRequest {}

/// What one look at the ring did for a request.
struct Attempt {
    var effects = ChannelEffects()
    /// The request must wait (it is not answered).
    var waits = false
}

/// A reading or writing channel: its requests wait in a `RequestQueue`, which
/// calls `attempt`, `idle` and `settle` under the channel's lock.
protocol RingChannel: AnyObject, Sendable {
    associatedtype State: Sendable
    associatedtype Request: RingRequest
    /// My vlink (the driver kit's end).
    var vlink: Vlink { get }
    /// Its record and state words.
    var endpoint: VlinkEndpoint { get }
    /// Its xirqs.
    var xirqs: PipeXirqs { get }
    /// Lends my queue (my lock, my state, my waiting requests) to `body`.
    func withQueue<R>(_ body: (borrowing RequestQueue<Self>) -> R) -> R
    /// Answers `request` if the pipe rules allow it now, else says it must wait.
    func attempt(_ request: Request, _ s: inout State) -> Attempt
    /// Nobody waits any more: lower my wait flag (vbpipe).
    func idle(_ s: inout State)
    /// After a new request was answered, or the waiting ones served: what else
    /// the ring calls for (the reader resets once a departed writer is drained).
    func settle(_ s: inout State) -> ChannelEffects
    /// `request` was interrupted and left the queue, answered with what it had
    /// moved (EINTR when nothing): a partial count still counts as a call.
    func interrupted(_ request: Request, _ s: inout State)
}

extension RingChannel {
    func settle(_ s: inout State) -> ChannelEffects { ChannelEffects() }

    /// A new `read(2)` or `write(2)`.
    func submit(_ request: Request) -> ChannelEffects {
        withQueue { $0.submit(request, to: self) }
    }

    /// Serves the waiting requests after a handshake.
    func serve() -> ChannelEffects {
        withQueue { $0.serve(self) }
    }

    /// The peer's data or room xirq: serves the waiting requests, if any.
    func serveIfWaiting() -> ChannelEffects {
        withQueue { $0.serveIfWaiting(self) }
    }

    /// Drops a waiting request the caller interrupted.
    func cancel(_ request: Request) {
        withQueue { $0.cancel(request, of: self) }
    }
}

/// A channel's state behind its lock, with the requests waiting for the ring
/// (answered oldest first), and `sleepers`: how many wait, readable without the
/// lock, so that the peer's xirq with nobody waiting returns at once
/// (`serveIfWaiting`) instead of contending for the lock.
struct RequestQueue<Channel: RingChannel>: ~Copyable, Sendable {
    struct Locked: Sendable {
        var state: Channel.State
        var waiting: [Channel.Request] = []
    }

    private let locked: Mutex<Locked>
    private let sleepers = Atomic<Int>(0)

    init(_ state: Channel.State) {
        locked = Mutex(Locked(state: state))
    }

    /// Runs `body` on the channel's state under the lock.
    func withLock<R: Sendable>(_ body: (inout Channel.State) -> R) -> R {
        locked.withLock { body(&$0.state) }
    }

    /// A new request: queued behind those already waiting; else answered now if
    /// the ring allows it, or queued and the ring looked at again.
    func submit(_ request: Channel.Request, to channel: Channel) -> ChannelEffects {
        locked.withLock { l in
            guard l.waiting.isEmpty else {
                l.waiting.append(request.suspend())
                return ChannelEffects()
            }
            var outcome = channel.attempt(request, &l.state)
            if outcome.waits {
                l.waiting.append(request.suspend())
                sleepers.store(l.waiting.count, ordering: .sequentiallyConsistent)
                outcome.effects.merge(serve(&l, channel))  // look again: see serveIfWaiting
            } else {
                outcome.effects.merge(channel.settle(&l.state))
            }
            return outcome.effects
        }
    }

    /// Serves the waiting requests (after a handshake).
    func serve(_ channel: Channel) -> ChannelEffects {
        locked.withLock { serve(&$0, channel) }
    }

    /// The peer's data or room xirq: serves the waiting requests, if any. A
    /// request about to wait announces itself in `sleepers` and then looks at
    /// the ring again (`submit`), so skipping here never loses data published,
    /// or room freed, meanwhile.
    func serveIfWaiting(_ channel: Channel) -> ChannelEffects {
        sleepers.load(ordering: .sequentiallyConsistent) > 0 ? serve(channel) : ChannelEffects()
    }

    private func serve(_ l: inout Locked, _ channel: Channel) -> ChannelEffects {
        var effects = ChannelEffects()
        while let request = l.waiting.first {
            let outcome = channel.attempt(request, &l.state)
            effects.merge(outcome.effects)
            if outcome.waits { break }
            l.waiting.removeFirst()
        }
        if l.waiting.isEmpty { channel.idle(&l.state) }
        sleepers.store(l.waiting.count, ordering: .sequentiallyConsistent)
        effects.merge(channel.settle(&l.state))
        return effects
    }

    /// Drops a waiting request the caller interrupted.
    func cancel(_ request: Channel.Request, of channel: Channel) {
        locked.withLock { l in
            l.waiting.removeAll { $0 === request }
            channel.interrupted(request, &l.state)
            sleepers.store(l.waiting.count, ordering: .sequentiallyConsistent)
        }
    }
}
