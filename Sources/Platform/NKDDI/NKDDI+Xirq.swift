// SPDX-License-Identifier: Apache-2.0

/// Cross interrupts (manual lines 4295–4590).
extension NKDDI {
    /// Whether `xirq` may have handlers in this VM: `NK_XIRQ_SYSCONF` or an xirq
    /// allocated to this VM by `nk_pxirq_alloc` (below its `xirq_free` counter).
    func isOwnXirq(_ xirq: NkXIrq) -> Bool {
        xirq == NK_XIRQ_SYSCONF || (xirq > NK_XIRQ_SYSCONF && xirq < repository.xirqFree(id))
    }

    /// `nk_xirq_attach`: adds `hdl` to the handlers of `xirq` (they run in attach
    /// order, with `cookie`) and enables the xirq. Returns the handler id for
    /// `nk_xirq_detach`, or 0 when `xirq` is not this VM's.
    public func nk_xirq_attach(_ xirq: NkXIrq, _ hdl: @escaping NkXIrqHandler, _ cookie: (any Sendable)?) -> NkXIrqId {
        guard isOwnXirq(xirq) else { return 0 }
        let handlerID = dispatcher.attach(xirq, hdl, cookie: cookie)
        if repository.setEnabled(xirq, on: id, true) { doorbell(id)?.ring() }
        return handlerID
    }

    /// `nk_xirq_attach_masked`: deprecated; always fails (returns 0) instead of the
    /// BUG() of a Linux guest (manual line 4430).
    public func nk_xirq_attach_masked(_ xirq: NkXIrq, _ hdl: @escaping NkXIrqHandler, _ cookie: (any Sendable)?)
        -> NkXIrqId
    {
        0
    }

    /// `nk_xirq_detach`: removes handler `id`, waiting for it to finish if it is
    /// running on the dispatcher. When no handler is left the xirq is disabled, so
    /// later triggers stay pending until a handler is attached again.
    public func nk_xirq_detach(_ id: NkXIrqId) {
        guard let (xirq, remaining) = dispatcher.detach(id), remaining == 0 else { return }
        repository.setEnabled(xirq, on: self.id, false)
    }

    /// `nk_xirq_mask`: masks `xirq`; triggers stay pending (coalesced) meanwhile.
    public func nk_xirq_mask(_ xirq: NkXIrq) {
        guard xirq < NK_XIRQ_LIMIT else { return }
        repository.setEnabled(xirq, on: id, false)
    }

    /// `nk_xirq_unmask`: unmasks `xirq`; if it was pending, the dispatcher runs its
    /// handlers right away.
    public func nk_xirq_unmask(_ xirq: NkXIrq) {
        guard xirq < NK_XIRQ_LIMIT else { return }
        if repository.setEnabled(xirq, on: id, true) { doorbell(id)?.ring() }
    }

    /// `nk_xirq_trigger`: posts `xirq` to VM `osid`: sets its pending bit in that
    /// VM's bitmap, then rings that VM's doorbell, unless the bit was already
    /// pending (the trigger coalesces; no second eventfd write). Idempotent until
    /// dispatched.
    static let irqPost = EventLog.type("irq_post")

    public func nk_xirq_trigger(_ xirq: NkXIrq, _ osid: NkOsId) {
        if repository.eventLogEnabled(word: monitoringWord) {
            repository.recordEvent(Self.irqPost, vm: id, target: osid, argument: xirq, word: monitoringWord)
        }
        guard repository.raise(xirq, on: osid) == .raised else { return }
        doorbell(osid)?.ring()
    }

    /// `nk_xirq_affinity`: records the virtual-CPU affinity of `xirq` (a vlm VM
    /// dispatches on one thread, so the mask is kept for the views only).
    public func nk_xirq_affinity(_ xirq: NkXIrq, _ cpus: NkCpuMask) {
        guard xirq < NK_XIRQ_LIMIT else { return }
        repository.setAffinity(xirq, on: id, cpus)
    }
}
