// SPDX-License-Identifier: Apache-2.0
public import Platform
import PlatformSys

/// CPU time of the platform's processes per host CPU, for `pcpustats` and
/// `cpu/<n>/pmon` (manual lines 13389–13427, 14057–14094).
///
/// vlm's hypervisor timer is `CLOCK_MONOTONIC`: one tick is a nanosecond
/// (``frequency`` = 1 GHz). A VM's time is the user + system time of every
/// thread of every process in its process group (the guest leads its own
/// group, `vl,init` and what it starts are in it), each thread's time counted
/// on the CPU it last ran on (`/proc/<pid>/task/<tid>/stat`, field 39): exact
/// for VMs pinned to one CPU, an approximation otherwise. The time of the
/// group's children that ended and were waited for (fields 16–17 of each
/// process) counts too, on the CPU the waiting process last ran on, so a VM's
/// time does not drop when its `vl,init` exits (not for the supervisor, whose
/// children are the guests: the time of a VM's earlier boots is dropped).
/// "VM1", the hypervisor, is the supervisor process; "Idle" is the CPU's idle
/// time from `/proc/stat`.
public struct HostAccounting: Sendable {
    /// Hypervisor ticks per second.
    public static let frequency: UInt64 = 1_000_000_000

    /// The process group leader of each running VM, and the supervisor's pid
    /// (nil when unknown): asked at each read.
    public var processes: @Sendable () -> (vms: [NkOsId: Int32], hypervisor: Int32?)

    /// - Parameter processes: the VM process groups and the supervisor (default: none known).
    public init(processes: @escaping @Sendable () -> (vms: [NkOsId: Int32], hypervisor: Int32?) = { ([:], nil) }) {
        self.processes = processes
    }

    /// One reading: per CPU, the idle ticks and the ticks of each OS id (1 = hypervisor).
    public struct Sample: Sendable, Equatable {
        public var cpus: Int
        public var idle: [UInt64]
        /// `os[id][cpu]`.
        public var os: [NkOsId: [UInt64]]
    }

    /// Reads the host now.
    public func sample() -> Sample {
        let cpus = HostCPU.count
        let toTicks = HostAccounting.frequency / UInt64(HostCPU.ticksPerSecond)
        var sample = Sample(
            cpus: cpus, idle: Self.idleTicks(cpus: cpus).map { $0.saturatingMultiply(toTicks) }, os: [:])
        let (vms, hypervisor) = processes()
        var groups: [Int32: NkOsId] = [:]
        for (vm, leader) in vms { groups[leader] = vm }
        for pid in (try? FileSystem.listDirectory("/proc"))?.compactMap({ Int32($0) }) ?? [] {
            guard let process = Self.stat(path: "/proc/\(pid)/stat") else { continue }
            guard let id: NkOsId = pid == hypervisor ? 1 : groups[process.group] else { continue }
            var row = sample.os[id] ?? Array(repeating: 0, count: cpus)
            // The supervisor's children are the guests: a stopped VM's time is not the hypervisor's.
            if id != 1 {
                row[Self.column(process.cpu, cpus)].saturatingAdd(process.childTicks.saturatingMultiply(toTicks))
            }
            for tid in (try? FileSystem.listDirectory("/proc/\(pid)/task")) ?? [] {
                guard let stat = Self.stat(path: "/proc/\(pid)/task/\(tid)/stat") else { continue }
                row[Self.column(stat.cpu, cpus)].saturatingAdd(stat.ticks.saturatingMultiply(toTicks))
            }
            sample.os[id] = row
        }
        return sample
    }

    /// The column of a CPU number read from `/proc` (a CPU past the last counted
    /// one is counted on the last).
    static func column(_ cpu: Int, _ cpus: Int) -> Int {
        max(0, min(cpu, cpus - 1))
    }

    /// Process group, user + system ticks, the waited-for children's user +
    /// system ticks and last CPU of a `stat` line.
    static func stat(path: String) -> (group: Int32, ticks: UInt64, childTicks: UInt64, cpu: Int)? {
        guard let bytes = try? FileSystem.readFile(path) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After ')': field 3 is index 0, so field N is index N - 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 36, let group = Int32(fields[2]), let user = UInt64(fields[11]),
            let system = UInt64(fields[12]), let childUser = UInt64(fields[13]), let childSystem = UInt64(fields[14]),
            let cpu = Int(fields[36])
        else { return nil }
        return (group, user.saturatingAdding(system), childUser.saturatingAdding(childSystem), cpu)
    }

    /// The idle time (idle + iowait, in clock ticks) of each CPU, from `/proc/stat`.
    static func idleTicks(cpus: Int) -> [UInt64] {
        var idle = [UInt64](repeating: 0, count: cpus)
        let text = String(decoding: (try? FileSystem.readFile("/proc/stat")) ?? [], as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("cpu") {
            let fields = line.split(separator: " ")
            guard fields.count > 5, let cpu = Int(fields[0].dropFirst(3)), cpu >= 0, cpu < cpus,
                let a = UInt64(fields[4]), let b = UInt64(fields[5])
            else { continue }
            idle[cpu] = a.saturatingAdding(b)
        }
        return idle
    }

    /// The offset of the hypervisor clock from the epoch, in ticks (manual line
    /// 14200): the realtime clock minus the average of two monotonic readings around it.
    public static func counterTimerOffset() -> Int64 {
        let before = HostClock.monotonicNanoseconds()
        let now = HostClock.realtimeNanoseconds()
        let after = HostClock.monotonicNanoseconds()
        return Int64(truncatingIfNeeded: now) &- Int64(truncatingIfNeeded: before / 2 + after / 2)
    }
}

extension UInt64 {
    /// `self + other`, or `.max` instead of a trap: counters read from `/proc`
    /// are the host's, never trusted to fit.
    func saturatingAdding(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }

    mutating func saturatingAdd(_ other: UInt64) { self = saturatingAdding(other) }

    /// `self * other`, or `.max` instead of a trap.
    func saturatingMultiply(_ other: UInt64) -> UInt64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : product
    }
}
