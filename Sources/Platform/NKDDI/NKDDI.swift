// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// The NKDDI of one VM: the 44 primitives of the manual's (3D) pages, as methods
/// named after the C functions (`nkops.nk_pmem_alloc(vlink, id, size)` becomes
/// `nkddi.nk_pmem_alloc(vlink, id, size)`), with the manual's arguments, return
/// values and error codes. Pointers of the C API are `NkVAddr` numbers (the
/// VM's own mapping addresses); `pointer(_:)` turns one into a `SharedPointer`.
///
/// Every VM process (the guest kernel) owns one `NKDDI` over its mappings of the
/// repository and the PMEM pool, the doorbells (eventfds) of every VM, and its
/// control channel to the supervisor. Resource allocation, properties and xirqs
/// work directly in shared memory; only lifecycle requests (`nk_start`, …) are
/// hypercalls.
public final class NKDDI: Sendable {
    /// The shared repository and PMEM pool, as mapped by this VM.
    public let repository: Repository
    /// This VM's id (`nk_id_get`).
    public let id: NkOsId
    /// The xirq handlers of this VM and their dispatch loop.
    public let dispatcher: XirqDispatcher
    /// The doorbell of every VM, indexed by VM id (an array: no hashing per trigger).
    let doorbells: [(any XirqDoorbell)?]
    let hypervisor: (any HypercallChannel)?
    let consoleBell: (any XirqDoorbell)?
    /// Where `nk.monitoring.enable` lives: the event log's one-load enabled check.
    let monitoringWord: Int?
    /// `nk_sysconf_attach` registrations: vlink index → (handshake id, legacy id).
    let sysconf = Mutex<[Int: (NkXIrqId, NkXIrqId)]>([:])

    /// Creates the NKDDI of VM `id`. `doorbells` holds the doorbell of every VM
    /// (this one included); `hypervisor` carries lifecycle hypercalls;
    /// `consoleBell` (optional) is rung after each `nk_cons_write` so the
    /// supervisor streams the new output without polling.
    public init(
        repository: Repository, id: NkOsId, doorbells: [NkOsId: any XirqDoorbell], hypervisor: (any HypercallChannel)?,
        consoleBell: (any XirqDoorbell)? = nil
    ) {
        precondition(repository.isVM(id), "VM \(id) is not configured")
        self.repository = repository
        self.id = id
        self.doorbells = (0..<NK_OS_LIMIT).map { doorbells[$0] }
        self.hypervisor = hypervisor
        self.consoleBell = consoleBell
        self.monitoringWord = repository.monitoringEnableWord
        self.dispatcher = XirqDispatcher(repository: repository, vm: id, doorbell: doorbells[id])
    }

    /// VM `osid`'s doorbell, if it is a VM of the platform.
    func doorbell(_ osid: NkOsId) -> (any XirqDoorbell)? {
        osid < doorbells.count ? doorbells[Int(osid)] : nil
    }

    // MARK: Identity (manual lines 3452, 3482, 3982)

    /// `nk_id_get`: this VM's identifier (2, 3, …).
    public func nk_id_get() -> NkOsId { id }

    /// `nk_last_id_get`: the highest VM identifier of the platform (the bound of
    /// a loop over VM ids; see docs/decisions.md).
    public func nk_last_id_get() -> NkOsId { repository.lastID }

    /// `nk_running_ids_get`: bit i set ⇔ VM i is running (paused VMs included).
    public func nk_running_ids_get() -> NkOsMask { repository.runningMask }

    // MARK: Bit masks (manual lines 3214, 3512)

    /// `nk_bit2mask`: the mask with only `bit` (0…31) set. Bit 0 is the highest priority.
    public func nk_bit2mask(_ bit: nku32_f) -> nku32_f {
        precondition(bit < 32, "nk_bit2mask: bit \(bit) out of 0…31")
        return 1 << bit
    }

    /// `nk_mask2bit`: the index of the highest-priority (lowest-numbered) bit set in
    /// the non-zero `mask`.
    public func nk_mask2bit(_ mask: nku32_f) -> nku32_f {
        precondition(mask != 0, "nk_mask2bit: mask must not be zero")
        return nku32_f(mask.trailingZeroBitCount)
    }

    // MARK: Address translation (manual lines 3862, 4265, 3554, 3588)

    /// The shared word at process address `vaddr`, if it lies in one of the mappings.
    public func pointer(_ vaddr: NkVAddr) -> SharedPointer? {
        for region in [repository.repo, repository.pmem] {
            if vaddr >= region.baseAddress, vaddr - region.baseAddress < UInt(region.byteCount) {
                return SharedPointer(region: region, offset: Int(vaddr - region.baseAddress))
            }
        }
        return nil
    }

    /// `nk_ptov`: the virtual address of a repository physical address (PMEM
    /// addresses are accepted too). An address outside both is a kernel BUG().
    public func nk_ptov(_ paddr: NkPhAddr) -> NkVAddr {
        if let off = repository.pdevOffset(paddr) { return repository.repo.baseAddress + UInt(off) }
        if let off = repository.pmemOffset(paddr) { return repository.pmem.baseAddress + UInt(off) }
        fatalError("nk_ptov: BUG: 0x\(String(paddr, radix: 16)) is not a repository address")
    }

    /// `nk_vtop`: the physical address of a virtual address in the repository (or
    /// the PMEM pool); 0 for any other address.
    public func nk_vtop(_ vaddr: NkVAddr) -> NkPhAddr {
        guard let p = pointer(vaddr) else { return 0 }
        return (p.region === repository.repo ? NK_PDEV_PHYS_BASE : NK_PMEM_PHYS_BASE) + NkPhAddr(p.offset)
    }

    /// `nk_mem_map`: the virtual address of `size` bytes of persistent memory at
    /// `paddr` (the whole pool is mapped at boot, so this only translates and
    /// checks the range); 0 on error.
    public func nk_mem_map(_ paddr: NkPhAddr, _ size: NkPhSize) -> NkVAddr {
        guard size > 0 else { return 0 }
        if let off = repository.pmemOffset(paddr, size: size) { return repository.pmem.baseAddress + UInt(off) }
        if let off = repository.pdevOffset(paddr), size <= NkPhSize(repository.repo.byteCount - off) {
            return repository.repo.baseAddress + UInt(off)
        }
        return 0
    }

    /// `nk_mem_unmap`: undoes `nk_mem_map` (nothing to release: the mapping is the VM's).
    public func nk_mem_unmap(_ vaddr: NkVAddr, _ paddr: NkPhAddr, _ size: NkPhSize) {}
}
