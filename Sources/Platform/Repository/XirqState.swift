// SPDX-License-Identifier: Apache-2.0

/// Something that wakes a VM's xirq dispatcher: the VM's eventfd in a real
/// platform (`PlatformSys.EventFD` conforms in `MappedRegion+SharedWords.swift`).
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

/// What `Repository.raise` did.
public enum XirqRaise: Sendable {
    /// The pending bit was clear and is now set: ring the target's doorbell.
    case raised
    /// The bit was already pending: this trigger coalesces with the earlier one,
    /// whose doorbell write is still to be (or already was) consumed.
    case coalesced
    /// No such VM or xirq.
    case invalid
}

extension Repository {
    private func bitPosition(_ xirq: NkXIrq) -> (word: Int, mask: UInt32) {
        (Int(xirq / 32) * 4, 1 << (xirq % 32))
    }

    /// Sets `xirq`'s pending bit in VM `osid`'s bitmap (atomic OR, acquiring and
    /// releasing, so the target's dispatcher sees every store made before the
    /// trigger). Returns `.raised` when the bit was clear, `.coalesced` when it was
    /// already pending, `.invalid` for an invalid VM or xirq. Only after `.raised`
    /// must the caller ring the target's doorbell: whoever set a pending bit rings
    /// after setting it, and the dispatcher reads its doorbell before it takes the
    /// bits, so a coalesced trigger is dispatched with the one it joined.
    public func raise(_ xirq: NkXIrq, on osid: NkOsId) -> XirqRaise {
        guard xirq < NK_XIRQ_LIMIT, isVM(osid) else { return .invalid }
        let (word, mask) = bitPosition(xirq)
        let old = repo.fetchOr32(vmOffset(osid) + VMA.pending + word, mask)
        return old & mask == 0 ? .raised : .coalesced
    }

    /// Supervisor: posts `xirq` to VM `osid` (pending bit, then its doorbell),
    /// e.g. `NK_XIRQ_SYSCONF` to the peers `vmDidStop` returns.
    public func trigger(_ xirq: NkXIrq, on osid: NkOsId, doorbell: (any XirqDoorbell)?) {
        if raise(xirq, on: osid) == .raised { doorbell?.ring() }
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
    /// enabled on VM `osid` and calls `body` for each, in ascending xirq order;
    /// masked pending bits stay set. Only the words below the VM's `xirq_free`
    /// counter are scanned (two words until it allocates more than 31 xirqs): no
    /// handler can be attached above it (`NKDDI.isOwnXirq`).
    public func takePending(on osid: NkOsId, _ body: (NkXIrq) -> Void) {
        let base = vmOffset(osid)
        let words = min(32, (Int(max(xirqFree(osid), NK_XIRQ_SYSCONF + 1)) + 31) / 32)
        for w in 0..<words {
            let ready = repo.load32(base + VMA.pending + 4 * w) & repo.load32(base + VMA.enabled + 4 * w)
            guard ready != 0 else { continue }
            var got = repo.fetchAnd32(base + VMA.pending + 4 * w, ~ready) & ready
            while got != 0 {
                body(NkXIrq(w * 32) + NkXIrq(got.trailingZeroBitCount))
                got &= got - 1
            }
        }
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
        repo.load32(
            vlinkExtOffset(index) + (server ? RepositoryABI.VlinkExt.serverXirq : RepositoryABI.VlinkExt.clientXirq))
    }

    /// Records the handshake xirq of one end of the `index`-th vlink (0: detached).
    public func setHandshakeXirq(_ index: Int, server: Bool, _ xirq: NkXIrq) {
        repo.store32(
            vlinkExtOffset(index) + (server ? RepositoryABI.VlinkExt.serverXirq : RepositoryABI.VlinkExt.clientXirq),
            xirq)
    }
}
