// SPDX-License-Identifier: Apache-2.0

/// Something that wakes a VM's xirq dispatcher: the VM's eventfd in a real
/// platform (`PlatformSys.EventFD` conforms in `EventFD+Doorbell.swift`).
public protocol XirqDoorbell: Sendable {
    /// Wakes the dispatcher (writes 1 to the eventfd).
    func ring()
}

/// The waiting half of a doorbell, used by the dispatcher of its own VM.
public protocol XirqWaiter: Sendable {
    /// Blocks until the doorbell rang at least once since the last wait; false when
    /// the doorbell is closed and the dispatcher should stop.
    func waitForRing() -> Bool
}

extension Repository {
    private func bitPosition(_ xirq: NkXIrq) -> (word: Int, mask: UInt32) {
        (Int(xirq / 32) * 4, 1 << (xirq % 32))
    }

    /// Sets `xirq`'s pending bit in VM `osid`'s bitmap (atomic OR, acquiring and
    /// releasing, so the target's dispatcher sees every store made before the
    /// trigger). Returns false for an invalid VM or xirq. The caller rings the
    /// target's doorbell afterwards.
    public func raise(_ xirq: NkXIrq, on osid: NkOsId) -> Bool {
        guard xirq < NK_XIRQ_LIMIT, isVM(osid) else { return false }
        let (word, mask) = bitPosition(xirq)
        _ = repo.fetchOr32(vmOffset(osid) + VMA.pending + word, mask)
        return true
    }

    /// Supervisor: posts `xirq` to VM `osid` (pending bit, then its doorbell),
    /// e.g. `NK_XIRQ_SYSCONF` to the peers `vmDidStop` returns.
    public func trigger(_ xirq: NkXIrq, on osid: NkOsId, doorbell: (any XirqDoorbell)?) {
        if raise(xirq, on: osid) { doorbell?.ring() }
    }

    /// Whether `xirq` is pending on VM `osid`.
    public func isPending(_ xirq: NkXIrq, on osid: NkOsId) -> Bool {
        let (word, mask) = bitPosition(xirq)
        return repo.load32(vmOffset(osid) + VMA.pending + word) & mask != 0
    }

    /// Sets (unmask) or clears (mask) `xirq`'s enabled bit on VM `osid`.
    /// Returns whether the xirq is pending now.
    @discardableResult
    public func setEnabled(_ xirq: NkXIrq, on osid: NkOsId, _ enabled: Bool) -> Bool {
        let (word, mask) = bitPosition(xirq)
        let base = vmOffset(osid)
        if enabled {
            _ = repo.fetchOr32(base + VMA.enabled + word, mask)
        } else {
            _ = repo.fetchAnd32(base + VMA.enabled + word, ~mask)
        }
        return repo.load32(base + VMA.pending + word) & mask != 0
    }

    /// Whether `xirq` is enabled (unmasked) on VM `osid`.
    public func isEnabled(_ xirq: NkXIrq, on osid: NkOsId) -> Bool {
        let (word, mask) = bitPosition(xirq)
        return repo.load32(vmOffset(osid) + VMA.enabled + word) & mask != 0
    }

    /// Dispatcher: atomically takes (clears) the pending bits that are also
    /// enabled on VM `osid`; masked pending bits stay set. Ascending xirq order.
    public func takePending(on osid: NkOsId) -> [NkXIrq] {
        let base = vmOffset(osid)
        var taken: [NkXIrq] = []
        for w in 0..<32 {
            let ready = repo.load32(base + VMA.pending + 4 * w) & repo.load32(base + VMA.enabled + 4 * w)
            guard ready != 0 else { continue }
            let old = repo.fetchAnd32(base + VMA.pending + 4 * w, ~ready)
            var got = old & ready
            while got != 0 {
                let bit = UInt32(got.trailingZeroBitCount)
                taken.append(NkXIrq(w * 32) + bit)
                got &= got - 1
            }
        }
        return taken
    }

    /// The first xirq not yet allocated to VM `osid` (its `xirq_free` counter).
    public func xirqFree(_ osid: NkOsId) -> NkXIrq { repo.load32(vmOffset(osid) + VMA.xirqFree) }

    /// Stores the virtual-CPU affinity mask of `xirq` on VM `osid`.
    public func setAffinity(_ xirq: NkXIrq, on osid: NkOsId, _ cpus: NkCpuMask) {
        repo.store32(vmOffset(osid) + VMA.affinity + 4 * Int(xirq), cpus)
    }

    /// The virtual-CPU affinity mask of `xirq` on VM `osid` (0 = not set).
    public func affinity(_ xirq: NkXIrq, on osid: NkOsId) -> NkCpuMask {
        repo.load32(vmOffset(osid) + VMA.affinity + 4 * Int(xirq))
    }

    /// The handshake xirq attached on one end of the `index`-th vlink (0: none).
    public func handshakeXirq(_ index: Int, server: Bool) -> NkXIrq {
        repo.load32(vlinkExtOffset(index) + (server ? RepositoryABI.VlinkExt.serverXirq : RepositoryABI.VlinkExt.clientXirq))
    }

    /// Records the handshake xirq of one end of the `index`-th vlink (0: detached).
    public func setHandshakeXirq(_ index: Int, server: Bool, _ xirq: NkXIrq) {
        repo.store32(vlinkExtOffset(index) + (server ? RepositoryABI.VlinkExt.serverXirq : RepositoryABI.VlinkExt.clientXirq), xirq)
    }
}
