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
        guard let value = stableValue(base) else { return .failure(.busy) }
        return .success(Array(value.prefix(maxSize)))
    }

    /// The value at `base` if no update was in progress or completed while it was
    /// copied (the sequence word even and unchanged), else nil: `NK_PROP_BUSY`.
    private func stableValue(_ base: Int) -> [UInt8]? {
        let before = repo.load32(base + P.sequence)
        guard !PropertySequence(word: before).isUpdating else { return nil }
        let value = currentValue(base)
        return repo.load32(base + P.sequence) == before ? value : nil
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
        guard let idle = beginUpdate(base, writer: caller) else { return .failed(NK_PROP_BUSY) }
        repo.storeBytes(Int(repo.load64(base + P.valueOffset)), stored)
        repo.store32(base + P.curSize, UInt32(stored.count))
        repo.store32(base + P.sequence, idle.finished.word)
        return .stored(bytes: Int32(stored.count), notify: repo.load32(base + P.notifyMask) & runningMask)
    }

    /// Claims the update of the property at `base` for VM `writer` (the sequence
    /// word made odd and naming it, one CAS) and returns the idle word it had.
    /// Writers wait for each other, as the hypervisor serialises `nk_prop_set`
    /// hypercalls: a concurrent set is not an error (two `echo N > /proc/nk/focus`
    /// at once both succeed, the last one wins). Nil only when another update
    /// stays in progress for ``updateWaitLimit`` (its VM is paused mid-update):
    /// `NK_PROP_BUSY`, which the manual lets a setter answer (line 3827).
    private func beginUpdate(_ base: Int, writer: NkOsId) -> PropertySequence? {
        Self.waitingOutUpdates { () -> PropertySequence? in
            let idle = PropertySequence(word: repo.load32(base + P.sequence))
            guard !idle.isUpdating else { return nil }
            let claimed = repo.compareExchange32(
                base + P.sequence, expected: idle.word, desired: idle.claimed(by: writer).word)
            return claimed.exchanged ? idle : nil
        }
    }

    /// Runs `attempt` until it gives a value, nil meaning "an update is in progress":
    /// spinning first (an update is a few stores), then yielding (its writer may be
    /// preempted), then pausing briefly between tries. Nil once ``updateWaitLimit``
    /// has passed: the writer is stopped mid-update (a VM paused by `vlm pause`; a
    /// dead writer's update is closed by the supervisor when it reaps the VM).
    /// Writers claiming an update and the views' reads retrying `NK_PROP_BUSY`
    /// wait so; the supervisor never does (``propertyValue(_:)``).
    public static func waitingOutUpdates<T, E: Error>(_ attempt: () throws(E) -> T?) throws(E) -> T? {
        for _ in 0..<64 {
            if let value = try attempt() { return value }
        }
        let clock = ContinuousClock()
        let deadline = clock.now + updateWaitLimit
        var tries = 0
        while clock.now < deadline {
            if tries < 1_000 { ProcessInfo.yieldProcessor() } else { ProcessInfo.sleep(for: .microseconds(100)) }
            tries += 1
            if let value = try attempt() { return value }
        }
        return nil
    }

    static func littleEndian(_ value: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    /// How long a writer (or a view's read) waits for another VM's update.
    public static let updateWaitLimit: Duration = .seconds(2)

    /// Supervisor, when it has reaped VM `vm`'s process: closes every property
    /// update that VM left in progress, identified by the writer id in the
    /// sequence word (made even, as its writer would have), so the property is
    /// not `NK_PROP_BUSY` for good. An update of any other VM is left alone.
    /// Never waits. The value is whatever the dead writer had stored. Returns the
    /// names closed and the running VMs to notify with `NK_XIRQ_SYSCONF`, which
    /// the manual promises once an update in progress ends (lines 3771, 3827).
    public func closePropertyUpdates(leftBy vm: NkOsId) -> (names: [String], notify: NkOsMask) {
        var names: [String] = []
        var notify: NkOsMask = 0
        for index in 0..<propertyCount {
            let base = propertyOffset(index)
            let open = PropertySequence(word: repo.load32(base + P.sequence))
            guard open.writer == vm else { continue }
            // Only VM `vm` could move this word, and it is gone: the CAS cannot lose.
            guard repo.compareExchange32(base + P.sequence, expected: open.word, desired: open.finished.word).exchanged
            else { continue }
            names.append(repo.loadCString(base + P.name, limit: P.nameLimit))
            notify |= repo.load32(base + P.notifyMask)
        }
        return (names, notify & runningMask & ~(1 << vm))
    }

    /// The VM whose update of `name` is in progress, if any.
    public func propertyWriter(_ name: String) -> NkOsId? {
        guard let index = propertyIndex(name) else { return nil }
        return PropertySequence(word: repo.load32(propertyOffset(index) + P.sequence)).writer
    }

    /// Supervisor and views: the current value of `name`, without a permission
    /// check. Nil for an unknown name, and when an update stays in progress
    /// through ``supervisorReadTries`` tries: the supervisor's loop never waits
    /// on a word a guest can leave odd (``propertyWriter(_:)`` names the writer).
    public func propertyValue(_ name: String) -> [UInt8]? {
        guard let index = propertyIndex(name) else { return nil }
        let base = propertyOffset(index)
        for _ in 0..<Self.supervisorReadTries {
            if let value = stableValue(base) { return value }
        }
        return nil
    }

    /// How many times ``propertyValue(_:)`` tries to read a value between updates
    /// (an update is a few stores): a bound, with no yield or sleep.
    public static let supervisorReadTries = 1_000

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
