// SPDX-License-Identifier: Apache-2.0

/// A persistent resource label as `/proc/nk/vdevs` lists it.
public struct ResourceLabelInfo: Sendable, Equatable {
    /// What the label allocated.
    public enum Kind: Sendable, Equatable { case pdev, pmem, pxirq }
    public var kind: Kind
    /// The resource id of the `(vlink, id)` label.
    public var id: NkResourceId
    /// The index of the vlink in repository order.
    public var vlinkIndex: Int
    /// PDEV/PMEM: the physical address; PXIRQ: the first xirq.
    public var base: UInt64
    /// PDEV/PMEM: the size in bytes; PXIRQ: the number of xirqs.
    public var size: UInt64
    /// PXIRQ: the VM owning the xirqs; PDEV/PMEM: the allocating VM.
    public var osid: NkOsId
}

/// How much of a memory area is used.
public struct MemoryUsage: Sendable, Equatable {
    /// Physical address of the area's first byte.
    public var base: UInt64
    /// Size of the area in bytes.
    public var size: UInt64
    /// Bytes handed out (from `base` on).
    public var used: UInt64
    /// Bytes left.
    public var free: UInt64 { size - used }
}

/// Read-only inspection of the repository for `/proc/nk` (vinfo's `vdevs`, `memstat`).
extension Repository {
    /// Every published resource label, in allocation order.
    public var resourceLabels: [ResourceLabelInfo] {
        let count = Int(repo.load32(H.labelCount))
        return (0..<count).compactMap { index in
            let e = labelOffset(index)
            let kind: ResourceLabelInfo.Kind
            switch repo.load32(e + L.type) {
            case L.pdev: kind = .pdev
            case L.pmem: kind = .pmem
            case L.pxirq: kind = .pxirq
            default: return nil
            }
            guard let vlink = vlinkIndex(repo.load64(e + L.vlink)) else { return nil }
            let attribute = repo.load64(e + L.sizeOrOsid)
            return ResourceLabelInfo(
                kind: kind, id: repo.load32(e + L.id), vlinkIndex: vlink, base: repo.load64(e + L.result),
                size: kind == .pxirq ? UInt64(repo.load32(e + L.count)) : attribute,
                osid: kind == .pxirq ? NkOsId(truncatingIfNeeded: attribute) : repo.load32(e + L.owner))
        }
    }

    /// The PDEV heap (`nk_pdev_alloc` blocks, info strings, property values).
    public var pdevUsage: MemoryUsage {
        let start = repo.load64(H.pdevHeapStart)
        let end = repo.load64(H.pdevHeapEnd)
        return MemoryUsage(base: pdevAddress(Int(start)), size: end - start, used: repo.load64(H.pdevTop) - start)
    }

    /// The PMEM pool.
    public var pmemUsage: MemoryUsage {
        MemoryUsage(base: NK_PMEM_PHYS_BASE, size: UInt64(pmem.byteCount), used: repo.load64(H.pmemTop))
    }
}
