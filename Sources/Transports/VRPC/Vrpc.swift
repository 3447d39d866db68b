// SPDX-License-Identifier: Apache-2.0
import Dispatch
public import Platform
import Synchronization
import VlinkLib

/// `struct vrpc_t`.
public typealias vrpc_t = Vrpc

/// One end of a virtual RPC device (`vrpc_t`, manual lines 11090–11318): the
/// server end runs the call routine, the client end calls it. One call at a
/// time per device (line 11293): the request and the response share the data
/// buffer, in place.
public final class Vrpc: Sendable {
    enum Mode {
        case closed
        case server(call: vrpc_call_t, cookie: (any Sendable)?, direct: Bool)
        case client(ready: vrpc_ready_t, cookie: (any Sendable)?, session: VlinkSession)
    }

    struct State {
        var mode = Mode.closed
        /// Server: the last request answered. Client: the last request sent and
        /// the one still unanswered (a timed-out busy call), 0 for none.
        var served: UInt32 = 0
        var sent: UInt32 = 0
        var pending: UInt32 = 0
        /// Server: requests refused for a size the buffer cannot hold.
        var refused = 0
    }

    let vlink: Vlink
    let block: VrpcBlock
    /// The xirq this end is rung on, and the one it rings at the peer.
    let own: NkXIrq, peer: NkXIrq
    /// The device name (`info`).
    public let name: String
    /// Whether this is the server end.
    public let isServer: Bool
    private let state = Mutex(State())
    private let held = Atomic<Bool>(false)
    private let calls = DispatchSemaphore(value: 1)
    private let wake = DispatchSemaphore(value: 0)
    private let thread: DispatchQueue

    init(vlink: Vlink, block: VrpcBlock, own: NkXIrq, peer: NkXIrq, name: String) {
        self.vlink = vlink
        self.block = block
        self.own = own
        self.peer = peer
        self.name = name
        self.isServer = vlink.server
        self.thread = DispatchQueue(label: "vrpc.\(name).\(vlink.endpoint.link)")
    }

    /// `vlink_init` of the module: maps the block, allocates both xirqs,
    /// attaches this end's handler and registers the RESET and UP operations.
    static func initialise(_ vlink: Vlink) -> Int32 {
        let endpoint = vlink.endpoint
        let nkddi = endpoint.nkddi
        let info = VrpcInfo(endpoint.serverInfo)
        let mine = VrpcInfo(vlink.server ? endpoint.serverInfo : endpoint.clientInfo)
        let client = nkddi.nk_pxirq_alloc(endpoint.plink, 0, endpoint.record.c_id, 1)
        let server = nkddi.nk_pxirq_alloc(endpoint.plink, 1, endpoint.record.s_id, 1)
        guard client != 0, server != 0, let block = VrpcBlock.map(endpoint, size: info.size) else {
            return VlinkReturn.ENOMEM
        }
        let vrpc = Vrpc(
            vlink: vlink, block: block, own: vlink.server ? server : client, peer: vlink.server ? client : server,
            name: mine.name.isEmpty ? info.name : mine.name)
        _ = nkddi.nk_xirq_attach(vrpc.own, { [weak vrpc] _, _ in vrpc?.rung() }, nil)
        vlink.vlink_op_register(.reset) { [weak vrpc] _, _ in
            vrpc?.resetEnd()
            return 0
        }
        vlink.vlink_op_register(.up) { [weak vrpc] _, _ in
            vrpc?.becameReady()
            return 0
        }
        vlink.private = vrpc
        return 0
    }

    func hold() -> Bool {
        held.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }

    // MARK: Information (lines 11134–11190)

    /// `vrpc_release`: another lookup may find this end again.
    public func vrpc_release() { held.store(false, ordering: .releasing) }
    /// `vrpc_peer_id`.
    public func vrpc_peer_id() -> NkOsId { vlink.id_peer }
    /// `vrpc_data`: the RPC data buffer.
    public func vrpc_data() -> SharedPointer { block.data }
    /// `vrpc_maxsize`.
    public func vrpc_maxsize() -> vrpc_size_t { vrpc_size_t(block.size) }
    /// Server: requests refused because their size exceeded the buffer.
    public var refusedRequests: Int { state.withLock { $0.refused } }
}

extension Vrpc {
    // MARK: Open and close (lines 11192–11250)

    /// `vrpc_server_open`: `call` answers every request, from the xirq when
    /// `direct`, else from a thread of this end. 0, or `-EFAULT` when this is
    /// not a server end, is already open, or could not be set up.
    public func vrpc_server_open(_ call: @escaping vrpc_call_t, _ cookie: (any Sendable)?, _ direct: Bool) -> Int32 {
        let opened = state.withLock { s -> Bool in
            guard isServer, vlink.state != .clean, case .closed = s.mode else { return false }
            s.mode = .server(call: call, cookie: cookie, direct: direct)
            return true
        }
        guard opened else { return VrpcReturn.EFAULT }
        if vlink.start() { vlink.announce() }
        rung()  // a request placed before the open
        return VrpcReturn.ok
    }

    /// `vrpc_client_open`: connects; `ready(cookie)` runs each time the server
    /// side is ready. Opening again after the server went away (the calls said
    /// `-EAGAIN`) reconnects. 0, or `-EFAULT`.
    public func vrpc_client_open(_ ready: @escaping vrpc_ready_t, _ cookie: (any Sendable)?) -> Int32 {
        let wake = self.wake
        let (status, session) = vlink.vlink_session_create(nil) { _ in
            wake.signal()
            return 0
        }
        guard status == 0, let session else { return VrpcReturn.EFAULT }
        let opened = state.withLock { s -> Bool in
            guard !isServer else { return false }
            switch s.mode {
            case .server: return false
            case .client(_, _, let old) where old.state != .aborted: return false
            default: break
            }
            s.mode = .client(ready: ready, cookie: cookie, session: session)
            return true
        }
        guard opened else {
            session.vlink_session_destroy()
            return VrpcReturn.EFAULT
        }
        let wasUp = vlink.state == .up
        if vlink.start() { vlink.announce() }
        if wasUp { ready(cookie) }
        return VrpcReturn.ok
    }

    /// `vrpc_close`: a waiting call ends with `-EAGAIN`; this end goes OFF.
    public func vrpc_close() {
        let session = state.withLock { s -> VlinkSession? in
            defer { s.mode = .closed }
            if case .client(_, _, let session) = s.mode { return session }
            return nil
        }
        if let session {
            session.vlink_session_destroy()
            vlink.vlink_sessions_cancel()
            vlink.vlink_sessions_start()
        }
        if vlink.stop() { vlink.announce() }
        wake.signal()
    }

    /// RESET of either end: no request, no reply. A client keeps counting its
    /// requests: a reply that a previous server wrote late can never match a
    /// new request's number.
    func resetEnd() {
        block.reset()
        state.withLock { s in
            s.served = 0
            s.pending = 0
        }
    }

    /// UP: a client's `ready`.
    func becameReady() {
        if case .client(let ready, let cookie, _) = state.withLock({ $0.mode }) { ready(cookie) }
    }
}

extension Vrpc {
    // MARK: The call (lines 11252–11297)

    /// `vrpc_call`: sends the `size` bytes of the data buffer and blocks until
    /// the server answered; `size` is then the response's. 0; `-EAGAIN` when the
    /// server went away (or the end was closed); `-EFAULT` otherwise.
    public func vrpc_call(_ size: inout vrpc_size_t) -> Int32 {
        call(&size, deadline: nil)
    }

    /// `vrpc_call_busy`: the same, busy-waiting at most `timeout_ms`; then
    /// `-ETIMEDOUT`, and the request may still complete in the server: the next
    /// call first waits for it (requests are serialised, line 11293).
    public func vrpc_call_busy(_ size: inout vrpc_size_t, _ timeout_ms: nku32_f) -> Int32 {
        call(&size, deadline: ContinuousClock.now + .milliseconds(Int(timeout_ms)))
    }

    private func call(_ size: inout vrpc_size_t, deadline: ContinuousClock.Instant?) -> Int32 {
        guard case .client(_, _, let session) = state.withLock({ $0.mode }) else { return VrpcReturn.EFAULT }
        guard Int(size) <= block.size else { return VrpcReturn.EFAULT }
        calls.wait()
        defer { calls.signal() }
        defer { session.vlink_session_leave() }
        guard session.vlink_session_enter_and_test_alive() == 0 else { return VrpcReturn.EAGAIN }
        let pending = state.withLock { $0.pending }
        if pending != 0 {
            let status = waitForReply(pending, session, deadline: nil)
            guard status == 0 else { return status }
        }
        let number = state.withLock { s -> UInt32 in
            s.sent = s.sent == UInt32.max ? 1 : s.sent + 1
            s.pending = s.sent
            return s.sent
        }
        block.store(VrpcBlock.reqSize, size)
        block.store(VrpcBlock.request, number)  // releasing: the data and size before it
        vlink.endpoint.nkddi.nk_xirq_trigger(peer, vlink.id_peer)
        let status = waitForReply(number, session, deadline: deadline)
        guard status == 0 else { return status }
        let answer = block.load(VrpcBlock.repSize)
        guard Int(answer) <= block.size else { return VrpcReturn.EFAULT }  // a peer's garbage
        size = answer
        return VrpcReturn.ok
    }

    /// Waits until the server answered request `number`, the session aborted,
    /// or the deadline passed (busy-waiting when there is one).
    private func waitForReply(_ number: UInt32, _ session: VlinkSession, deadline: ContinuousClock.Instant?) -> Int32 {
        while block.load(VrpcBlock.reply) != number {
            if session.state == .aborted { return VrpcReturn.EAGAIN }
            if let deadline {
                if ContinuousClock.now >= deadline { return VrpcReturn.ETIMEDOUT }
            } else {
                wake.wait()
            }
        }
        state.withLock { if $0.pending == number { $0.pending = 0 } }
        return VrpcReturn.ok
    }

    // MARK: The server

    /// This end's xirq: a request arrived (server), the reply arrived (client).
    func rung() {
        guard isServer else {
            wake.signal()
            return
        }
        guard case .server(_, _, let direct) = state.withLock({ $0.mode }) else { return }
        if direct { serve() } else { thread.async { [self] in serve() } }
    }

    /// Answers the request in the block if it is a new one.
    private func serve() {
        guard case .server(let call, let cookie, _) = state.withLock({ $0.mode }) else { return }
        let number = block.load(VrpcBlock.request)  // acquiring: the size and data after it
        guard number != 0, number != state.withLock({ $0.served }) else { return }
        let size = block.load(VrpcBlock.reqSize)
        var answer = UInt32.max  // refused: the client's call says -EFAULT
        if Int(size) <= block.size {
            answer = min(call(cookie, size), vrpc_size_t(block.size))
        } else {
            state.withLock { $0.refused += 1 }
        }
        state.withLock { $0.served = number }
        block.store(VrpcBlock.repSize, answer)
        block.store(VrpcBlock.reply, number)
        vlink.endpoint.nkddi.nk_xirq_trigger(peer, vlink.id_peer)
    }
}
