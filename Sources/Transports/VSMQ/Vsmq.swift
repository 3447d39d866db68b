// SPDX-License-Identifier: Apache-2.0
import Platform
import Synchronization
import VlinkLib

/// `vsmq_link_id_t`: a local vlink identifier (vlm: the vlink's address).
public typealias vsmq_link_id_t = UInt64
/// `vsmq_vm_id_t`.
public typealias vsmq_vm_id_t = UInt32
/// `vsmq_call_back_t` (vsmq.h:31).
public typealias vsmq_call_back_t = @Sendable (_ cookie: (any Sendable)?) -> Void

/// `struct vsmq_cb_ops_t` (vsmq.h:33): `sysconf` on each state transition of
/// the peer's end, `receive` each time messages arrive.
public struct vsmq_cb_ops_t: Sendable {
    public var sysconf: vsmq_call_back_t?
    public var receive: vsmq_call_back_t?

    public init(sysconf: vsmq_call_back_t? = nil, receive: vsmq_call_back_t? = nil) {
        self.sysconf = sysconf
        self.receive = receive
    }
}

/// The return codes of VSMQ (§7.2.4; positive, as the manual writes them).
public enum VsmqReturn {
    public static let ok: Int32 = 0
    public static let EAGAIN: Int32 = 11
    public static let ENOMEM: Int32 = 12
    public static let EINVAL: Int32 = 22
    public static let ENOMSG: Int32 = 42
    public static let ENOTCONN: Int32 = 107
}

/// One end of one one-way VSMQ vlink (the manual's `void* handle`): a
/// transmission (client) end that allocates and sends, or a reception (server)
/// end that receives and frees (§7.2, manual lines 15839–16377; VSMQ(4D),
/// lines 12691–12747).
public final class Vsmq: Sendable {
    struct State {
        var ring: VsmqRing?
        var ops = vsmq_cb_ops_t()
        var cookie: (any Sendable)?
        /// TX: messages allocated, and which of them are sent; RX: messages
        /// received, and which of them are freed. Free-running numbers.
        var taken: UInt32 = 0
        var done: UInt32 = 0
        var finished = Set<UInt32>()
        var peerWord: Int32 = -1
        var stats = VsmqStats()
    }

    let vlink: Vlink
    /// Whether this is a transmission (client) end.
    public let isTransmitter: Bool
    /// `msg_size` and `queue_size`.
    public let messageSize: UInt32, queueSize: UInt32
    let module: VSMQ
    let state = Mutex(State())

    init(vlink: Vlink, messageSize: UInt32, queueSize: UInt32, module: VSMQ) {
        self.vlink = vlink
        self.isTransmitter = !vlink.server
        self.messageSize = messageSize
        self.queueSize = queueSize
        self.module = module
        vlink.vlink_op_register(.reset) { [weak self] _, _ in
            self?.reset()
            return 0
        }
        if vlink.server {
            let xirq = vlink.endpoint.nkddi.nk_pxirq_alloc(vlink.endpoint.plink, 0, vlink.endpoint.record.s_id, 1)
            if xirq != 0 {
                _ = vlink.endpoint.nkddi.nk_xirq_attach(xirq, { [weak self] _, _ in self?.arrived() }, nil)
            }
        }
    }

    var name: String { module.name(of: self) }

    // MARK: Identity (§7.2.4.6–9)

    /// `vsmq_link_is_online`: both ends ready.
    public func vsmq_link_is_online() -> Bool { vlink.state == .up }
    /// `vsmq_link_id`.
    public func vsmq_link_id() -> vsmq_link_id_t { vsmq_link_id_t(vlink.endpoint.plink) }
    /// `vsmq_my_vmid`.
    public func vsmq_my_vmid() -> vsmq_vm_id_t { vsmq_vm_id_t(vlink.id) }
    /// `vsmq_peer_vmid`.
    public func vsmq_peer_vmid() -> vsmq_vm_id_t { vsmq_vm_id_t(vlink.id_peer) }
    /// The counters of `/proc/nk/vsmq-…`.
    public var stats: VsmqStats { state.withLock { $0.stats } }

    /// Ready locally: started, my end RESET or ON.
    var isLocallyReady: Bool { vlink.target == .up && vlink.endpoint.mine != .off }

    // MARK: Start and stop (§7.2.4.4, 5, 16, 17)

    /// `vsmq_cb_register`.
    public func vsmq_cb_register(_ ops: vsmq_cb_ops_t, _ cookie: (any Sendable)?) {
        state.withLock { s in
            s.ops = ops
            s.cookie = cookie
        }
    }

    /// `vsmq_start`: maps the queue (PMEM) and the xirq, and starts the
    /// handshake. 0, or `ENOMEM`.
    public func vsmq_start() -> Int32 {
        let mapped = state.withLock { s -> Bool in
            if s.ring == nil {
                s.ring = VsmqRing.map(vlink.endpoint, queueSize: queueSize, messageSize: messageSize)
            }
            return s.ring != nil
        }
        guard mapped, vlink.state != .clean else { return VsmqReturn.ENOMEM }
        if vlink.start() { announce() }
        return VsmqReturn.ok
    }

    /// `vsmq_stop`: my end not ready; the peer gets `sysconf`.
    public func vsmq_stop() {
        if vlink.stop() { announce() }
    }

    /// `vsmq_free`: the handle is done (after `vsmq_stop`).
    public func vsmq_free() {
        vsmq_stop()
        module.forget(self)
    }

    private func announce() {
        vlink.announce()
        state.withLock { $0.stats.txSysconf += 1 }
    }

    /// RESET of my end: an empty queue (what was in flight is dropped).
    func reset() {
        state.withLock { s in
            s.ring?.store(isTransmitter ? VsmqRing.sent : VsmqRing.freed, 0)
            s.taken = 0
            s.done = 0
            s.finished.removeAll()
            s.stats.resets += 1
        }
    }

    /// After a SYSCONF: `sysconf` when the peer's word changed.
    func sysconf() {
        let word = vlink.endpoint.isServer ? vlink.endpoint.clientWord : vlink.endpoint.serverWord
        let call = state.withLock { s -> (vsmq_call_back_t, (any Sendable)?)? in
            guard s.peerWord != word else { return nil }
            s.peerWord = word
            s.stats.rxSysconf += 1
            return s.ops.sysconf.map { ($0, s.cookie) }
        }
        if let (callback, cookie) = call { callback(cookie) }
        if !isTransmitter { arrived() }  // early messages of a peer that just came up
    }

    /// The receiver's xirq: messages arrived.
    func arrived() {
        let call = state.withLock { s -> (vsmq_call_back_t, (any Sendable)?)? in
            s.stats.irqs += 1
            return s.ops.receive.map { ($0, s.cookie) }
        }
        if let (callback, cookie) = call { callback(cookie) }
    }
}

extension Vsmq {
    // MARK: Transmission (§7.2.4.10–13)

    /// `vsmq_msg_allocate`: the next free message of the queue. `ENOTCONN`
    /// offline, `EAGAIN` full, `EINVAL` corrupt, or not a transmission end.
    public func vsmq_msg_allocate() -> (Int32, VsmqMsg?) {
        guard vsmq_link_is_online() else { return (VsmqReturn.ENOTCONN, nil) }
        return allocate()
    }

    /// `vsmq_msg_allocate_early`: the same while offline, once my end is ready.
    public func vsmq_msg_allocate_early() -> (Int32, VsmqMsg?) {
        guard isLocallyReady else { return (VsmqReturn.ENOTCONN, nil) }
        return allocate()
    }

    private func allocate() -> (Int32, VsmqMsg?) {
        state.withLock { s in
            guard isTransmitter, let ring = s.ring else { return (VsmqReturn.EINVAL, nil) }
            let freed = ring.load(VsmqRing.freed)
            guard ring.consistent(sent: s.done, freed: freed) else { return (VsmqReturn.EINVAL, nil) }
            guard s.taken &- freed < queueSize else { return (VsmqReturn.EAGAIN, nil) }
            let number = s.taken
            s.taken &+= 1
            s.stats.allocated += 1
            return (
                VsmqReturn.ok,
                VsmqMsg(number: number, queue: ObjectIdentifier(self), body: ring.slot(number), size: Int(messageSize))
            )
        }
    }

    /// `vsmq_msg_send`: enqueues an allocated message. `ENOTCONN` offline,
    /// `EINVAL` for a message that is not this queue's or was sent already.
    public func vsmq_msg_send(_ msg: VsmqMsg) -> Int32 {
        guard vsmq_link_is_online() else { return VsmqReturn.ENOTCONN }
        return send(msg)
    }

    /// `vsmq_msg_send_early`: the same while offline; the peer receives it once it is ready.
    public func vsmq_msg_send_early(_ msg: VsmqMsg) -> Int32 {
        guard isLocallyReady else { return VsmqReturn.ENOTCONN }
        return send(msg)
    }

    private func send(_ msg: VsmqMsg) -> Int32 {
        let published = state.withLock { s -> Bool? in
            guard isTransmitter, msg.queue == ObjectIdentifier(self), let ring = s.ring,
                msg.number &- s.done < s.taken &- s.done, !s.finished.contains(msg.number)
            else { return nil }
            s.finished.insert(msg.number)
            let before = s.done
            while s.finished.remove(s.done) != nil { s.done &+= 1 }
            s.stats.messages += 1
            guard s.done != before else { return false }
            ring.store(VsmqRing.sent, s.done)  // releasing: the bodies before it
            s.stats.irqs += 1
            return true
        }
        guard let published else { return VsmqReturn.EINVAL }
        if published { ring() }
        return VsmqReturn.ok
    }

    /// Rings the receiver.
    private func ring() {
        let endpoint = vlink.endpoint
        let xirq = endpoint.nkddi.nk_pxirq_alloc(endpoint.plink, 0, endpoint.record.s_id, 1)
        if xirq != 0 { endpoint.nkddi.nk_xirq_trigger(xirq, vlink.id_peer) }
    }

    // MARK: Reception (§7.2.4.14–15)

    /// `vsmq_msg_receive`: the next message. `ENOMSG` when none, `EINVAL` when
    /// the peer's counter is corrupt or this is not a reception end.
    public func vsmq_msg_receive() -> (Int32, VsmqMsg?) {
        state.withLock { s in
            guard !isTransmitter, let ring = s.ring else { return (VsmqReturn.EINVAL, nil) }
            guard vlink.endpoint.mine == .on else { return (VsmqReturn.ENOMSG, nil) }
            let sent = ring.load(VsmqRing.sent)  // acquiring: the bodies after it
            guard ring.consistent(sent: sent, freed: s.done), s.taken &- s.done <= sent &- s.done else {
                s.stats.refused += 1
                return (VsmqReturn.EINVAL, nil)
            }
            guard s.taken != sent else { return (VsmqReturn.ENOMSG, nil) }
            let number = s.taken
            s.taken &+= 1
            s.stats.messages += 1
            return (
                VsmqReturn.ok,
                VsmqMsg(number: number, queue: ObjectIdentifier(self), body: ring.slot(number), size: Int(messageSize))
            )
        }
    }

    /// `vsmq_msg_free`: gives a received message's slot back. `EINVAL` for a
    /// message that is not this queue's, or freed already.
    public func vsmq_msg_free(_ msg: VsmqMsg) -> Int32 {
        state.withLock { s in
            guard !isTransmitter, msg.queue == ObjectIdentifier(self), let ring = s.ring,
                msg.number &- s.done < s.taken &- s.done, !s.finished.contains(msg.number)
            else { return VsmqReturn.EINVAL }
            s.finished.insert(msg.number)
            while s.finished.remove(s.done) != nil { s.done &+= 1 }
            ring.store(VsmqRing.freed, s.done)
            s.stats.freed += 1
            return VsmqReturn.ok
        }
    }
}
