// SPDX-License-Identifier: Apache-2.0
public import Platform
import Synchronization

/// `Vlink` (manual lines 8958–9014): this VM's end of one vlink, as
/// `vlink_drv_probe` creates it, with its operation callbacks, its sessions and
/// the handshake engine that drives its `NkDevVlink` state word.
///
/// The manual gives each vlink an event thread; vlm runs the engine on the
/// thread that asks for a change instead (the VM's xirq dispatcher for
/// `NK_XIRQ_SYSCONF`, the caller of `start`/`stop`), under the vlink's own
/// `state_lock`. Operation callbacks therefore run with that lock held: they
/// may take the driver's locks (the order is vlink, then driver) but must not
/// block, and a driver never calls `settle`, `start` or `stop` while holding a
/// lock its callbacks take.
public final class Vlink: Sendable {
    struct Core {
        var state: VlinkLibState = .clean
        var target: VlinkTarget = .stopped
        var ops: [[(op: VlinkOp, cookie: (any Sendable)?)]] = Array(repeating: [], count: VLINK_OP_NR)
        var sessions: [VlinkSession] = []
        var sessionsStarted = false
        var shutDown = false
    }

    /// The vlink record and its live state words (`nk_vlink`, `nk_state`, `nk_state_peer`).
    public let endpoint: VlinkEndpoint
    /// `server`: this is the server end.
    public let server: Bool
    /// `unit`: the number of this end among the driver's ends of its side.
    public let unit: Int
    /// `id`: this VM (see docs/decisions.md: the manual's server/client wording
    /// contradicts its own symmetric rule; vlm keeps local and peer).
    public var id: NkOsId { endpoint.nkddi.nk_id_get() }
    /// `id_peer`: the VM at the other end.
    public var id_peer: NkOsId { endpoint.peer }
    /// `private`: the driver's data for this vlink.
    public var `private`: (any Sendable)? {
        get { privateData.withLock { $0 } }
        set { privateData.withLock { $0 = newValue } }
    }
    private let privateData = Mutex<(any Sendable)?>(nil)

    private let core = Mutex(Core())
    let usersCount = Atomic<Int>(0)
    private let symmetric = Mutex<Vlink?>(nil)

    init(endpoint: VlinkEndpoint, unit: Int) {
        self.endpoint = endpoint
        self.server = endpoint.isServer
        self.unit = unit
    }

    /// `sym_vlink`: for a symmetric driver, the client end of the reverse vlink
    /// when this is a server end, and conversely; nil otherwise.
    public var sym_vlink: Vlink? { symmetric.withLock { $0 } }

    func attachSymmetric(_ other: Vlink) { symmetric.withLock { $0 = other } }

    /// `state`: the library's state of this vlink.
    public var state: VlinkLibState { core.withLock { $0.state } }
    /// `state_target`.
    public var target: VlinkTarget { core.withLock { $0.target } }

    // MARK: Operations (lines 9320–9460)

    /// `vlink_op_register`: adds `op` to the callbacks of `idx`, performed in
    /// registration order. Returns 0.
    @discardableResult
    public func vlink_op_register(_ idx: VlinkOpIndex, _ op: @escaping VlinkOp, _ cookie: (any Sendable)? = nil)
        -> Int32
    {
        core.withLock { $0.ops[idx.rawValue].append((op, cookie)) }
        return VlinkReturn.ok
    }

    /// `vlink_ops_register`: registers every descriptor with one cookie.
    @discardableResult
    public func vlink_ops_register(_ ops: [VlinkOpDesc], _ cookie: (any Sendable)? = nil) -> Int32 {
        for desc in ops { vlink_op_register(desc.idx, desc.op, cookie) }
        return VlinkReturn.ok
    }

    /// `vlink_op_perform`: runs the callbacks of `idx`; returns the first non-zero
    /// result (0 when all succeed, or none is registered).
    @discardableResult
    public func vlink_op_perform(_ idx: VlinkOpIndex) -> Int32 {
        perform(idx, core.withLock { $0.ops[idx.rawValue] })
    }

    private func perform(_ idx: VlinkOpIndex, _ ops: [(op: VlinkOp, cookie: (any Sendable)?)]) -> Int32 {
        for entry in ops {
            let result = entry.op(self, entry.cookie)
            if result != 0 { return result }
        }
        return VlinkReturn.ok
    }
}

extension Vlink {
    // MARK: The handshake engine

    /// Runs the OFF/RESET/ON table (`Handshake`) on my state word against the
    /// peer's, performing the operations of each transition before the new
    /// state is written (so what ABORT reads of the departed peer is its last
    /// word, and what RESET resets is ready before the peer may read it):
    ///
    /// | my word     | operation | note                                          |
    /// |-------------|-----------|-----------------------------------------------|
    /// | ON → OFF    | ABORT     | the peer left; sessions become ABORTED         |
    /// | OFF → RESET | RESET     | only while the target is UP; non-zero holds it |
    /// | RESET → ON  | START     |                                               |
    /// | both ON     | UP        | once per time up; sessions become ALIVE        |
    ///
    /// Returns whether my word changed: the caller announces it with
    /// `NK_XIRQ_SYSCONF` (`announce()`).
    @discardableResult
    public func settle() -> Bool {
        var aborted: [VlinkSession] = []
        let changed = core.withLock { c -> Bool in
            guard c.state != .clean else { return false }
            let peer = endpoint.peerState
            var changed = false
            // The table ends within two steps against a fixed peer word (see Handshake.settle).
            for _ in 0..<3 {
                guard let next = Handshake.step(mine: endpoint.mine, peer: peer, mayReset: c.target == .up) else {
                    break
                }
                if !transition(to: next, &c, aborted: &aborted) { break }
                changed = true
            }
            let up = endpoint.mine == .on && peer == .on
            if up && c.state != .up {
                c.state = .up
                for session in c.sessions { session.becomeAlive() }
                _ = perform(.up, c.ops[VlinkOpIndex.up.rawValue])
            } else if !up && c.state == .up {
                c.state = .stopped
            }
            return changed
        }
        for session in aborted { session.runAbort() }
        return changed
    }

    /// One step of the table with its operation; false when RESET held it.
    private func transition(to next: VlinkState, _ c: inout Core, aborted: inout [VlinkSession]) -> Bool {
        switch (endpoint.mine, next) {
        case (.on, .off):
            _ = perform(.abort, c.ops[VlinkOpIndex.abort.rawValue])
            aborted += c.sessions.filter { $0.abort() }
            c.sessions.removeAll { $0.state == .aborted }
        case (.off, .reset):
            if perform(.reset, c.ops[VlinkOpIndex.reset.rawValue]) != 0 { return false }
        case (.reset, .on):
            _ = perform(.start, c.ops[VlinkOpIndex.start.rawValue])
        default:
            break
        }
        endpoint.setMine(next)
        return true
    }

    /// Sends `NK_XIRQ_SYSCONF` to the peer VM.
    public func announce() {
        endpoint.sysconfTrigger()
    }

    /// One `NK_XIRQ_SYSCONF` to each peer VM of `changed` (the vlinks whose
    /// state word changed).
    public static func announce(_ changed: [Vlink]) {
        var told = Set<NkOsId>()
        for vlink in changed where told.insert(vlink.id_peer).inserted { vlink.announce() }
    }

    /// Drives the vlink towards `VLINK_UP` (an `onDemand` driver's first open).
    /// Returns whether my word changed (announce it).
    @discardableResult
    public func start() -> Bool {
        let ready = core.withLock { c -> Bool in
            guard c.state != .clean, !c.shutDown else { return false }
            c.target = .up
            return true
        }
        return ready && settle()
    }

    /// Takes my end OFF and keeps it there: STOP runs, then the word is written
    /// (a last close, `vlink_drv_shutdown`). Returns whether my word changed.
    @discardableResult
    public func stop() -> Bool {
        var aborted: [VlinkSession] = []
        let changed = core.withLock { c -> Bool in
            c.target = .stopped
            guard c.state != .clean else { return false }
            _ = perform(.stop, c.ops[VlinkOpIndex.stop.rawValue])
            aborted = c.sessions.filter { $0.abort() }
            c.sessions.removeAll { $0.state == .aborted }
            c.state = .stopped
            let wasOff = endpoint.mine == .off
            endpoint.setMine(.off)
            return !wasOff
        }
        for session in aborted { session.runAbort() }
        return changed
    }

    // MARK: Driver lifecycle (called by VlinkDrv)

    /// After `vlink_init`: `VLINK_STOPPED` when it succeeded, else `VLINK_CLEAN`.
    func initialised(_ ok: Bool) {
        core.withLock { c in
            c.state = ok ? .stopped : .clean
            c.sessionsStarted = ok
        }
    }

    /// `vlink_drv_shutdown`: no new session from now on, my end OFF.
    func shutdown() -> Bool {
        core.withLock { $0.shutDown = true }
        return stop()
    }

    /// `vlink_drv_cleanup`: CLEANUP runs, the vlink is `VLINK_CLEAN`.
    func cleanup() {
        let ops = core.withLock { c in
            defer { c.state = .clean }
            return c.state == .clean ? [] : c.ops[VlinkOpIndex.cleanup.rawValue]
        }
        _ = perform(.cleanup, ops)
    }
}

extension Vlink {
    // MARK: Sessions (lines 9240–9320, 9480–9600)

    /// `vlink_session_create`: a session in `VLINK_SESSION_NEW` (ALIVE at once
    /// when the vlink is up). `-ENXIO` when the vlink is `VLINK_CLEAN` or the
    /// driver was shut down. (`-ERESTARTSYS` cannot happen: creation never waits.)
    public func vlink_session_create(
        _ private: (any Sendable)? = nil, _ op_abort: VlinkSessionOp? = nil
    ) -> (Int32, VlinkSession?) {
        core.withLock { c in
            guard c.state != .clean, c.sessionsStarted, !c.shutDown else { return (VlinkReturn.ENXIO, nil) }
            let session = VlinkSession(vlink: self, private: `private`, opAbort: op_abort)
            if c.state == .up { session.becomeAlive() }
            c.sessions.append(session)
            return (VlinkReturn.ok, session)
        }
    }

    /// `vlink_sessions_cancel`: aborts every session (the vlink must not be `VLINK_CLEAN`).
    public func vlink_sessions_cancel() {
        let aborted = core.withLock { c -> [VlinkSession] in
            defer { c.sessions.removeAll() }
            return c.sessions.filter { $0.abort() }
        }
        for session in aborted { session.runAbort() }
    }

    /// `vlink_sessions_start`: sessions may be created again (after a cancel).
    public func vlink_sessions_start() {
        core.withLock { $0.sessionsStarted = $0.state != .clean }
    }

    /// `users`: sessions entered and not left (`vlink_session_enter`).
    public var users: Int { usersCount.load(ordering: .acquiring) }

    func forget(_ session: VlinkSession) {
        core.withLock { $0.sessions.removeAll { $0 === session } }
    }
}
