// SPDX-License-Identifier: Apache-2.0
import CVPlat
import Glibc
import SystemPackage

/// How a child process ended.
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    /// It called `exit(code)`.
    case exited(Int32)
    /// A signal killed it.
    case signaled(Signal)

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signaled(let signal): "killed by \(signal)"
        }
    }
}

/// A child process started with `ChildProcess.spawn`, held by a pidfd so that
/// signals never reach a recycled pid and epoll can watch for its exit
/// (the pidfd becomes readable when the process terminates).
public final class ChildProcess: @unchecked Sendable {
    /// The process id.
    public let pid: Int32
    /// The pidfd (`pidfd_open`); readable once the process has exited.
    public let pidDescriptor: OwnedFD
    /// The exit status once reaped by `wait`/`tryWait`. Confined to the reaping thread.
    public private(set) var exitStatus: ExitStatus?

    private init(pid: Int32, pidDescriptor: consuming OwnedFD) {
        self.pid = pid
        self.pidDescriptor = pidDescriptor
    }

    /// Starts `executable` with `arguments` (argv, `arguments[0]` included: it
    /// is what `ps` shows), `environment` (nil: inherit), and an explicit
    /// descriptor map: the child's fd `i` is a duplicate of `descriptors[i]`
    /// (nil: closed); every other descriptor is closed in the child. The
    /// signal mask is emptied and SIGINT/SIGTERM/SIGCHLD/SIGPIPE reset to
    /// default. With `newProcessGroup` the child leads its own group, so a
    /// terminal's Ctrl-C reaches only the supervisor. With `searchPath`,
    /// `executable` is looked up on `PATH` as `execvp` does. Never forks without exec.
    /// The corresponding C function is `posix_spawn` (`posix_spawnp`).
    public static func spawn(
        executable: String, arguments: [String], environment: [String]? = nil,
        descriptors: [CInt?], newProcessGroup: Bool = true, searchPath: Bool = false
    ) throws(SyscallError) -> ChildProcess {
        let map = descriptors.map { $0 ?? -1 }
        let env = environment ?? currentEnvironment()
        var pid: pid_t = 0
        // SAFETY: argv/envp are NULL-terminated arrays alive for the call; the map has map.count entries.
        let code = unsafe withCStringArray(arguments) { argv in
            unsafe withCStringArray(env) { envp in
                unsafe map.withUnsafeBufferPointer { m in
                    unsafe CVPlat_spawn(
                        &pid, executable, argv, envp, m.baseAddress, CInt(m.count), newProcessGroup ? 1 : 0,
                        searchPath ? 1 : 0)
                }
            }
        }
        try checkReturnedErrno("posix_spawn", code)
        do {
            let fd = try syscall("pidfd_open") { CVPlat_pidfd_open(pid) }
            return ChildProcess(pid: pid, pidDescriptor: OwnedFD(adopting: fd))
        } catch {
            _ = kill(pid, SIGKILL)
            var status: CInt = 0
            _ = unsafe waitpid(pid, &status, 0)
            throw error
        }
    }

    /// Replaces this process with `command[0]` (looked up on `PATH`), argv `command`.
    /// Returns only by throwing. The corresponding C function is `execvp`.
    public static func exec(_ command: [String]) throws(SyscallError) -> Never {
        precondition(!command.isEmpty, "exec needs a command")
        // SAFETY: argv is NULL-terminated and alive for the call; execvp returns only on failure.
        _ = unsafe withCStringArray(command) { argv in unsafe execvp(command[0], argv) }
        throw SyscallError(call: "execvp", errno: Errno(rawValue: Glibc.errno))
    }

    /// This process's environment as `NAME=value` strings.
    public static func currentEnvironment() -> [String] {
        var result: [String] = []
        // SAFETY: `environ` is a NULL-terminated array of C strings; copied at once.
        var cursor = unsafe environ
        while let entry = unsafe cursor.pointee {
            result.append(unsafe String(cString: entry))
            unsafe cursor += 1
        }
        return result
    }

    /// Sends `signal` through the pidfd; a process that already exited is not an error.
    /// The corresponding C function is `pidfd_send_signal`.
    public func send(_ signal: Signal) throws(SyscallError) {
        do {
            try syscall("pidfd_send_signal") { CVPlat_pidfd_send_signal(pidDescriptor.rawValue, signal.rawValue) }
        } catch  where error.errno == .noSuchProcess {
        }
    }

    /// Reaps the child if it has exited; nil while it runs. The corresponding C function is `waitpid(WNOHANG)`.
    public func tryWait() throws(SyscallError) -> ExitStatus? {
        if let exitStatus { return exitStatus }
        return try reap(options: WNOHANG)
    }

    /// Waits for the child to exit and reaps it.
    public func wait() throws(SyscallError) -> ExitStatus {
        if let exitStatus { return exitStatus }
        return try reap(options: 0)!
    }

    /// Waits up to `timeout` (polling the pidfd); nil if it is still running.
    public func wait(timeout: Duration) throws(SyscallError) -> ExitStatus? {
        if let exitStatus { return exitStatus }
        var pfd = pollfd(fd: pidDescriptor.rawValue, events: Int16(POLLIN), revents: 0)
        let ms = Epoll<UInt64>.milliseconds(timeout)
        // SAFETY: one pollfd on the stack.
        _ = try syscall("poll") { unsafe poll(&pfd, 1, ms) }
        return try tryWait()
    }

    private func reap(options: CInt) throws(SyscallError) -> ExitStatus? {
        var status: CInt = 0
        // SAFETY: waitpid writes the local status word.
        let pid = try syscall("waitpid") { unsafe waitpid(self.pid, &status, options) }
        guard pid == self.pid else { return nil }
        let decoded = Self.decode(status)
        exitStatus = decoded
        return decoded
    }

    /// Reaps every child that has ended, whoever started it (a PID 1 reaping
    /// orphans): `(pid, status)` pairs, empty when none has. The corresponding
    /// C function is `waitpid(-1, WNOHANG)`.
    public static func reapAny() throws(SyscallError) -> [(pid: Int32, status: ExitStatus)] {
        var ended: [(Int32, ExitStatus)] = []
        while true {
            var status: CInt = 0
            let pid: CInt
            do {
                // SAFETY: the shim writes the local status word.
                pid = try syscall("waitpid") { unsafe CVPlat_reap_any(&status) }
            } catch  where error.errno == .noChildProcess {
                return ended
            }
            if pid == 0 { return ended }
            ended.append((pid, decode(status)))
        }
    }

    /// Decodes a `waitpid` status word (the WIFEXITED/WTERMSIG macros).
    static func decode(_ status: CInt) -> ExitStatus {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(Signal(rawValue: signal))
    }
}
