// SPDX-License-Identifier: Apache-2.0
import CVPlat
import Glibc
import SystemPackage

/// Ties a guest's life to its supervisor (anchors §12.5 item 8).
public enum ParentDeath {
    /// Asks the kernel to send `signal` (default SIGKILL) when the parent dies,
    /// then checks the parent is still `expectedParent`: if it already died
    /// between spawn and this call, the signal never comes, so exit now.
    /// Returns false in that case (the caller should exit at once).
    /// The corresponding C function is `prctl(PR_SET_PDEATHSIG)`.
    public static func arm(signal: Signal = .kill, expectedParent: Int32) throws(SyscallError) -> Bool {
        try syscall("prctl") { CVPlat_set_pdeathsig(signal.rawValue) }
        return getppid() == expectedParent
    }
}

/// Facts about processes: ids, liveness, names, CPU time.
public enum ProcessInfo {
    /// This process's id.
    public static var currentID: Int32 { getpid() }
    /// The real user id. The corresponding C function is `getuid`.
    public static var userID: UInt32 { getuid() }
    /// The parent's id.
    public static var parentID: Int32 { getppid() }

    /// Whether a process `pid` exists (it may be a zombie). The corresponding C function is `kill(pid, 0)`.
    public static func exists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || Glibc.errno == EPERM
    }

    /// Sets the 15-character kernel name (`comm`) that `ps -o comm`, `top` and
    /// `pgrep` show. The corresponding C function is `prctl(PR_SET_NAME)`.
    public static func setName(_ name: String) throws(SyscallError) {
        var short = name
        while short.utf8.count > 15 { short.removeLast() }
        // SAFETY: `short` is bridged to a C string of at most 15 bytes plus NUL for the call only.
        try syscall("prctl") { unsafe CVPlat_set_process_name(short) }
    }

    /// Sleeps the calling thread for `duration`. The corresponding C function is `nanosleep`.
    public static func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        // SAFETY: both timespecs are locals; EINTR resumes with the remainder.
        while unsafe nanosleep(&request, &remaining) != 0 && Glibc.errno == EINTR { request = remaining }
    }

    /// Gives the CPU to another runnable thread, if any. The corresponding C function
    /// is `sched_yield`.
    public static func yieldProcessor() {
        _ = sched_yield()
    }

    /// The page size. The corresponding C function is `sysconf(_SC_PAGESIZE)`.
    public static var pageSize: Int { Int(CVPlat_page_size()) }

    /// The path of the running executable, resolved (`/proc/self/exe`).
    public static func executablePath() throws(SyscallError) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        // SAFETY: readlink writes at most count - 1 bytes; we add the terminator.
        let n = try syscall("readlink") {
            unsafe buffer.withUnsafeMutableBufferPointer {
                unsafe readlink("/proc/self/exe", $0.baseAddress!, $0.count - 1)
            }
        }
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// User and system CPU time of process `pid` (fields 14 and 15 of
    /// `/proc/<pid>/stat`, clock ticks), and its state letter (R, S, T …).
    public static func cpuTimes(of pid: Int32) throws(SyscallError) -> ProcessCPUTimes {
        let text = String(decoding: try FileSystem.readFile("/proc/\(pid)/stat"), as: UTF8.self)
        guard let times = ProcessCPUTimes(statLine: text, ticksPerSecond: Int(sysconf(Int32(_SC_CLK_TCK)))) else {
            throw SyscallError(call: "read", errno: .ioError)
        }
        return times
    }
}

/// What `/proc/<pid>/stat` says about a process's CPU use.
public struct ProcessCPUTimes: Equatable, Sendable {
    /// Time spent in user mode.
    public var user: Duration
    /// Time spent in the kernel.
    public var system: Duration
    /// The state letter: `R` running, `S` sleeping, `T` stopped, `Z` zombie …
    public var state: Character

    /// Parses a stat line. The command name (field 2) may hold spaces and
    /// parentheses, so fields are counted after the last `)`.
    public init?(statLine: String, ticksPerSecond: Int) {
        guard let close = statLine.lastIndex(of: ")"), ticksPerSecond > 0 else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ")
        // After ')': field 3 (state) is index 0, so field N is index N - 3.
        guard fields.count > 12, let state = fields[0].first,
            let utime = Int(fields[11]), let stime = Int(fields[12])
        else { return nil }
        let tick = Duration.seconds(1) / ticksPerSecond
        self.user = tick * utime
        self.system = tick * stime
        self.state = state
    }
}
