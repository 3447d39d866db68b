// SPDX-License-Identifier: Apache-2.0

/// The lifecycle state of a VM as the repository records it.
public enum VMRunState: String, Sendable, Equatable, Codable {
    case running, paused, stopped
}

extension Repository {
    typealias VMA = RepositoryABI.VM

    /// The `nk.vm.<id>.state.running` (or `.paused`) word: bit 0 is the state,
    /// the upper bits count transitions.
    public func vmStateWord(_ id: NkOsId, paused: Bool) -> UInt32 {
        guard id < NK_OS_LIMIT else { return 0 }
        return repo.load32(vmOffset(id) + (paused ? VMA.paused : VMA.running))
    }

    /// `nk_running_ids_get`: VMs whose running bit is set (paused VMs included).
    public var runningMask: NkOsMask {
        vmIDs.reduce(0) { vmStateWord($1, paused: false) & 1 != 0 ? $0 | (1 << $1) : $0 }
    }

    /// The state of VM `id`.
    public func runState(_ id: NkOsId) -> VMRunState {
        if vmStateWord(id, paused: false) & 1 == 0 { return .stopped }
        return vmStateWord(id, paused: true) & 1 != 0 ? .paused : .running
    }

    /// How many times the supervisor restarted VM `id`.
    public func restarts(_ id: NkOsId) -> UInt32 { repo.load32(vmOffset(id) + VMA.restarts) }

    /// Sets bit 0 of a state word to `on`, counting a transition when it changes.
    private func setStateBit(_ offset: Int, _ on: Bool) {
        while true {
            let old = repo.load32(offset)
            guard (old & 1 != 0) != on else { return }
            let new = ((old >> 1) &+ 1) << 1 | (on ? 1 : 0)
            if repo.compareExchange32(offset, expected: old, desired: new).exchanged { return }
        }
    }

    // MARK: Supervisor side

    /// Supervisor: VM `id` is (re)booting. Its xirq state starts clean (no
    /// handler is attached in a fresh kernel), its console history gets a new
    /// boot ordinal, and its running bit goes to 1.
    public func vmDidStart(_ id: NkOsId, isRestart: Bool = false) {
        let base = vmOffset(id)
        for w in 0..<32 {
            repo.store32(base + VMA.pending + 4 * w, 0)
            repo.store32(base + VMA.enabled + 4 * w, 0)
        }
        repo.store64(base + VMA.bootOrdinal, repo.load64(base + VMA.consOrdinal))
        if isRestart { _ = repo.fetchAdd32(base + VMA.restarts, 1) }
        setStateBit(base + VMA.paused, false)
        setStateBit(base + VMA.running, true)
    }

    /// Supervisor: VM `id` is paused (`true`) or resumed.
    public func vmDidPause(_ id: NkOsId, _ paused: Bool) {
        setStateBit(vmOffset(id) + VMA.paused, paused)
    }

    /// Supervisor: VM `id` stopped or crashed. Its running bit drops to 0, its
    /// vlink ends are forced OFF, its handshake xirqs are forgotten, locks it
    /// held are released. Returns the running peers to notify with `NK_XIRQ_SYSCONF`.
    @discardableResult
    public func vmDidStop(_ id: NkOsId) -> NkOsMask {
        setStateBit(vmOffset(id) + VMA.paused, false)
        setStateBit(vmOffset(id) + VMA.running, false)
        releaseLocks(heldBy: id)
        var peers: NkOsMask = 0
        for index in 0..<vlinkCount {
            let v = vlink(index)
            if v.s_id == id {
                setVlinkState(index, server: true, NK_DEV_VLINK_OFF)
                repo.store32(vlinkExtOffset(index) + RepositoryABI.VlinkExt.serverXirq, 0)
                peers |= 1 << v.c_id
            }
            if v.c_id == id {
                setVlinkState(index, server: false, NK_DEV_VLINK_OFF)
                repo.store32(vlinkExtOffset(index) + RepositoryABI.VlinkExt.clientXirq, 0)
                peers |= 1 << v.s_id
            }
        }
        return peers & ~(1 << id) & runningMask
    }
}
