// SPDX-License-Identifier: Apache-2.0
import Dispatch
public import Platform
import Synchronization

/// `vmbox_receive_t` (vmbox.h:30): a message from VM `vmid` in queue `vmq`.
public typealias vmbox_receive_t =
    @Sendable (_ cookie: (any Sendable)?, _ vmid: UInt32, _ vmq: Vsmq, _ msg: VsmqMsg) -> Void
/// `vmbox_link_state_t` (vmbox.h:33; its return type is lost in the manual, `void` per line 15490).
public typealias vmbox_link_state_t = @Sendable (_ cookie: (any Sendable)?, _ vmid: UInt32) -> Void

/// `struct vmbox_cb_ops_t` (vmbox.h:35).
public struct vmbox_cb_ops_t: Sendable {
    public var on: vmbox_link_state_t?
    public var off: vmbox_link_state_t?
    public var receive: vmbox_receive_t?

    public init(on: vmbox_link_state_t? = nil, off: vmbox_link_state_t? = nil, receive: vmbox_receive_t? = nil) {
        self.on = on
        self.off = off
        self.receive = receive
    }
}

/// A virtual message box (§7.1, manual lines 15477–15838; VMBOX(4D), lines
/// 12749–12775): a star of VSMQ queue pairs, one pair per peer VM, with every
/// callback of the instance on one thread of its own.
public final class VMBOX: Sendable {
    struct Peer {
        var tx: Vsmq?
        var rx: Vsmq?
        var online = false
    }

    struct State {
        var ops = vmbox_cb_ops_t()
        var cookie: (any Sendable)?
        var peers: [UInt32: Peer] = [:]
        var exited = false
    }

    private let state = Mutex(State())
    /// "All call back invocations for a given message box instance will be
    /// performed by a single thread" (§7.1.4.2).
    private let callbacks: DispatchQueue

    private init(name: String) {
        callbacks = DispatchQueue(label: "vmbox.\(name)")
    }

    /// `vmbox_init`: every vlink called `name` this VM is an end of, grouped by
    /// peer VM: the vlinks it serves are its reception queues, the ones it is
    /// the client of its transmission queues. `frontend` only matters for a
    /// loop back (both ends in this VM): the front end transmits on the first
    /// loop-back vlink and receives on the second, the back end the other way.
    /// `(EINVAL, nil)` when `msgcount` is not a power of two.
    public static func vmbox_init(
        _ nkddi: NKDDI, _ name: String, _ frontend: Bool, _ msgsize: UInt32, _ msgcount: UInt32
    ) -> (Int32, VMBOX?) {
        let vsmq = VSMQ.module(for: nkddi)
        let (status, firstRX) = vsmq.vsmq_lookup_rx(name, msgsize, msgcount)
        guard status == 0 else { return (VsmqReturn.EINVAL, nil) }
        let box = VMBOX(name: name)
        var rxs = Self.all(firstRX, vsmq)
        var txs = Self.all(vsmq.vsmq_lookup_tx(name, msgsize, msgcount).1, vsmq)
        Self.splitLoopBack(&txs, &rxs, frontend: frontend)
        box.state.withLock { s in
            for rx in rxs { s.peers[rx.vsmq_peer_vmid(), default: Peer()].rx = rx }
            for tx in txs { s.peers[tx.vsmq_peer_vmid(), default: Peer()].tx = tx }
        }
        for rx in rxs {
            rx.vsmq_cb_register(
                vsmq_cb_ops_t(
                    sysconf: { [weak box] _ in box?.linkChanged() }, receive: { [weak box, rx] _ in box?.drain(rx) }),
                nil)
        }
        for tx in txs { tx.vsmq_cb_register(vsmq_cb_ops_t(sysconf: { [weak box] _ in box?.linkChanged() }), nil) }
        for queue in rxs + txs { _ = queue.vsmq_start() }
        box.linkChanged()
        return (VsmqReturn.ok, box)
    }

    private static func all(_ first: Vsmq?, _ vsmq: VSMQ) -> [Vsmq] {
        var queues: [Vsmq] = []
        var next = first
        while let queue = next {
            queues.append(queue)
            next = vsmq.vsmq_lookup_next(queue).1
        }
        return queues
    }

    /// A loop-back pair: the front end keeps the first vlink's transmitter and
    /// the second's receiver, the back end the others.
    private static func splitLoopBack(_ txs: inout [Vsmq], _ rxs: inout [Vsmq], frontend: Bool) {
        let loops = Set(txs.filter { $0.vsmq_peer_vmid() == $0.vsmq_my_vmid() }.map { $0.vsmq_link_id() })
        guard !loops.isEmpty else { return }
        let ordered = loops.sorted()
        let mineTX = frontend ? ordered.first : ordered.dropFirst().first
        let mineRX = frontend ? ordered.dropFirst().first : ordered.first
        txs.removeAll { loops.contains($0.vsmq_link_id()) && $0.vsmq_link_id() != mineTX }
        rxs.removeAll { loops.contains($0.vsmq_link_id()) && $0.vsmq_link_id() != mineRX }
    }

    /// `vmbox_cb_ops_register`: `on` runs at once for every peer already online.
    public func vmbox_cb_ops_register(_ ops: vmbox_cb_ops_t, _ cookie: (any Sendable)?) {
        let online = state.withLock { s -> [UInt32] in
            s.ops = ops
            s.cookie = cookie
            return s.peers.filter(\.value.online).map(\.key).sorted()
        }
        callbacks.async { for vmid in online { ops.on?(cookie, vmid) } }
    }

    /// `vmbox_vms_mask`: a bit per VM this box has a vlink to.
    public func vmbox_vms_mask() -> UInt32 {
        state.withLock { s in s.peers.keys.reduce(0) { $1 < 32 ? $0 | (1 << $1) : $0 } }
    }

    // MARK: Messages (§7.1.4.4–8)

    /// `vmbox_msg_alloc`: a message to VM `vmid`. `-ENOTCONN` offline (or no
    /// vlink to that VM), `-EAGAIN` full, `-EINVAL` corrupt.
    public func vmbox_msg_alloc(_ vmid: UInt32) -> (Int32, Vsmq?, VsmqMsg?) {
        alloc(vmid, early: false)
    }

    /// `vmbox_msg_alloc_early`: the same once this end is ready.
    public func vmbox_msg_alloc_early(_ vmid: UInt32) -> (Int32, Vsmq?, VsmqMsg?) {
        alloc(vmid, early: true)
    }

    /// The link to a VM is online when both its queues are.
    private func alloc(_ vmid: UInt32, early: Bool) -> (Int32, Vsmq?, VsmqMsg?) {
        guard let peer = state.withLock({ $0.exited ? nil : $0.peers[vmid] }), let tx = peer.tx,
            early || (peer.rx?.vsmq_link_is_online() ?? false)
        else { return (-VsmqReturn.ENOTCONN, nil, nil) }
        let (status, msg) = early ? tx.vsmq_msg_allocate_early() : tx.vsmq_msg_allocate()
        return (-status, status == 0 ? tx : nil, msg)
    }

    /// `vmbox_msg_send`.
    public func vmbox_msg_send(_ vmq: Vsmq, _ msg: VsmqMsg) -> Int32 { -vmq.vsmq_msg_send(msg) }
    /// `vmbox_msg_send_early`.
    public func vmbox_msg_send_early(_ vmq: Vsmq, _ msg: VsmqMsg) -> Int32 { -vmq.vsmq_msg_send_early(msg) }
    /// `vmbox_msg_free`: gives a received message back to its queue.
    public func vmbox_msg_free(_ vmq: Vsmq, _ msg: VsmqMsg) -> Int32 { -vmq.vsmq_msg_free(msg) }

    /// `vmbox_exit`: every queue stopped; no callback after the ones queued.
    public func vmbox_exit() {
        let queues = state.withLock { s -> [Vsmq] in
            s.exited = true
            s.ops = vmbox_cb_ops_t()
            return s.peers.values.flatMap { [$0.tx, $0.rx].compactMap { $0 } }
        }
        for queue in queues { queue.vsmq_stop() }
        callbacks.sync {}
    }

    // MARK: Callbacks, on the instance's thread

    /// A peer's queue changed state: `on`/`off` for each peer whose pair
    /// (both queues online) changed.
    func linkChanged() {
        callbacks.async { [self] in
            let (changes, ops, cookie) = state.withLock { s -> ([(UInt32, Bool)], vmbox_cb_ops_t, (any Sendable)?) in
                var changes: [(UInt32, Bool)] = []
                for (vmid, peer) in s.peers.sorted(by: { $0.key < $1.key }) {
                    let online = (peer.tx?.vsmq_link_is_online() ?? false) && (peer.rx?.vsmq_link_is_online() ?? false)
                    if online != peer.online {
                        s.peers[vmid]?.online = online
                        changes.append((vmid, online))
                    }
                }
                return (changes, s.ops, s.cookie)
            }
            for (vmid, online) in changes { (online ? ops.on : ops.off)?(cookie, vmid) }
        }
    }

    /// Messages arrived in `rx`: each goes to `receive`, on the instance's thread.
    func drain(_ rx: Vsmq) {
        callbacks.async { [self] in
            while case (0, let msg?) = rx.vsmq_msg_receive() {
                let (ops, cookie) = state.withLock { ($0.ops, $0.cookie) }
                guard let receive = ops.receive else {
                    _ = rx.vsmq_msg_free(msg)
                    continue
                }
                receive(cookie, rx.vsmq_peer_vmid(), rx, msg)
            }
        }
    }
}
