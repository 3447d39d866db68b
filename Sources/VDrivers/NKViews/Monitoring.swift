// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformViews
import Synchronization

/// `monitoring/event-log/filter-set|filter-clr` and `monitoring/vl,evt-log-0/cpu-<n>`
/// (manual lines 13492–13687).
extension VMViews {
    func addMonitoring() {
        let monitoring = self.monitoring
        let eventLog = procNK.makeDirectories("monitoring/event-log")
        for selected in [true, false] {
            eventLog.add(selected ? "filter-set" : "filter-clr", .controlFile(ControlFile(
                read: { Array(monitoring.filterText(selected: selected).utf8) },
                write: { text throws(ViewErrno) in try monitoring.change(text, select: selected) })))
        }
        let log = procNK.makeDirectories("monitoring/vl,evt-log-0")
        for cpu in 0..<HostCPU.count {
            log.add("cpu-\(cpu)", .seqFile(SeqFile(text: { monitoring.logText(cpu: cpu) })))
        }
    }

    /// Records `event` about VM `target` when `nk.monitoring.enable` is 2 (events
    /// log on) and the filter selects it.
    func record(_ event: String, target: NkOsId) {
        Self.record(event, target: target, nkddi: nkddi, monitoring: monitoring)
    }

    /// `record(_:target:)` without the views object (for closures the view tree keeps).
    static func record(_ event: String, target: NkOsId, nkddi: NKDDI, monitoring: MonitoringState) {
        guard let mode = try? nkddi.propertyBytes("nk.monitoring.enable", maxSize: 4).first,
            mode == 2 || mode == 0x32 else { return }
        monitoring.record(event, vm: nkddi.id, target: target, cpu: HostCPU.current)
    }
}

/// The event-log filter (one bit per event name, all set at boot) and the
/// records of this VM's kernel.
final class MonitoringState: Sendable {
    /// Every event name, in the order of the manual's filter-clr example with
    /// `irq_post` and `irq_throttle` (the table's `cpu_post`/`cpu_throttle` is a
    /// slip, line 13515) after `irq_select`.
    static let names = [
        "cpu_start", "cpu_stop", "intr_enter", "intr_leave", "intr_el2_enter", "intr_el2_leave", "irq_select",
        "irq_post", "irq_throttle", "cpu_to_el3", "cpu_from_el3", "cpu_idle_enter", "cpu_idle_leave", "trap_enter",
        "trap_leave", "hyp_call", "vcpu_to_el3", "vcpu_from_el3", "vcpu_start", "vcpu_stop", "vcpu_suspend_request",
        "vcpu_resume_request", "vdev_load", "vdev_store", "virq_assert", "vcpu_switch_out", "vcpu_switch_in",
        "vcpu_idle_enter", "vcpu_idle_leave", "vm_stop", "vm_start", "vm_suspend_request", "vm_resume_request",
        "vm_loading", "vm_loaded", "vm_fatal", "irq_spurious", "vm_s2r_enter", "vm_s2r_leave", "s2r_enter",
        "s2r_leave", "usr_0", "usr_1", "usr_2", "usr_3", "usr_4", "usr_5", "usr_6", "usr_7",
    ]
    static let capacity = 1024

    private struct Record { var seq: UInt64; var time: UInt64; var cpu: Int; var vm: NkOsId; var event: String; var target: NkOsId }
    private struct State {
        var filter = (UInt64(1) << UInt64(MonitoringState.names.count)) - 1
        var records: [Record] = []
        var next: UInt64 = 0
    }
    private let state = Mutex(State())

    /// The names selected (or filtered out), space-separated, with a linefeed.
    func filterText(selected: Bool) -> String {
        let mask = state.withLock { $0.filter }
        let names = Self.names.enumerated().filter { (mask >> UInt64($0.offset) & 1 != 0) == selected }.map(\.element)
        return names.joined(separator: " ") + "\n"
    }

    /// Selects (or filters out) the named events; any unknown name is EINVAL
    /// and nothing changes. Blanks and linefeeds separate names.
    func change(_ text: String, select: Bool) throws(ViewErrno) {
        var bits: UInt64 = 0
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            guard let index = Self.names.firstIndex(of: String(word)) else { throw .einval }
            bits |= 1 << UInt64(index)
        }
        state.withLock { $0.filter = select ? $0.filter | bits : $0.filter & ~bits }
    }

    func record(_ event: String, vm: NkOsId, target: NkOsId, cpu: Int) {
        guard let index = Self.names.firstIndex(of: event) else { return }
        state.withLock { state in
            guard state.filter >> UInt64(index) & 1 != 0 else { return }
            let time = HostClock.monotonicNanoseconds()
            state.records.append(Record(seq: state.next, time: time, cpu: cpu, vm: vm, event: event, target: target))
            state.next += 1
            if state.records.count > Self.capacity { state.records.removeFirst() }
        }
    }

    /// `[seq] time: CPU<c> VM<v> VCPU0 - <event>` and a `target:` line (line 13660).
    func logText(cpu: Int) -> String {
        state.withLock { state in
            state.records.filter { $0.cpu == cpu }.map {
                "[\($0.seq)] \($0.time): CPU\($0.cpu) VM\($0.vm) VCPU0 - \($0.event)\n    target: VM\($0.target)\n"
            }.joined()
        }
    }
}
