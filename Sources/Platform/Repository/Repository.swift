// SPDX-License-Identifier: Apache-2.0

/// The repository as one process sees it: the mapped repository (PDEV) region and
/// the mapped PMEM pool, laid out as `RepositoryABI` describes.
///
/// A `Repository` is a view: it holds no state of its own beyond the two
/// mappings, so every VM process and the supervisor can each have one over the
/// same shared-memory objects.
public struct Repository: Sendable {
    /// The repository region (header, vlinks, labels, properties, VM table, PDEV heap).
    public let repo: any SharedWords
    /// The PMEM pool region.
    public let pmem: any SharedWords

    typealias H = RepositoryABI.Header

    /// Attaches to regions that `format` filled; traps on a foreign or older layout.
    public init(repo: any SharedWords, pmem: any SharedWords) {
        precondition(repo.load64(H.magic) == RepositoryABI.magic, "not a vlm repository")
        precondition(repo.load32(H.version) == RepositoryABI.version, "repository ABI version mismatch")
        self.repo = repo
        self.pmem = pmem
    }

    init(unchecked repo: any SharedWords, pmem: any SharedWords) {
        self.repo = repo
        self.pmem = pmem
    }

    // MARK: Header

    func offset(_ field: Int) -> Int { Int(repo.load64(field)) }

    /// Number of `NkDevVlink` records.
    public var vlinkCount: Int { Int(repo.load32(H.vlinkCount)) }
    /// Number of properties.
    public var propertyCount: Int { Int(repo.load32(H.propertyCount)) }
    /// The highest configured VM id (`nk_last_id_get`).
    public var lastID: NkOsId { repo.load32(H.lastID) }
    /// Size of the PMEM pool in bytes.
    public var pmemSize: UInt64 { repo.load64(H.pmemSize) }

    // MARK: Records

    /// Byte offset of the `index`-th `NkDevVlink` record.
    public func vlinkOffset(_ index: Int) -> Int { offset(H.vlinkTable) + index * RepositoryABI.Vlink.size }
    /// Byte offset of the extension words of the `index`-th vlink.
    func vlinkExtOffset(_ index: Int) -> Int { offset(H.vlinkExt) + index * RepositoryABI.VlinkExt.size }
    /// Byte offset of the `index`-th property record.
    func propertyOffset(_ index: Int) -> Int { offset(H.propertyTable) + index * RepositoryABI.Property.size }
    /// Byte offset of the `index`-th resource label.
    func labelOffset(_ index: Int) -> Int { offset(H.labelTable) + index * RepositoryABI.Label.size }
    /// Byte offset of VM `id`'s entry in the VM table.
    public func vmOffset(_ id: NkOsId) -> Int { offset(H.vmTable) + Int(id) * RepositoryABI.VM.size }

    /// Whether `id` is a configured VM.
    public func isVM(_ id: NkOsId) -> Bool {
        id >= 2 && id < NK_OS_LIMIT && repo.load32(vmOffset(id) + RepositoryABI.VM.present) != 0
    }

    /// The configured VM ids in increasing order.
    public var vmIDs: [NkOsId] { (2..<NK_OS_LIMIT).filter(isVM) }

    // MARK: Physical addresses

    /// The physical address of a repository offset.
    public func pdevAddress(_ offset: Int) -> NkPhAddr { NK_PDEV_PHYS_BASE + NkPhAddr(offset) }

    /// The repository offset of a physical address, if it lies inside the region.
    public func pdevOffset(_ paddr: NkPhAddr) -> Int? {
        guard paddr >= NK_PDEV_PHYS_BASE, paddr - NK_PDEV_PHYS_BASE < NkPhAddr(repo.byteCount) else { return nil }
        return Int(paddr - NK_PDEV_PHYS_BASE)
    }

    /// The PMEM-pool offset of a physical range, if it lies inside the pool.
    public func pmemOffset(_ paddr: NkPhAddr, size: NkPhSize = 1) -> Int? {
        guard paddr >= NK_PMEM_PHYS_BASE else { return nil }
        let off = paddr - NK_PMEM_PHYS_BASE
        guard off < NkPhAddr(pmem.byteCount), size <= NkPhAddr(pmem.byteCount) - off else { return nil }
        return Int(off)
    }

    /// The vlink index of the `NkDevVlink` record at physical address `plink`.
    public func vlinkIndex(_ plink: NkPhAddr) -> Int? {
        guard let off = pdevOffset(plink) else { return nil }
        let rel = off - offset(H.vlinkTable)
        let size = RepositoryABI.Vlink.size
        guard rel >= 0, rel % size == 0, rel / size < vlinkCount else { return nil }
        return rel / size
    }
}
