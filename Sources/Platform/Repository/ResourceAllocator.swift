// SPDX-License-Identifier: Apache-2.0

/// A persistent resource request labelled `(vlink, id)` (behaviour-reference §1.3).
public enum ResourceRequest: Sendable, Equatable {
    /// `nk_pdev_alloc`: `size` bytes of the repository.
    case pdev(size: NkPhSize)
    /// `nk_pmem_alloc`: `size` bytes of the PMEM pool, rounded up to pages.
    case pmem(size: NkPhSize)
    /// `nk_pxirq_alloc`: `count` contiguous xirqs owned by VM `osid`.
    case pxirq(osid: NkOsId, count: UInt32)

    var type: UInt32 {
        switch self {
        case .pdev: RepositoryABI.Label.pdev
        case .pmem: RepositoryABI.Label.pmem
        case .pxirq: RepositoryABI.Label.pxirq
        }
    }

    /// The (size or osid, count) pair stored in and compared against a label.
    var attributes: (UInt64, UInt32) {
        switch self {
        case .pdev(let size): (size, 0)
        case .pmem(let size): (roundUp(size, NK_PAGE_SIZE), 0)
        case .pxirq(let osid, let count): (UInt64(osid), count)
        }
    }
}

extension Repository {
    typealias L = RepositoryABI.Label

    /// `_nk_resource_alloc`: the resource labelled `(vlink, id)` for `caller`,
    /// allocating it on first use. Returns the physical address (PDEV/PMEM) or the
    /// first xirq (PXIRQ), or 0 when the label exists with other attributes, the
    /// caller is not an end of the vlink, the request is empty or the pool is full.
    ///
    /// Lock-free for labels that already exist (published entries are immutable
    /// and the count is released after the entry is written). A new label is
    /// appended under the allocator lock word, which holds the caller's VM id so
    /// the supervisor can release it if that VM dies inside the (syscall-free)
    /// critical section.
    public func allocate(_ request: ResourceRequest, vlink: NkPhAddr, id: NkResourceId, caller: NkOsId) -> UInt64 {
        guard let index = vlinkIndex(vlink), isEnd(caller, ofVlink: index), isValid(request) else { return 0 }
        if let found = findLabel(request.type, vlink: vlink, id: id) { return check(found, request) }
        repo.spinLock(H.allocLock, owner: caller)
        defer { repo.spinUnlock(H.allocLock) }
        if let found = findLabel(request.type, vlink: vlink, id: id) { return check(found, request) }
        return appendLabel(request, vlink: vlink, id: id, caller: caller)
    }

    /// Whether `vm` is the server or the client of the `index`-th vlink.
    public func isEnd(_ vm: NkOsId, ofVlink index: Int) -> Bool {
        let base = vlinkOffset(index)
        return repo.load32(base + RepositoryABI.Vlink.sID) == vm || repo.load32(base + RepositoryABI.Vlink.cID) == vm
    }

    private func isValid(_ request: ResourceRequest) -> Bool {
        switch request {
        case .pdev(let size), .pmem(let size): size > 0
        case .pxirq(let osid, let count): count > 0 && count < NK_XIRQ_LIMIT && isVM(osid)
        }
    }

    private func findLabel(_ type: UInt32, vlink: NkPhAddr, id: NkResourceId) -> Int? {
        let count = Int(repo.load32(H.labelCount))
        for i in 0..<count {
            let e = labelOffset(i)
            if repo.load32(e + L.type) == type, repo.load32(e + L.id) == id, repo.load64(e + L.vlink) == vlink {
                return e
            }
        }
        return nil
    }

    /// Same label: same result, unless the attributes differ (then 0).
    private func check(_ entry: Int, _ request: ResourceRequest) -> UInt64 {
        let (attr, count) = request.attributes
        guard repo.load64(entry + L.sizeOrOsid) == attr, repo.load32(entry + L.count) == count else { return 0 }
        return repo.load64(entry + L.result)
    }

    private func appendLabel(_ request: ResourceRequest, vlink: NkPhAddr, id: NkResourceId, caller: NkOsId) -> UInt64 {
        let count = Int(repo.load32(H.labelCount))
        guard count < Int(repo.load32(H.labelCapacity)), let result = carve(request) else { return 0 }
        let e = labelOffset(count)
        let (attr, n) = request.attributes
        repo.store32(e + L.type, request.type)
        repo.store32(e + L.id, id)
        repo.store64(e + L.vlink, vlink)
        repo.store64(e + L.sizeOrOsid, attr)
        repo.store64(e + L.result, result)
        repo.store32(e + L.count, n)
        repo.store32(e + L.owner, caller)
        repo.store32(H.labelCount, UInt32(count + 1))  // publish
        return result
    }

    /// Takes fresh space or xirqs for a new label (allocator lock held).
    private func carve(_ request: ResourceRequest) -> UInt64? {
        switch request {
        case .pdev(let size):
            let top = repo.load64(H.pdevTop)
            let end = top + roundUp(size, 16)
            guard end <= repo.load64(H.pdevHeapEnd) else { return nil }
            repo.store64(H.pdevTop, end)
            return pdevAddress(Int(top))
        case .pmem(let size):
            let top = repo.load64(H.pmemTop)
            let end = top + roundUp(size, NK_PAGE_SIZE)
            guard end <= UInt64(pmem.byteCount) else { return nil }
            repo.store64(H.pmemTop, end)
            return NK_PMEM_PHYS_BASE + top
        case .pxirq(let osid, let count):
            let word = vmOffset(osid) + RepositoryABI.VM.xirqFree
            let first = repo.load32(word)
            guard first + count <= NK_XIRQ_LIMIT else { return nil }
            repo.store32(word, first + count)
            return UInt64(first)
        }
    }

    /// Releases the allocator lock if VM `vm` died holding it (supervisor side).
    public func releaseLocks(heldBy vm: NkOsId) {
        _ = repo.compareExchange32(H.allocLock, expected: vm, desired: 0)
        _ = repo.compareExchange32(vmOffset(vm) + RepositoryABI.VM.consLock, expected: vm, desired: 0)
    }
}
