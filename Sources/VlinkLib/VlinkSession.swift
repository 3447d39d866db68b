// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// `VlinkSession` (manual lines 9016–9062): one user of a vlink — a client's
/// open file, a server's connection — that learns when the vlink goes down.
///
/// A session is `VLINK_SESSION_NEW` when created, `ALIVE` while its vlink is
/// `VLINK_UP`, and `ABORTED` for good once the vlink goes down (the peer went
/// OFF, or the driver stopped it): then `op_abort` runs, once, outside the
/// vlink's lock. A driver makes a new session for the next time up.
public final class VlinkSession: Sendable {
    /// `vlink`.
    public let vlink: Vlink
    /// `private`: the driver's data.
    public let `private`: (any Sendable)?
    /// `op_abort`.
    public let op_abort: VlinkSessionOp?
    private let word = Atomic<UInt8>(0)  // 0 NEW, 1 ALIVE, 2 ABORTED
    /// `refcount`: the creator's reference and every `get`.
    private let references = Atomic<Int>(1)
    /// `entered`: enters not yet left.
    private let entries = Atomic<Int>(0)

    init(vlink: Vlink, private: (any Sendable)?, opAbort: VlinkSessionOp?) {
        self.vlink = vlink
        self.private = `private`
        self.op_abort = opAbort
    }

    /// `state`.
    public var state: VlinkSessionState {
        switch word.load(ordering: .acquiring) {
        case 0: .new
        case 1: .alive
        default: .aborted
        }
    }

    /// `refcount`.
    public var refcount: Int { references.load(ordering: .acquiring) }
    /// `entered`.
    public var entered: Int { entries.load(ordering: .acquiring) }

    func becomeAlive() {
        _ = word.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing)
    }

    /// Marks the session ABORTED; true the first time (its `op_abort` is due).
    func abort() -> Bool {
        word.exchange(2, ordering: .acquiringAndReleasing) != 2
    }

    func runAbort() {
        _ = op_abort?(self)
    }

    // MARK: The inline primitives (lines 9480–9600)

    /// `vlink_session_enter`: the session may not be deleted until `leave`
    /// (`entered` and the vlink's `users` go up by one).
    public func vlink_session_enter() {
        entries.add(1, ordering: .acquiringAndReleasing)
        vlink.usersCount.add(1, ordering: .acquiringAndReleasing)
    }

    /// `vlink_session_leave`.
    public func vlink_session_leave() {
        entries.subtract(1, ordering: .acquiringAndReleasing)
        vlink.usersCount.subtract(1, ordering: .acquiringAndReleasing)
    }

    /// `vlink_session_enter_and_test_alive`: enters, then 0 when ALIVE, -1 when
    /// NEW, 1 when ABORTED. The caller leaves in every case (line 9573).
    public func vlink_session_enter_and_test_alive() -> Int32 {
        vlink_session_enter()
        switch state {
        case .alive: return 0
        case .new: return -1
        case .aborted: return 1
        }
    }

    /// `vlink_session_get`.
    public func vlink_session_get() {
        references.add(1, ordering: .acquiringAndReleasing)
    }

    /// `vlink_session_put`: the last reference releases the session.
    public func vlink_session_put() {
        if references.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { _ = vlink_session_release() }
    }

    /// `vlink_session_destroy`: drops the creator's reference (the manual's
    /// wording is garbled, lines 9530–9540; decided in docs/decisions.md).
    public func vlink_session_destroy() {
        vlink_session_put()
    }

    /// `vlink_session_release`: the vlink forgets the session. Returns 0.
    @discardableResult
    public func vlink_session_release() -> Int32 {
        vlink.forget(self)
        return VlinkReturn.ok
    }
}
