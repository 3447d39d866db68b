// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// The outcome of a property update that the caller must complete.
public enum PropertySetEffect: Sendable, Equatable {
    /// The value was stored; notify these VMs (the allowed, running ones) with
    /// `NK_XIRQ_SYSCONF`.
    case stored(bytes: Int32, notify: NkOsMask)
    /// A `nk.vm.<id>.state.*` property: the supervisor must perform the change.
    case lifecycle(Hypercall, bytes: Int32)
    /// A negative `NK_PROP_*` error code.
    case failed(Int32)
}

extension Repository {
    typealias P = RepositoryABI.Property

    /// The index of the property called `name`, if any.
    public func propertyIndex(_ name: String) -> Int? {
        (0..<propertyCount).first { repo.loadCString(propertyOffset($0) + P.name, limit: P.nameLimit) == name }
    }

    /// `nk_prop_enum` for VM `caller`: name, attributes (permissions of `caller` |
    /// name length incl. NUL) and maximum value size, or `NK_PROP_UNKNOWN`.
    public func propertyEnum(_ pid: UInt32, caller: NkOsId) -> (name: String, attr: NkPropAttr, maxSize: Int32)? {
        guard Int(pid) < propertyCount else { return nil }
        let base = propertyOffset(Int(pid))
        let name = repo.loadCString(base + P.name, limit: P.nameLimit)
        let bit: UInt32 = 1 << caller
        var attr = NkPropAttr(name.utf8.count + 1) & NK_PROP_ATTR_NAME_LEN
        if repo.load32(base + P.setMask) & bit != 0 { attr |= NK_PROP_ATTR_SET }
        if repo.load32(base + P.getMask) & bit != 0 { attr |= NK_PROP_ATTR_GET }
        if repo.load32(base + P.notifyMask) & bit != 0 { attr |= NK_PROP_ATTR_NOTIFY }
        return (name, attr, Int32(repo.load32(base + P.maxSize)))
    }

    /// `nk_prop_get` for VM `caller`: the first `maxSize` bytes of the value, or a
    /// negative `NK_PROP_*` code. A concurrent update is detected with the
    /// sequence word (odd while an update is in progress) → `NK_PROP_BUSY`.
    public func propertyGet(_ name: String, maxSize: Int, caller: NkOsId) -> Result<[UInt8], PropertyError> {
        guard let index = propertyIndex(name) else { return .failure(.unknown) }
        return propertyGet(at: index, maxSize: maxSize, caller: caller)
    }

    /// `propertyGet` of the property at `index` (its `nk_prop_enum` pid), without the
    /// search by name: listing every value (`/proc/nk/props`) stays linear.
    public func propertyGet(at index: Int, maxSize: Int, caller: NkOsId) -> Result<[UInt8], PropertyError> {
        guard index >= 0 && index < propertyCount else { return .failure(.unknown) }
        let base = propertyOffset(index)
        guard repo.load32(base + P.getMask) & (1 << caller) != 0 else { return .failure(.permission) }
        let seq = repo.load32(base + P.sequence)
        guard seq & 1 == 0 else { return .failure(.busy) }
        let value = currentValue(base)
        guard repo.load32(base + P.sequence) == seq else { return .failure(.busy) }
        return .success(Array(value.prefix(maxSize)))
    }

    private func currentValue(_ base: Int) -> [UInt8] {
        switch repo.load32(base + P.kind) {
        case P.vmRunning, P.vmPaused:
            let word = vmStateWord(repo.load32(base + P.kindArg), paused: repo.load32(base + P.kind) == P.vmPaused)
            return (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) }
        case P.pmemUsed, P.pmemFree:
            let used = repo.load64(H.pmemTop)
            let value = repo.load32(base + P.kind) == P.pmemUsed ? used : UInt64(pmem.byteCount) - used
            return Self.littleEndian(value, bytes: 8)
        case P.heapUsed, P.heapFree:
            // The PDEV heap, as /proc/nk/memstat's HEAP row (manual lines 13207–13221).
            let heap = pdevUsage
            return Self.littleEndian(repo.load32(base + P.kind) == P.heapUsed ? heap.used : heap.free, bytes: 8)
        case P.cpusOnline:
            // A 32-bit mask of the online physical CPUs (manual line 13167): the host's.
            return Self.littleEndian(UInt64(HostCPU.onlineMask), bytes: 4)
        case P.eventFilter:
            return eventFilterBytes
        default:
            let size = Int(repo.load32(base + P.curSize))
            return repo.loadBytes(Int(repo.load64(base + P.valueOffset)), count: size)
        }
    }

    /// `nk_prop_set` for VM `caller`: stores `value` (truncated to the maximum size)
    /// under the update-in-progress sequence word, or says which lifecycle
    /// hypercall a `nk.vm.<id>.state.*` write stands for.
    public func propertySet(_ name: String, value: [UInt8], caller: NkOsId) -> PropertySetEffect {
        guard let index = propertyIndex(name) else { return .failed(NK_PROP_UNKNOWN) }
        let base = propertyOffset(index)
        guard repo.load32(base + P.setMask) & (1 << caller) != 0 else { return .failed(NK_PROP_PERMISSION) }
        let stored = Array(value.prefix(Int(repo.load32(base + P.maxSize))))
        let kind = repo.load32(base + P.kind)
        if kind == P.eventFilter {
            setEventFilter(bytes: stored)
            return .stored(bytes: Int32(stored.count), notify: repo.load32(base + P.notifyMask) & runningMask)
        }
        if kind != P.plain && kind != P.vmRunning && kind != P.vmPaused { return .failed(NK_PROP_ERROR) }
        if kind != P.plain {
            guard let first = stored.first else { return .failed(NK_PROP_ERROR) }
            let vm = repo.load32(base + P.kindArg)
            let on = first & 1 != 0
            let call: Hypercall =
                kind == P.vmRunning
                ? (on ? (vm == caller ? .restart(vm: vm) : .start(vm: vm)) : .stop(vm: vm))
                : (on ? .suspend(vm: vm) : .resume(vm: vm))
            return .lifecycle(call, bytes: Int32(stored.count))
        }
        guard let seq = beginUpdate(base) else { return .failed(NK_PROP_BUSY) }
        repo.storeBytes(Int(repo.load64(base + P.valueOffset)), stored)
        repo.store32(base + P.curSize, UInt32(stored.count))
        repo.store32(base + P.sequence, seq &+ 2)
        return .stored(bytes: Int32(stored.count), notify: repo.load32(base + P.notifyMask) & runningMask)
    }

    /// Claims the update of the property at `base` (its sequence word made odd) and
    /// returns the even sequence it had. Writers wait for each other, as the
    /// hypervisor serialises `nk_prop_set` hypercalls: a concurrent set is not an
    /// error (two `echo N > /proc/nk/focus` at once both succeed, the last one
    /// wins). Nil only when an update stays in progress for
    /// ``updateWaitLimit`` yields (its writer died in the middle): `NK_PROP_BUSY`.
    private func beginUpdate(_ base: Int) -> UInt32? {
        Self.waitingOutUpdates { () -> UInt32? in
            let seq = repo.load32(base + P.sequence)
            let claimed = seq & 1 == 0 && repo.compareExchange32(base + P.sequence, expected: seq, desired: seq &+ 1).exchanged
            return claimed ? seq : nil
        }
    }

    /// Runs `attempt` until it gives a value, nil meaning "an update is in progress":
    /// spinning first (an update is a few stores), then yielding (its writer may be
    /// preempted). Nil after ``updateWaitLimit`` tries: the writer died mid-update.
    /// Writers claiming an update and readers retrying `NK_PROP_BUSY` both wait so.
    public static func waitingOutUpdates<T, E: Error>(_ attempt: () throws(E) -> T?) throws(E) -> T? {
        for tries in 0..<updateWaitLimit {
            if let value = try attempt() { return value }
            if tries >= 64 { ProcessInfo.yieldProcessor() }
        }
        return nil
    }

    static func littleEndian(_ value: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    /// How many times a writer yields waiting for another's update.
    static let updateWaitLimit = 100_000

    /// Supervisor, after a VM process died: an update it left half done (the
    /// sequence word odd) would answer `NK_PROP_BUSY` to every VM for good. An
    /// update is a few stores, so an odd word that has not moved for `grace` is
    /// abandoned: it is closed (made even, as its writer would have), and the
    /// property works again with whatever value the dead writer had stored.
    /// Returns the names of the properties closed.
    public func closeAbandonedPropertyUpdates(grace: Duration = .milliseconds(10)) -> [String] {
        let open = (0..<propertyCount).compactMap { index -> (Int, UInt32)? in
            let seq = repo.load32(propertyOffset(index) + P.sequence)
            return seq & 1 != 0 ? (index, seq) : nil
        }
        guard !open.isEmpty else { return [] }
        ProcessInfo.sleep(for: grace)
        return open.compactMap { index, seq in
            let base = propertyOffset(index)
            guard repo.compareExchange32(base + P.sequence, expected: seq, desired: seq &+ 1).exchanged else { return nil }
            return repo.loadCString(base + P.name, limit: P.nameLimit)
        }
    }

    /// Supervisor and views: the current value of `name`, without a permission
    /// check (nil for an unknown name); waits out an update in progress.
    public func propertyValue(_ name: String) -> [UInt8]? {
        guard let index = propertyIndex(name) else { return nil }
        let base = propertyOffset(index)
        while true {
            let seq = repo.load32(base + P.sequence)
            guard seq & 1 == 0 else { continue }
            let value = currentValue(base)
            if repo.load32(base + P.sequence) == seq { return value }
        }
    }

    /// The VMs allowed to be notified of `name` that are running now.
    public func notifyMask(ofProperty name: String) -> NkOsMask {
        guard let index = propertyIndex(name) else { return 0 }
        return repo.load32(propertyOffset(index) + P.notifyMask) & runningMask
    }
}

/// `nk_prop_*` failures, with their manual codes.
public enum PropertyError: Error, Sendable, Equatable {
    case busy, permission, unknown, error

    /// The negative `NK_PROP_*` code.
    public var code: Int32 {
        switch self {
        case .busy: NK_PROP_BUSY
        case .permission: NK_PROP_PERMISSION
        case .unknown: NK_PROP_UNKNOWN
        case .error: NK_PROP_ERROR
        }
    }
}
