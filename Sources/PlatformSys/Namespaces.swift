// SPDX-License-Identifier: Apache-2.0
// The namespace syscalls behind a VM's sandbox: unshare, setns through a pidfd,
// user-namespace id maps, the hostname and the loopback interface.
import CVPlat
import Glibc

/// Kinds of Linux namespaces (the `CLONE_NEW*` flags).
public struct NamespaceKinds: OptionSet, Sendable {
    public let rawValue: CInt
    public init(rawValue: CInt) { self.rawValue = rawValue }

    /// Mount namespace (`CLONE_NEWNS`).
    public static let mount = NamespaceKinds(rawValue: CVPlat_CLONE_NEWNS)
    /// PID namespace (`CLONE_NEWPID`): applies to the children started afterwards.
    public static let pid = NamespaceKinds(rawValue: CVPlat_CLONE_NEWPID)
    /// Network namespace (`CLONE_NEWNET`).
    public static let network = NamespaceKinds(rawValue: CVPlat_CLONE_NEWNET)
    /// System V IPC and POSIX message queues (`CLONE_NEWIPC`).
    public static let ipc = NamespaceKinds(rawValue: CVPlat_CLONE_NEWIPC)
    /// Hostname (`CLONE_NEWUTS`).
    public static let uts = NamespaceKinds(rawValue: CVPlat_CLONE_NEWUTS)
    /// User namespace (`CLONE_NEWUSER`): the calling process must be single-threaded.
    public static let user = NamespaceKinds(rawValue: CVPlat_CLONE_NEWUSER)
}

/// Namespace primitives for the calling process.
public enum Namespaces {
    /// Gives the calling process new namespaces of `kinds` (a new PID namespace
    /// holds the children started afterwards, the first one its PID 1).
    /// The corresponding C function is `unshare`.
    public static func unshare(_ kinds: NamespaceKinds) throws(SyscallError) {
        try syscall("unshare") { CVPlat_unshare(kinds.rawValue) }
    }

    /// Joins the namespaces of `kinds` of the process held by `pidfd`, all at
    /// once (with `.user`, the capabilities become those of its user namespace;
    /// with `.pid`, the children started afterwards are in its PID namespace).
    /// The corresponding C function is `setns(pidfd, flags)`.
    public static func join(_ kinds: NamespaceKinds, of pidfd: borrowing OwnedFD) throws(SyscallError) {
        try syscall("setns") { CVPlat_setns(pidfd.rawValue, kinds.rawValue) }
    }

    /// A pidfd for process `pid` (of the caller's PID namespace). The corresponding C function is `pidfd_open`.
    public static func openProcess(_ pid: Int32) throws(SyscallError) -> OwnedFD {
        OwnedFD(adopting: try syscall("pidfd_open") { CVPlat_pidfd_open(pid) })
    }

    /// Maps every user and group id of process `pid`'s user namespace onto
    /// the same id outside (`0 0 4294967295`), writing its `uid_map` and
    /// `gid_map` through `procfs`, a directory descriptor of a procfs that
    /// shows `pid`. The caller must be in the parent user namespace with
    /// `CAP_SETUID`/`CAP_SETGID`.
    public static func mapIdentity(of pid: Int32, procfs: borrowing OwnedFD) throws(SyscallError) {
        for file in ["uid_map", "gid_map"] {
            // SAFETY: the path String is bridged to a C string for the call only.
            let fd = OwnedFD(
                adopting: try syscall("openat") {
                    unsafe openat(procfs.rawValue, "\(pid)/\(file)", O_WRONLY | O_CLOEXEC)
                })
            try fd.writeAll(Array("0 0 4294967295\n".utf8))
        }
    }

    /// Sets the hostname of the caller's UTS namespace. The corresponding C function is `sethostname`.
    public static func setHostname(_ name: String) throws(SyscallError) {
        // SAFETY: the String is bridged to a NUL-terminated C string for the call only.
        try syscall("sethostname") { unsafe CVPlat_sethostname(name) }
    }

    /// Brings `lo` of the caller's network namespace up (`ip link set lo up`).
    /// The corresponding C function is `ioctl(SIOCSIFFLAGS)`.
    public static func bringLoopbackUp() throws(SyscallError) {
        try syscall("ioctl") { CVPlat_loopback_up() }
    }

    /// Opens directory `path` for `*at` calls (`O_DIRECTORY | O_CLOEXEC`).
    public static func openDirectory(_ path: String) throws(SyscallError) -> OwnedFD {
        // SAFETY: the String is bridged to a C string for the call only.
        OwnedFD(adopting: try syscall("open") { unsafe open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) })
    }

    /// The names in the directory held by `directory` (read afresh from its
    /// start), without `.` and `..`.
    public static func listDirectory(_ directory: borrowing OwnedFD) throws(SyscallError) -> [String] {
        // SAFETY: openat(".") gives a descriptor the DIR stream owns and closedir closes.
        let fd = try syscall("openat") { unsafe openat(directory.rawValue, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard let dir = unsafe fdopendir(fd) else {
            let code = Glibc.errno
            _ = close(fd)
            throw SyscallError(call: "fdopendir", errno: Errno(rawValue: code))
        }
        defer { unsafe _ = closedir(dir) }
        var names: [String] = []
        // SAFETY: each dirent is read before the next readdir call invalidates it.
        while let entry = unsafe readdir(dir) {
            let name = unsafe withUnsafeBytes(of: entry.pointee.d_name) { raw in
                unsafe String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Whether `name` exists in the directory held by `directory` (not following a final symlink).
    public static func exists(_ name: String, in directory: borrowing OwnedFD) -> Bool {
        var info = stat()
        // SAFETY: fstatat fills the local buffer; the String is bridged for the call only.
        return unsafe fstatat(directory.rawValue, name, &info, AT_SYMLINK_NOFOLLOW) == 0
    }

    /// Changes the working directory. The corresponding C function is `chdir`.
    public static func changeDirectory(_ path: String) throws(SyscallError) {
        // SAFETY: the String is bridged to a C string for the call only.
        try syscall("chdir") { unsafe chdir(path) }
    }

    /// The working directory. The corresponding C function is `getcwd`.
    public static func currentDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        // SAFETY: getcwd writes at most count bytes, NUL included.
        guard unsafe buffer.withUnsafeMutableBufferPointer({ unsafe getcwd($0.baseAddress!, $0.count) }) != nil else {
            return nil
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
