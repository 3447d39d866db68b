// SPDX-License-Identifier: Apache-2.0

/// Per-VM console state in the repository: the persistent history ring written by
/// `nk_cons_write` (and streamed by the supervisor) and the input ring filled by
/// the supervisor with what the user types for the VM that has the focus.
extension Repository {
    private var historySize: UInt64 { UInt64(VMA.historySize) }

    /// `nk_cons_write`: appends `bytes` to VM `vm`'s history ring.
    public func consoleWrite(_ vm: NkOsId, _ bytes: [UInt8]) {
        guard isVM(vm), !bytes.isEmpty else { return }
        repo.spinLock(vmOffset(vm) + VMA.consLock, owner: vm)
        appendLocked(vm, bytes)
    }

    /// Supervisor: `consoleWrite` that never waits on the VM. False, with nothing
    /// written, when VM `vm` holds its console lock through
    /// ``supervisorLockTries`` tries (it is paused or was killed inside
    /// `nk_cons_write`); the caller keeps the bytes and tries again later.
    public func consoleAppend(_ vm: NkOsId, _ bytes: [UInt8]) -> Bool {
        guard isVM(vm), !bytes.isEmpty else { return true }
        guard repo.tryLock(vmOffset(vm) + VMA.consLock, owner: vm, tries: Self.supervisorLockTries) else {
            return false
        }
        appendLocked(vm, bytes)
        return true
    }

    /// How many times ``consoleAppend(_:_:)`` tries the console lock (held for
    /// a few stores by a running writer).
    public static let supervisorLockTries = 1_000

    /// Appends under the console lock, then releases it.
    private func appendLocked(_ vm: NkOsId, _ bytes: [UInt8]) {
        let base = vmOffset(vm)
        let data = bytes.suffix(VMA.historySize)
        let skipped = UInt64(bytes.count - data.count)
        let ord = repo.load64(base + VMA.consOrdinal) + skipped
        let start = Int(ord % historySize)
        let first = min(data.count, VMA.historySize - start)
        repo.storeBytes(base + VMA.history + start, Array(data.prefix(first)))
        if first < data.count { repo.storeBytes(base + VMA.history, Array(data.dropFirst(first))) }
        repo.store64(base + VMA.consOrdinal, ord + UInt64(data.count))
        repo.spinUnlock(base + VMA.consLock)
    }

    /// The ordinal of the next character VM `vm` will write.
    public func consoleOrdinal(_ vm: NkOsId) -> UInt64 { repo.load64(vmOffset(vm) + VMA.consOrdinal) }

    /// `nk_cons_hist_boot_ordinal`: the ordinal of the first character written since
    /// VM `vm` last booted.
    public func consoleBootOrdinal(_ vm: NkOsId) -> UInt64 { repo.load64(vmOffset(vm) + VMA.bootOrdinal) }

    /// Reads up to `max` history characters of VM `vm` from ordinal `from` on (or
    /// from the oldest one still kept). Returns them and the ordinal after them.
    public func consoleRead(_ vm: NkOsId, from: UInt64, max: Int = RepositoryABI.VM.historySize) -> (
        bytes: [UInt8], next: UInt64
    ) {
        let base = vmOffset(vm)
        while true {
            let written = repo.load64(base + VMA.consOrdinal)
            let oldest = written > historySize ? written - historySize : 0
            let start = Swift.max(from, oldest)
            guard start < written else { return ([], start) }
            let count = Int(Swift.min(UInt64(max), written - start))
            var out: [UInt8] = []
            var pos = Int(start % historySize)
            while out.count < count {
                let chunk = Swift.min(count - out.count, VMA.historySize - pos)
                out += repo.loadBytes(base + VMA.history + pos, count: chunk)
                pos = 0
            }
            // The writer may have lapped us while we copied: retry.
            let now = repo.load64(base + VMA.consOrdinal)
            if now <= historySize || now - historySize <= start { return (out, start + UInt64(count)) }
        }
    }

    /// Supervisor: queues typed input for VM `vm` (`nk_cons_poll`). Returns how many
    /// bytes fit in the 256-byte input ring.
    @discardableResult
    public func consolePushInput(_ vm: NkOsId, _ bytes: [UInt8]) -> Int {
        guard isVM(vm) else { return 0 }
        let base = vmOffset(vm)
        var tail = repo.load32(base + VMA.inTail)
        var pushed = 0
        for byte in bytes {
            guard tail &- repo.load32(base + VMA.inHead) < UInt32(VMA.inRingSize) else { break }
            let at = base + VMA.inRing + Int(tail % UInt32(VMA.inRingSize))
            var cell = repo.load32(at & ~3)
            let shift = UInt32(at & 3) * 8
            cell = cell & ~(0xff << shift) | UInt32(byte) << shift
            repo.store32(at & ~3, cell)
            tail &+= 1
            repo.store32(base + VMA.inTail, tail)
            pushed += 1
        }
        return pushed
    }

    /// `nk_cons_poll`: the next typed character for VM `vm`, or -1.
    public func consolePoll(_ vm: NkOsId) -> Int32 {
        let base = vmOffset(vm)
        while true {
            let head = repo.load32(base + VMA.inHead)
            guard head != repo.load32(base + VMA.inTail) else { return -1 }
            let at = base + VMA.inRing + Int(head % UInt32(VMA.inRingSize))
            let byte = UInt8(truncatingIfNeeded: repo.load32(at & ~3) >> (UInt32(at & 3) * 8))
            if repo.compareExchange32(base + VMA.inHead, expected: head, desired: head &+ 1).exchanged {
                return Int32(byte)
            }
        }
    }
}
