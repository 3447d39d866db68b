// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// One record of the shared event log (manual lines 13605–13687): 32 bytes in
/// the repository header, see `RepositoryABI.EventLog`.
public struct EventRecord: Sendable, Equatable {
    /// Sequence number (the `[n]` of the ASCII view).
    public var sequence: UInt64
    /// Hypervisor ticks (1 GHz: host monotonic nanoseconds).
    public var timestamp: UInt64
    public var cpu: Int
    /// The VM the event happened in (`VM<n>` of the ASCII view).
    public var vm: NkOsId
    /// Index into `EventLog.names`.
    public var type: Int
    /// Type-dependent arguments: a target VM id, then an xirq or hypercall number.
    public var target: UInt32
    public var argument: UInt32

    /// The lower-case event name.
    public var name: String { type < EventLog.names.count ? EventLog.names[type] : "unknown" }
}

/// The event-log names, filter and ring, shared by every VM and the supervisor.
public enum EventLog {
    /// Every event name, in the order of the manual's filter-clr example (line
    /// 13536) with `irq_post` and `irq_throttle` (the table's `cpu_post` /
    /// `cpu_throttle` is a slip, line 13515) after `irq_select`. The index is the
    /// record's type byte and the bit in the filter word.
    public static let names = [
        "cpu_start", "cpu_stop", "intr_enter", "intr_leave", "intr_el2_enter", "intr_el2_leave", "irq_select",
        "irq_post", "irq_throttle", "cpu_to_el3", "cpu_from_el3", "cpu_idle_enter", "cpu_idle_leave", "trap_enter",
        "trap_leave", "hyp_call", "vcpu_to_el3", "vcpu_from_el3", "vcpu_start", "vcpu_stop", "vcpu_suspend_request",
        "vcpu_resume_request", "vdev_load", "vdev_store", "virq_assert", "vcpu_switch_out", "vcpu_switch_in",
        "vcpu_idle_enter", "vcpu_idle_leave", "vm_stop", "vm_start", "vm_suspend_request", "vm_resume_request",
        "vm_loading", "vm_loaded", "vm_fatal", "irq_spurious", "vm_s2r_enter", "vm_s2r_leave", "s2r_enter",
        "s2r_leave", "usr_0", "usr_1", "usr_2", "usr_3", "usr_4", "usr_5", "usr_6", "usr_7",
    ]

    /// The type index of `name` (a name of `names`).
    public static func type(_ name: String) -> Int {
        guard let index = names.firstIndex(of: name) else { preconditionFailure("unknown event \(name)") }
        return index
    }

    /// Hypercall numbers recorded in `hyp_call` records (`argument`).
    public static let hypercalls = [1: "nk_start", 2: "nk_stop", 3: "nk_suspend", 4: "nk_resume"]
}

extension Repository {
    private typealias E = RepositoryABI.EventLog

    /// The repository offset of the value of `nk.monitoring.enable`, looked up once
    /// by each user so the enabled check is one load (`eventLogEnabled(word:)`).
    public var monitoringEnableWord: Int? {
        guard let index = propertyIndex("nk.monitoring.enable") else { return nil }
        let value = Int(repo.load64(propertyOffset(index) + RepositoryABI.Property.valueOffset))
        return value % 4 == 0 ? value : nil
    }

    /// Whether `nk.monitoring.enable` asks for the events log: mode 2 (binary or
    /// ASCII '2', manual line 13683). One acquiring load.
    @inline(__always)
    public func eventLogEnabled(word: Int?) -> Bool {
        guard let word else { return false }
        let mode = repo.load32(word) & 0xff
        return mode == 2 || mode == 0x32
    }

    /// Bit i set ⇔ event `EventLog.names[i]` is selected (all selected at boot:
    /// the shared word holds the complement, zero after formatting).
    public var eventFilter: UInt64 {
        ~repo.load64(RepositoryABI.Header.eventFilterCleared) & E.allEvents
    }

    /// Selects (`select`) or filters out the events of `bits`, atomically.
    public func changeEventFilter(_ bits: UInt64, select: Bool) {
        let field = RepositoryABI.Header.eventFilterCleared
        var old = repo.load64(field)
        while true {
            let new = select ? old & ~bits : old | bits
            let (done, seen) = repo.compareExchange64(field, expected: old, desired: new)
            if done { return }
            old = seen
        }
    }

    /// The value of `nk.event-log.filter` (manual line 13603): the filter as the
    /// manual's 160-bit mask, five little-endian 32-bit words, bit i of the mask
    /// (bit i % 32 of word i / 32) set ⇔ event `EventLog.names[i]` is selected.
    public var eventFilterBytes: [UInt8] {
        Self.littleEndian(eventFilter, bytes: E.filterBytes)
    }

    /// `nk_prop_set` of `nk.event-log.filter`: the filter becomes exactly the
    /// mask in `bytes` (missing bytes are zero: those events are filtered out;
    /// bits past the last event name are ignored). One atomic store.
    func setEventFilter(bytes: [UInt8]) {
        var selected: UInt64 = 0
        for (index, byte) in bytes.prefix(8).enumerated() { selected |= UInt64(byte) << (8 * UInt64(index)) }
        repo.store64(RepositoryABI.Header.eventFilterCleared, ~selected & E.allEvents)
    }

    /// Appends a record if monitoring is on (`word` from `monitoringEnableWord`)
    /// and the filter selects `type`. Lock-free: a CAS claims the sequence
    /// number; the slot's commit word is written last.
    public func recordEvent(
        _ type: Int, vm: NkOsId, target: UInt32 = 0, argument: UInt32 = 0, word: Int?
    ) {
        guard eventLogEnabled(word: word), eventFilter >> UInt64(type) & 1 != 0 else { return }
        let seq = claimSequence()
        let slot = E.ring + Int(seq % UInt64(E.capacity)) * E.recordSize
        repo.store32(slot + E.commit, 0)
        repo.store64(slot + E.timestamp, HostClock.monotonicNanoseconds())
        repo.store32(slot + E.target, target)
        repo.store32(slot + E.argument, argument)
        let cpu = UInt8(truncatingIfNeeded: HostCPU.current)
        repo.storeBytes(slot + E.cpu, [cpu, UInt8(truncatingIfNeeded: vm), 0, UInt8(type)])
        repo.store32(slot + E.commit, UInt32(truncatingIfNeeded: seq &+ 1))
    }

    private func claimSequence() -> UInt64 {
        var old = repo.load64(RepositoryABI.Header.eventNext)
        while true {
            let (done, seen) = repo.compareExchange64(RepositoryABI.Header.eventNext, expected: old, desired: old + 1)
            if done { return old }
            old = seen
        }
    }

    /// The records still in the ring, oldest first (a snapshot: reading does not
    /// consume; a slot being rewritten is skipped).
    public func eventRecords() -> [EventRecord] {
        let next = repo.load64(RepositoryABI.Header.eventNext)
        let first = next > UInt64(E.capacity) ? next - UInt64(E.capacity) : 0
        return (first..<next).compactMap(eventRecord)
    }

    private func eventRecord(_ seq: UInt64) -> EventRecord? {
        let slot = E.ring + Int(seq % UInt64(E.capacity)) * E.recordSize
        let mark = UInt32(truncatingIfNeeded: seq &+ 1)
        guard repo.load32(slot + E.commit) == mark else { return nil }
        let tail = repo.loadBytes(slot + E.cpu, count: 4)
        let record = EventRecord(
            sequence: seq, timestamp: repo.load64(slot + E.timestamp), cpu: Int(tail[0]), vm: NkOsId(tail[1]),
            type: Int(tail[3]), target: repo.load32(slot + E.target), argument: repo.load32(slot + E.argument))
        return repo.load32(slot + E.commit) == mark ? record : nil
    }
}
