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
}

extension HostCPU {
    /// The CPU the calling thread last ran on (field 39 of `/proc/thread-self/stat`), 0 if unknown.
    public static var current: Int {
        guard let bytes = try? FileSystem.readFile("/proc/thread-self/stat") else { return 0 }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 36 ? Int(fields[36]) ?? 0 : 0
    }
}
