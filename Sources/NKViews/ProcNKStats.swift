// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformViews
import Synchronization

/// `pcpustats`, `cpu/<n>/pmon/{ascii,raw}/{cpustats,sysinfo}` and
/// `counter-timer-offset` (manual lines 13385–13427, 14057–14094, 14200–14214).
extension VMViews {
    func addProcStatistics() {
        let host = self.host
        let repository = nkddi.repository
        procNK.add(
            "pcpustats", .seqFile(SeqFile(text: { CPUStatsText.pcpustats(host.sample(), vms: repository.vmIDs) })))
        procNK.add("counter-timer-offset", .seqFile(SeqFile(text: { "\(HostAccounting.counterTimerOffset())\n" })))
        let periods = CPUPeriods(cpus: host.sample().cpus)
        for cpu in 0..<periods.cpus {
            let pmon = procNK.makeDirectories("cpu/\(cpu)/pmon")
            let ascii = pmon.makeDirectories("ascii")
            let raw = pmon.makeDirectories("raw")
            ascii.add(
                "cpustats",
                .seqFile(
                    SeqFile(text: {
                        CPUStatsText.cpustats(periods.take(cpu, host.sample()), cpu: cpu, vms: repository.vmIDs)
                    })))
            raw.add(
                "cpustats",
                .seqFile(
                    SeqFile(render: {
                        CPUStatsText.rawCPUStats(periods.take(cpu, host.sample()), vms: repository.vmIDs)
                    })))
            ascii.add("sysinfo", .seqFile(SeqFile(text: { CPUStatsText.sysinfo(oses: repository.vmIDs.count) })))
            raw.add("sysinfo", .seqFile(SeqFile(render: { CPUStatsText.rawSysinfo(oses: repository.vmIDs.count) })))
        }
    }
}

/// One CPU's times over a period: idle and per OS id (0 idle, 1 hypervisor, 2… VMs).
struct CPUPeriod: Equatable {
    var period: UInt64
    var idle: UInt64
    var os: [NkOsId: UInt64]
}

/// The statistics period of each CPU: "computed since the last time the
/// statistics have been retrieved" (line 13407), so reading `cpustats` resets it.
final class CPUPeriods: Sendable {
    let cpus: Int
    private struct Last {
        var time: UInt64
        var sample: HostAccounting.Sample?
    }
    private let last: Mutex<[Last]>

    init(cpus: Int) {
        self.cpus = cpus
        last = Mutex(Array(repeating: Last(time: HostClock.monotonicNanoseconds(), sample: nil), count: cpus))
    }

    /// The period of `cpu` since the last read, and a new period begun. The clock
    /// and the host are read under the lock, so concurrent readers' samples are
    /// taken in the order their periods are chained (a sample taken before the
    /// lock could land after a later reader's and make the period negative: 16
    /// readers crashed the VM on an arithmetic overflow). A counter that went
    /// backwards still gives 0, never a trap.
    func take(_ cpu: Int, _ sampling: @autoclosure () -> HostAccounting.Sample) -> CPUPeriod {
        last.withLock { last in
            guard last.indices.contains(cpu) else { return CPUPeriod(period: 0, idle: 0, os: [:]) }
            let sample = sampling()
            let now = HostClock.monotonicNanoseconds()
            let previous = last[cpu]
            last[cpu] = Last(time: now, sample: sample)
            return Self.period(cpu, from: previous, to: sample, elapsed: Self.delta(now, previous.time))
        }
    }

    /// The differences of `sample` against `previous` on `cpu`; a row missing on
    /// either side counts 0.
    private static func period(_ cpu: Int, from previous: Last, to sample: HostAccounting.Sample, elapsed: UInt64)
        -> CPUPeriod
    {
        var os: [NkOsId: UInt64] = [:]
        for (id, row) in sample.os where row.indices.contains(cpu) {
            os[id] = delta(row[cpu], previous.sample?.os[id].flatMap { $0.indices.contains(cpu) ? $0[cpu] : nil } ?? 0)
        }
        let oldIdle = previous.sample.flatMap { $0.idle.indices.contains(cpu) ? $0.idle[cpu] : nil } ?? 0
        let idle = sample.idle.indices.contains(cpu) ? delta(sample.idle[cpu], oldIdle) : 0
        return CPUPeriod(period: elapsed, idle: idle, os: os)
    }

    /// `new - old`, or 0 when the counter went backwards (a restarted VM's
    /// process, a reordered reading): never traps.
    static func delta(_ new: UInt64, _ old: UInt64) -> UInt64 {
        new >= old ? new - old : 0
    }
}

enum CPUStatsText {
    /// Frequency line, ticks table with an `Idle` column, then the same in ms
    /// (the manual's example, lines 14066–14091; tab-separated as printed there).
    static func pcpustats(_ sample: HostAccounting.Sample, vms: [NkOsId]) -> String {
        let ids: [NkOsId] = [1] + vms
        var ticks = ""
        var msecs = ""
        for cpu in 0..<sample.cpus {
            let row = [at(sample.idle, cpu)] + ids.map { at(sample.os[$0] ?? [], cpu) }
            ticks += "\(cpu)\t" + row.map(String.init).joined(separator: "\t") + "\n"
            // Ticks to ms by division only: `ticks * 1000` overflowed after 213 days of idle time.
            msecs +=
                "\(cpu)\t" + row.map { String($0 / (HostAccounting.frequency / 1000)) }.joined(separator: "\t") + "\n"
        }
        return "Counting frequency: \(HostAccounting.frequency) Hz\n\nCPU\tIdle\t"
            + ids.map { "VM\($0)" }.joined(separator: "\t") + "\n" + ticks + "\nIn msecs:\n\n" + msecs
    }

    /// `row[cpu]`, 0 when the row is shorter.
    private static func at(_ row: [UInt64], _ cpu: Int) -> UInt64 {
        row.indices.contains(cpu) ? row[cpu] : 0
    }

    /// `CPU n Consumption Statistics` (lines 13393–13405): `OS 00` is the idle
    /// time, `OS 01` the hypervisor, then each VM id up to the last.
    static func cpustats(_ period: CPUPeriod, cpu: Int, vms: [NkOsId]) -> String {
        var text = "CPU \(cpu) Consumption Statistics\nPERIOD: \(period.period)\nIDLE : \(period.idle)\n\n"
        for id in 0...(vms.max() ?? 1) {
            let value = id == 0 ? period.idle : period.os[id] ?? 0
            text += "OS \(id < 10 ? "0" : "")\(id): \(value)\n"
        }
        return text + "MISC0: 0\nMISC1: 0\nMISC2: 0\n"
    }

    /// Little-endian u64s: period, idle, then `OS 00…last` (vlm's layout; the
    /// manual does not reproduce `perfmon.h`).
    static func rawCPUStats(_ period: CPUPeriod, vms: [NkOsId]) -> [UInt8] {
        var words = [period.period, period.idle]
        for id in 0...(vms.max() ?? 1) { words.append(id == 0 ? period.idle : period.os[NkOsId(id)] ?? 0) }
        return words.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * UInt64($0))) } }
    }

    static func sysinfo(oses: Int) -> String {
        "VLX Performance Analysis v1.0\nTimer frequency : \(HostAccounting.frequency) Hertz\nNumber of OSes : \(oses)\n"
    }

    /// Little-endian u32s: version (0x0100 = 1.0), frequency, number of OSes.
    static func rawSysinfo(oses: Int) -> [UInt8] {
        [UInt32(0x0100), UInt32(HostAccounting.frequency), UInt32(oses)].flatMap { word in
            (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) }
        }
    }
}
