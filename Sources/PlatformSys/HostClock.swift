// SPDX-License-Identifier: Apache-2.0
// Clocks and CPU facts of the host, for the /proc/nk statistics views.
import CVPlat
import Glibc

/// The host's clocks in nanoseconds.
public enum HostClock {
    /// `CLOCK_MONOTONIC`: the hypervisor tick counter of vlm (1 GHz).
    public static func monotonicNanoseconds() -> UInt64 {
        read(CLOCK_MONOTONIC)
    }

    /// `CLOCK_REALTIME`: nanoseconds since the epoch.
    public static func realtimeNanoseconds() -> UInt64 {
        read(CLOCK_REALTIME)
    }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var time = timespec()
        _ = unsafe clock_gettime(clock, &time)  // SAFETY: writes one timespec we own.
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// CPU facts of the host.
public enum HostCPU {
    /// Configured CPUs (`sysconf(_SC_NPROCESSORS_CONF)`), at least 1.
    public static var count: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_CONF))) }
    /// The unit of `/proc` CPU times (`sysconf(_SC_CLK_TCK)`, usually 100).
    public static var ticksPerSecond: Int { max(1, sysconf(Int32(_SC_CLK_TCK))) }

    /// The online CPUs 0…31 as a mask (bit i = CPU i), from
    /// `/sys/devices/system/cpu/online` (`0-3,6`); when that cannot be read, the
    /// lowest `sysconf(_SC_NPROCESSORS_ONLN)` bits.
    public static var onlineMask: UInt32 {
        if let bytes = try? FileSystem.readFile("/sys/devices/system/cpu/online"),
            let mask = cpuListMask(String(decoding: bytes, as: UTF8.self))
        {
            return mask
        }
        let online = min(32, max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        return online == 32 ? .max : (1 << UInt32(online)) - 1
    }

    /// The mask of a kernel CPU list (`0-3,6`), CPUs past 31 left out; nil when malformed.
    static func cpuListMask(_ list: String) -> UInt32? {
        var mask: UInt32 = 0
        for range in list.split(whereSeparator: { $0 == "," || $0 == "\n" }) {
            let ends = range.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(ends.count), let first = ends.first ?? nil, let last = ends.last ?? nil,
                first <= last
            else { return nil }
            for cpu in first...min(last, 31) where cpu >= 0 { mask |= 1 << UInt32(cpu) }
        }
        return mask
    }
}

extension HostCPU {
    /// The CPU the calling thread runs on, 0 if unknown (one vDSO call, no syscall
    /// on x86-64). The corresponding C function is `sched_getcpu`.
    public static var current: Int {
        max(0, Int(CVPlat_current_cpu()))
    }
}
