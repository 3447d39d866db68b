// SPDX-License-Identifier: Apache-2.0

/// Vlinks and persistent resources (manual lines 3622, 3664, 3894, 4172, 4337).
extension NKDDI {
    /// `nk_vlink_lookup`: the physical address of the first vlink called `name`
    /// (when `plink` is 0) or of the next one after `plink`, in repository order;
    /// a nil `name` enumerates every vlink. 0 when there is none.
    public func nk_vlink_lookup(_ name: String?, _ plink: NkPhAddr) -> NkPhAddr {
        repository.lookupVlink(name, after: plink)
    }

    /// `nk_pdev_alloc`: `size` bytes of the persistent device repository labelled
    /// `(vlink, id)`; the same label gives the same block (also after a restart),
    /// the same label with another size gives 0. Only the two ends of the vlink may
    /// allocate on it. Returns a physical address (use `nk_ptov`) or 0.
    public func nk_pdev_alloc(_ vlink: NkPhAddr, _ id: NkResourceId, _ size: NkPhSize) -> NkPhAddr {
        repository.allocate(.pdev(size: size), vlink: vlink, id: id, caller: self.id)
    }

    /// `nk_pmem_alloc`: a page-aligned block of the persistent memory pool, `size`
    /// rounded up to pages, labelled `(vlink, id)` like `nk_pdev_alloc`. Returns a
    /// physical address (use `nk_mem_map`) or 0.
    public func nk_pmem_alloc(_ vlink: NkPhAddr, _ id: NkResourceId, _ size: NkPhSize) -> NkPhAddr {
        repository.allocate(.pmem(size: size), vlink: vlink, id: id, caller: self.id)
    }

    /// `nk_pxirq_alloc`: `nb` contiguous persistent xirqs of VM `osid`, labelled
    /// `(vlink, id)`; the same label gives the same range, the same label with
    /// another `osid` or `nb` gives 0. Returns the first xirq or 0.
    public func nk_pxirq_alloc(_ vlink: NkPhAddr, _ id: NkResourceId, _ osid: NkOsId, _ nb: Int32) -> NkXIrq {
        guard nb > 0 else { return 0 }
        return NkXIrq(repository.allocate(.pxirq(osid: osid, count: UInt32(nb)), vlink: vlink, id: id, caller: self.id))
    }

    /// `nk_xirq_alloc`: deprecated; always fails and returns 0 (manual line 4350).
    public func nk_xirq_alloc(_ nb: nku32_f) -> NkXIrq { 0 }

    /// `nk_balloon_ctrl`: a memory-ballooning operation (`NK_BALLOON_*`). Disabled
    /// (`NK_BALLOON_DISABLED`, counts of 0) unless the platform configures a
    /// balloon region that includes this VM.
    public func nk_balloon_ctrl(_ op: Int32, _ pfns: inout [nku32_f], _ count: nku32_f) -> nku32_f {
        repository.balloonControl(op, pfns: &pfns, count: count, vm: id)
    }
}
