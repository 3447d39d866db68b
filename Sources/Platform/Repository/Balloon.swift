// SPDX-License-Identifier: Apache-2.0

/// Memory ballooning (`nk_balloon_ctrl`, manual line 3153). Disabled unless the
/// platform configures a balloon region (`RepositoryInput.balloon`). The region's
/// pages are tracked by an owner table (u32 per page: 0 = released to the
/// hypervisor, else the VM that holds it); the host VM holds them all at boot.
/// vlm does not back balloon pages with memory: only their ownership moves.
public enum Balloon {
    /// Physical address of the balloon region (page frame numbers start here).
    public static let physBase: UInt64 = 0xC000_0000
}

extension Repository {
    /// Whether VM `vm` takes part in ballooning.
    public func balloonEnabled(for vm: NkOsId) -> Bool {
        repo.load32(H.balloonPages) != 0 && repo.load32(H.balloonVMs) & (1 << vm) != 0
    }

    private func ownerOffset(_ pfn: UInt32) -> Int? {
        let base = repo.load32(H.balloonBasePFN)
        guard pfn >= base, pfn - base < repo.load32(H.balloonPages) else { return nil }
        return offset(H.balloonOwners) + 4 * Int(pfn - base)
    }

    /// `nk_balloon_ctrl(op, pfns, count)` for VM `vm`.
    public func balloonControl(_ op: Int32, pfns: inout [UInt32], count: UInt32, vm: NkOsId) -> UInt32 {
        guard balloonEnabled(for: vm) else { return op == NK_BALLOON_STATUS ? NK_BALLOON_DISABLED : 0 }
        switch op {
        case NK_BALLOON_STATUS: return NK_BALLOON_ENABLED
        case NK_BALLOON_HOST: return repo.load32(H.balloonHost)
        case NK_BALLOON_RGN_BASE: return repo.load32(H.balloonBasePFN)
        case NK_BALLOON_RGN_SIZE: return repo.load32(H.balloonPages)
        case NK_BALLOON_ALLOC: return balloonAlloc(&pfns, count: min(Int(count), pfns.count), vm: vm)
        case NK_BALLOON_FREE: return balloonFree(pfns.prefix(Int(count)), vm: vm)
        default: return 0
        }
    }

    /// Takes up to `count` released pages (CAS owner 0 → vm); their PFNs go to `pfns`.
    private func balloonAlloc(_ pfns: inout [UInt32], count: Int, vm: NkOsId) -> UInt32 {
        let base = repo.load32(H.balloonBasePFN)
        var got = 0
        for page in 0..<repo.load32(H.balloonPages) where got < count {
            guard let at = ownerOffset(base + page) else { break }
            if repo.compareExchange32(at, expected: 0, desired: vm).exchanged {
                pfns[got] = base + page
                got += 1
            }
        }
        return UInt32(got)
    }

    /// Releases the listed pages that `vm` holds (CAS owner vm → 0).
    private func balloonFree(_ pfns: ArraySlice<UInt32>, vm: NkOsId) -> UInt32 {
        var freed: UInt32 = 0
        for pfn in pfns {
            if let at = ownerOffset(pfn), repo.compareExchange32(at, expected: vm, desired: 0).exchanged { freed += 1 }
        }
        return freed
    }
}
