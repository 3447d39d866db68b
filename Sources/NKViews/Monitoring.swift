// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformViews

/// `monitoring/event-log/filter-set|filter-clr` and `monitoring/vl,evt-log-0/cpu-<n>`
/// (manual lines 13492–13687), both views of the event log shared by every VM in
/// the repository (`Repository.eventFilter`, `Repository.eventRecords`).
extension VMViews {
    func addMonitoring() {
        let repository = nkddi.repository
        let eventLog = procNK.makeDirectories("monitoring/event-log")
        for selected in [true, false] {
            eventLog.add(
                selected ? "filter-set" : "filter-clr",
                .controlFile(
                    ControlFile(
                        read: { Array(EventLogText.filter(repository.eventFilter, selected: selected).utf8) },
                        write: { text throws(ViewErrno) in
                            repository.changeEventFilter(try EventLogText.bits(text), select: selected)
                        })))
        }
        let log = procNK.makeDirectories("monitoring/vl,evt-log-0")
        for cpu in 0..<HostCPU.count {
            log.add(
                "cpu-\(cpu)",
                .seqFile(
                    SeqFile(text: {
                        repository.eventRecords().filter { $0.cpu == cpu }.map(EventLogText.record).joined()
                    })))
        }
    }
}

/// The ASCII forms of the event-log filter and records.
enum EventLogText {
    /// The names selected (or filtered out), space-separated, with a linefeed
    /// (line 13536; read format = write format, line 13560).
    static func filter(_ mask: UInt64, selected: Bool) -> String {
        let names = EventLog.names.enumerated().filter { (mask >> UInt64($0.offset) & 1 != 0) == selected }
        return names.map(\.element).joined(separator: " ") + "\n"
    }

    /// The bits of the names in `text` (blanks and linefeeds separate names);
    /// an unknown name is EINVAL and nothing changes.
    static func bits(_ text: String) throws(ViewErrno) -> UInt64 {
        var bits: UInt64 = 0
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            guard let index = EventLog.names.firstIndex(of: String(word)) else { throw .einval }
            bits |= 1 << UInt64(index)
        }
        return bits
    }

    /// `[seq] ticks: CPU<c> VM<v> VCPU0 - <event>` then 4-space-indented detail
    /// lines (line 13660): `irq_post` as the manual prints it, `hyp_call` with
    /// the call and its target VM, VM events with no detail.
    static func record(_ r: EventRecord) -> String {
        var text = "[\(r.sequence)] \(r.timestamp): CPU\(r.cpu) VM\(r.vm) VCPU0 - \(r.name)\n"
        switch r.name {
        case "irq_post": text += "    target: VM\(r.target), VCPU0\n    irq: \(r.argument)\n"
        case "hyp_call":
            text += "    call: \(EventLog.hypercalls[Int(r.argument)] ?? "\(r.argument)")\n    target: VM\(r.target)\n"
        default: break
        }
        return text
    }
}
