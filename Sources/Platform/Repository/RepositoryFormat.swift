// SPDX-License-Identifier: Apache-2.0

extension Repository {
    /// Sizes of the two regions that `format(_:)` needs for `input`.
    public static func regionSizes(for input: RepositoryInput) -> (repo: Int, pmem: Int) {
        let plan = Plan(input)
        return (plan.total, Int(roundUp(input.pmemSize, NK_PAGE_SIZE)))
    }

    /// Fills zeroed regions from `input` (supervisor side, once at boot) and
    /// returns the repository view. `repo` and `pmem` must be at least
    /// `regionSizes(for:)` large and zero-filled (fresh shared-memory objects are).
    public static func format(_ input: RepositoryInput, repo: any SharedWords, pmem: any SharedWords) -> Repository {
        let plan = Plan(input)
        precondition(repo.byteCount >= plan.total, "repository region too small")
        let r = Repository(unchecked: repo, pmem: pmem)
        r.writeHeader(plan, input, pmemSize: UInt64(pmem.byteCount))
        var heap = plan.heapStart
        r.writeVMs(input)
        for (i, v) in input.vlinks.enumerated() { r.writeVlink(i, v, heap: &heap) }
        for (i, p) in input.propertiesWithBuiltins.enumerated() { r.writeProperty(i, p, heap: &heap) }
        repo.store64(H.pdevTop, UInt64(heap))
        repo.store64(H.magic, RepositoryABI.magic)  // last: the region is now valid
        return r
    }

    /// The layout `format` computes: where each table starts.
    struct Plan {
        var vlinkTable = RepositoryABI.headerSize, vlinkExt = 0, labelTable = 0, propertyTable = 0
        var vmTable = 0, balloonOwners = 0, heapStart = 0, total = 0

        init(_ input: RepositoryInput) {
            vlinkExt = vlinkTable + input.vlinks.count * RepositoryABI.Vlink.size
            labelTable = vlinkExt + input.vlinks.count * RepositoryABI.VlinkExt.size
            propertyTable = labelTable + input.labelCapacity * RepositoryABI.Label.size
            let props = input.propertiesWithBuiltins
            vmTable = roundUp(propertyTable + props.count * RepositoryABI.Property.size, 4096)
            balloonOwners = vmTable + Int(NK_OS_LIMIT) * RepositoryABI.VM.size
            heapStart = balloonOwners + Int(input.balloon?.pages ?? 0) * 4
            let strings = input.vlinks.reduce(0) { $0 + $1.serverInfo.utf8.count + $1.clientInfo.utf8.count + 32 }
            let values = props.reduce(0) { $0 + Int($1.maxSize) + 16 }
            total = roundUp(heapStart + strings + values + input.pdevHeapSize, 4096)
        }
    }

    private func writeHeader(_ plan: Plan, _ input: RepositoryInput, pmemSize: UInt64) {
        repo.store32(H.version, RepositoryABI.version)
        repo.store32(H.osLimit, NK_OS_LIMIT)
        repo.store64(H.regionSize, UInt64(repo.byteCount))
        repo.store64(H.pmemSize, pmemSize)
        repo.store32(H.vlinkCount, UInt32(input.vlinks.count))
        repo.store32(H.labelCapacity, UInt32(input.labelCapacity))
        repo.store32(H.propertyCount, UInt32(input.propertiesWithBuiltins.count))
        repo.store32(H.lastID, input.vms.map(\.id).max() ?? 0)
        for (field, value) in [
            (H.vlinkTable, plan.vlinkTable), (H.vlinkExt, plan.vlinkExt), (H.labelTable, plan.labelTable),
            (H.propertyTable, plan.propertyTable), (H.vmTable, plan.vmTable), (H.pdevHeapStart, plan.heapStart),
            (H.pdevHeapEnd, plan.total), (H.balloonOwners, plan.balloonOwners),
        ] {
            repo.store64(field, UInt64(value))
        }
        if let b = input.balloon {
            repo.store32(H.balloonHost, b.host)
            repo.store32(H.balloonPages, b.pages)
            repo.store32(H.balloonVMs, b.vms | (1 << b.host))
            repo.store32(H.balloonBasePFN, UInt32(Balloon.physBase / NK_PAGE_SIZE))
            for page in 0..<Int(b.pages) { repo.store32(plan.balloonOwners + 4 * page, b.host) }
        }
    }

    private func writeVMs(_ input: RepositoryInput) {
        for vm in input.vms {
            precondition(vm.id >= 2 && vm.id < NK_OS_LIMIT, "VM id \(vm.id) out of 2…31")
            let base = vmOffset(vm.id)
            repo.store32(base + RepositoryABI.VM.present, 1)
            repo.store32(base + RepositoryABI.VM.xirqFree, NK_XIRQ_SYSCONF + 1)
        }
    }

    private func writeString(_ s: String, heap: inout Int) -> NkPhAddr {
        let bytes = Array(s.utf8) + [0]
        repo.storeBytes(heap, bytes)
        defer { heap = roundUp(heap + bytes.count, 8) }
        return pdevAddress(heap)
    }

    private func writeVlink(_ index: Int, _ v: RepositoryInput.Vlink, heap: inout Int) {
        typealias V = RepositoryABI.Vlink
        let base = vlinkOffset(index)
        repo.storeCString(base + V.name, v.name, limit: NK_DEV_VLINK_NAME_LIMIT)
        repo.store32(base + V.link, UInt32(bitPattern: v.link))
        repo.store32(base + V.sID, v.serverID)
        repo.store32(base + V.cID, v.clientID)
        repo.store32(base + V.sInfo, UInt32(writeString(v.serverInfo, heap: &heap)))
        repo.store32(base + V.cInfo, UInt32(writeString(v.clientInfo, heap: &heap)))
    }

    private func writeProperty(_ index: Int, _ p: RepositoryInput.Property, heap: inout Int) {
        typealias P = RepositoryABI.Property
        let base = propertyOffset(index)
        repo.storeCString(base + P.name, p.name, limit: P.nameLimit)
        repo.store32(base + P.maxSize, p.maxSize)
        let value = Array(p.value.prefix(Int(p.maxSize)))
        repo.store32(base + P.curSize, UInt32(value.count))
        repo.store32(base + P.getMask, p.allowGet)
        repo.store32(base + P.setMask, p.allowSet)
        repo.store32(base + P.notifyMask, p.allowNotify)
        repo.store64(base + P.valueOffset, UInt64(heap))
        repo.storeBytes(heap, value)
        heap = roundUp(heap + Int(p.maxSize), 8)
        let (kind, vm) = Self.propertyKind(p.name)
        repo.store32(base + P.kind, kind)
        repo.store32(base + P.kindArg, vm)
    }

    /// `nk.vm.<id>.state.running|paused` are views of the VM table's state words;
    /// `nk.memory.{pmem,heap}.used|free` are computed from the PMEM and PDEV
    /// allocators, `nk.cpus.online` from the host, `nk.event-log.filter` is the
    /// event-log filter word of the header.
    static func propertyKind(_ name: String) -> (UInt32, NkOsId) {
        typealias P = RepositoryABI.Property
        let computed: [String: UInt32] = [
            "nk.memory.pmem.used": P.pmemUsed, "nk.memory.pmem.free": P.pmemFree,
            "nk.memory.heap.used": P.heapUsed, "nk.memory.heap.free": P.heapFree,
            "nk.cpus.online": P.cpusOnline, "nk.event-log.filter": P.eventFilter,
        ]
        if let kind = computed[name] { return (kind, 0) }
        let parts = name.split(separator: ".")
        guard parts.count == 5, parts[0] == "nk", parts[1] == "vm", parts[3] == "state",
            let id = UInt32(parts[2]), id < NK_OS_LIMIT
        else { return (RepositoryABI.Property.plain, 0) }
        switch parts[4] {
        case "running": return (RepositoryABI.Property.vmRunning, id)
        case "paused": return (RepositoryABI.Property.vmPaused, id)
        default: return (RepositoryABI.Property.plain, 0)
        }
    }
}

func roundUp(_ value: Int, _ to: Int) -> Int { (value + to - 1) / to * to }
func roundUp(_ value: UInt64, _ to: UInt64) -> UInt64 { (value + to - 1) / to * to }
