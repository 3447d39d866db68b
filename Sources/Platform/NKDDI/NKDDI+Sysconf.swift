// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// Per-vlink handshake xirqs (manual lines 4600–4748). `nk_sysconf_attach` gives
/// this VM's end of a vlink its own handshake xirq (a persistent xirq labelled
/// `(plink, 0xffff_fff0 + end)`), published in the vlink extension words so the
/// peer's `nk_sysconf_post` can target it; without it the peer falls back to the
/// legacy `NK_XIRQ_SYSCONF`.
extension NKDDI {
    /// The resource id reserved for an end's handshake xirq.
    static func handshakeResourceID(server: Bool) -> NkResourceId { server ? 0xffff_fff1 : 0xffff_fff0 }

    /// This VM's end of the vlink at `plink`: (index, server side?) — the server
    /// end when this VM is both.
    func myEnd(_ plink: NkPhAddr) -> (index: Int, server: Bool)? {
        guard let index = repository.vlinkIndex(plink) else { return nil }
        let v = repository.vlink(index)
        if v.s_id == id { return (index, true) }
        if v.c_id == id { return (index, false) }
        return nil
    }

    /// `nk_sysconf_attach`: `hdl` is called whenever the handshake xirq of this
    /// VM's end of `plink` is signalled (by the peer's `nk_sysconf_post`, by
    /// `nk_sysconf_selfpost`, or by a legacy `NK_XIRQ_SYSCONF`). One handler per
    /// end; 0 on success, -1 on failure.
    public func nk_sysconf_attach(_ plink: NkPhAddr, _ hdl: @escaping NkXIrqHandler, _ cookie: (any Sendable)?) -> Int32
    {
        guard let (index, server) = myEnd(plink) else { return -1 }
        guard sysconf.withLock({ $0[index] == nil }) else { return -1 }
        let xirq = nk_pxirq_alloc(plink, Self.handshakeResourceID(server: server), id, 1)
        guard xirq != 0 else { return -1 }
        let own = nk_xirq_attach(xirq, hdl, cookie)
        let legacy = nk_xirq_attach(NK_XIRQ_SYSCONF, hdl, cookie)
        sysconf.withLock { $0[index] = (own, legacy) }
        repository.setHandshakeXirq(index, server: server, xirq)
        return 0
    }

    /// `nk_sysconf_detach`: detaches the handler of this VM's end of `plink`.
    public func nk_sysconf_detach(_ plink: NkPhAddr) {
        guard let (index, server) = myEnd(plink) else { return }
        guard let (own, legacy) = sysconf.withLock({ $0.removeValue(forKey: index) }) else { return }
        repository.setHandshakeXirq(index, server: server, 0)
        nk_xirq_detach(own)
        nk_xirq_detach(legacy)
    }

    /// `nk_sysconf_post`: signals the handshake xirq of the peer end of `plink`
    /// (its own xirq when it used `nk_sysconf_attach`, else `NK_XIRQ_SYSCONF`).
    /// Does nothing unless this end is attached.
    public func nk_sysconf_post(_ plink: NkPhAddr) {
        guard let (index, server) = myEnd(plink), sysconf.withLock({ $0[index] != nil }) else { return }
        let v = repository.vlink(index)
        let peer = server ? v.c_id : v.s_id
        let xirq = repository.handshakeXirq(index, server: !server)
        nk_xirq_trigger(xirq != 0 ? xirq : NK_XIRQ_SYSCONF, peer)
    }

    /// `nk_sysconf_selfpost`: signals the handshake xirq of this VM's own end of
    /// `plink`. Does nothing unless this end is attached.
    public func nk_sysconf_selfpost(_ plink: NkPhAddr) {
        guard let (index, server) = myEnd(plink), sysconf.withLock({ $0[index] != nil }) else { return }
        nk_xirq_trigger(repository.handshakeXirq(index, server: server), id)
    }
}
