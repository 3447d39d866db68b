// SPDX-License-Identifier: Apache-2.0
public import Platform

/// This VM's end of one vlink: the live `NkDevVlink` words it reads and writes
/// (manual lines 4177–4202). Each side writes only its own state word.
public struct VlinkEndpoint: Sendable {
    /// The NKDDI of this VM.
    public let nkddi: NKDDI
    /// The vlink's physical address (`nk_vlink_lookup`).
    public let plink: NkPhAddr
    /// Whether this VM is the server (`s_id == nk_id_get()`).
    public let isServer: Bool
    /// A snapshot of the record at probe time (name, link, ids, infos).
    public let record: NkDevVlink
    private let base: SharedPointer

    /// The end of `plink` this VM is (the server end when it is both); nil when
    /// this VM is no end of it.
    public init?(nkddi: NKDDI, plink: NkPhAddr, preferServer: Bool = true) {
        guard let index = nkddi.repository.vlinkIndex(plink),
            let base = nkddi.pointer(nkddi.nk_ptov(plink))
        else { return nil }
        let record = nkddi.repository.vlink(index)
        let me = nkddi.nk_id_get()
        guard record.s_id == me || record.c_id == me else { return nil }
        self.nkddi = nkddi
        self.plink = plink
        self.record = record
        self.base = base
        self.isServer = record.s_id == me && (preferServer || record.c_id != me)
    }

    /// The peer VM (`c_id` for the server end, `s_id` for the client end).
    public var peer: NkOsId { isServer ? record.c_id : record.s_id }
    /// The link number.
    public var link: Int { Int(record.link) }
    /// `s_info` as a string.
    public var serverInfo: String { nkddi.repository.infoString(record.s_info) }
    /// `c_info` as a string.
    public var clientInfo: String { nkddi.repository.infoString(record.c_info) }

    private func word(server: Bool) -> SharedPointer {
        base.advanced(by: server ? RepositoryABI.Vlink.sState : RepositoryABI.Vlink.cState)
    }

    /// The raw `s_state` word.
    public var serverWord: Int32 { Int32(bitPattern: word(server: true).load32()) }
    /// The raw `c_state` word.
    public var clientWord: Int32 { Int32(bitPattern: word(server: false).load32()) }
    /// My state.
    public var mine: VlinkState { VlinkState(word: isServer ? serverWord : clientWord) ?? .off }
    /// The peer's state; nil for a word that is no state.
    public var peerState: VlinkState? { VlinkState(word: isServer ? clientWord : serverWord) }

    /// Writes my state word (a releasing store: what I published before is
    /// visible to a peer that sees the new state).
    public func setMine(_ state: VlinkState) {
        word(server: isServer).store32(UInt32(bitPattern: state.word))
    }

    /// Announces a change of my state: `NK_XIRQ_SYSCONF` to the peer.
    public func sysconfTrigger() {
        nkddi.nk_xirq_trigger(NK_XIRQ_SYSCONF, peer)
    }

    /// Runs the handshake table on my state word (see `Handshake`): calls
    /// `leaving` on ON→OFF and `resetRing` on OFF→RESET, both *before* it writes
    /// the new state (the caller announces it with `sysconfTrigger` when it
    /// changed). Until my word leaves ON the peer may not reset its ring index
    /// (OFF→RESET needs a peer that is not ON), so what `leaving` reads of the
    /// departed peer's index is its last one.
    public func handshake(mayReset: Bool, leaving: () -> Void = {}, resetRing: () -> Void) -> Handshake.Outcome {
        let outcome = Handshake.settle(mine: mine, peer: peerState, mayReset: mayReset)
        if outcome.wentDown { leaving() }
        if outcome.didReset { resetRing() }
        if outcome.changed { setMine(outcome.state) }
        return outcome
    }
}
