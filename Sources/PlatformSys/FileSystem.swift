// SPDX-License-Identifier: Apache-2.0
import Glibc
import SystemPackage

/// The few file-system operations the runtime needs: directories, atomic
/// file replacement, removal, listing. Paths are plain strings.
public enum FileSystem {
    /// Creates `path` (and, with `intermediate`, its parents) with `mode`; an
    /// existing directory is fine. The corresponding C function is `mkdir`.
    public static func createDirectory(_ path: String, permissions: UInt32 = 0o700, intermediate: Bool = true)
        throws(SyscallError)
    {
        if intermediate, let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try createDirectory(String(path[..<slash]), permissions: permissions, intermediate: true)
        }
        do {
            // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
            try syscall("mkdir") { unsafe mkdir(path, permissions) }
        } catch  where error.errno == .fileExists && isDirectory(path) {
        }
    }

    /// Whether something exists at `path` (no symlink following for the last component).
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        // SAFETY: lstat fills the local buffer.
        return unsafe lstat(path, &info) == 0
    }

    /// Whether descriptor `fd` is open in this process (e.g. one a parent passed
    /// at spawn). The corresponding C function is `fcntl(F_GETFD)`.
    public static func isDescriptorOpen(_ fd: CInt) -> Bool {
        fcntl(fd, F_GETFD) >= 0
    }

    /// Whether `path` is an executable file for this process. The corresponding C function is `access(X_OK)`.
    public static func isExecutable(_ path: String) -> Bool {
        // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
        unsafe access(path, X_OK) == 0 && !isDirectory(path)
    }

    /// The permission bits of `path` (e.g. `0o600`).
    public static func permissions(_ path: String) throws(SyscallError) -> UInt32 {
        var info = stat()
        // SAFETY: stat fills the local buffer.
        try syscall("stat") { unsafe stat(path, &info) }
        return info.st_mode & 0o7777
    }

    /// Sets the permission bits of `path` (no umask). The corresponding C function is `chmod`.
    public static func setPermissions(_ path: String, _ permissions: UInt32) throws(SyscallError) {
        // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
        try syscall("chmod") { unsafe chmod(path, permissions) }
    }

    /// Whether `path` is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        // SAFETY: stat fills the local buffer.
        return unsafe stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Opens `path` read-only, close-on-exec (e.g. `/dev/null` for a child's stdin).
    public static func openReadOnly(_ path: String) throws(SyscallError) -> OwnedFD {
        // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
        OwnedFD(adopting: try syscall("open") { unsafe open(path, O_RDONLY | O_CLOEXEC) })
    }

    /// Creates `path` (or truncates it) and opens it write-only, close-on-exec
    /// (e.g. a file for a child's output).
    public static func openForWriting(_ path: String, permissions: UInt32 = 0o600) throws(SyscallError) -> OwnedFD {
        // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
        OwnedFD(
            adopting: try syscall("open") { unsafe open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions) })
    }

    /// Reads the whole file.
    public static func readFile(_ path: String) throws(SyscallError) -> [UInt8] {
        // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
        let fd = OwnedFD(adopting: try syscall("open") { unsafe open(path, O_RDONLY | O_CLOEXEC) })
        var result: [UInt8] = []
        while case .processed(let chunk) = try fd.read(upTo: 65536), !chunk.isEmpty {
            result += chunk
        }
        return result
    }

    /// Replaces `path` with `bytes` atomically: writes `path.tmp.<pid>`, fsyncs
    /// nothing (run-dir files are volatile), renames over `path`.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], permissions: UInt32 = 0o600)
        throws(SyscallError)
    {
        let temporary = "\(path).tmp.\(getpid())"
        // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
        let fd = OwnedFD(
            adopting: try syscall("open") {
                unsafe open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions)
            })
        // SAFETY: both Strings are bridged to C strings that live for the calls only.
        do {
            try fd.writeAll(bytes)
            fd.close()
            try syscall("rename") { unsafe rename(temporary, path) }
        } catch {
            _ = unsafe unlink(temporary)
            throw error
        }
    }

    /// Creates `path` exclusively (fails with `EEXIST` when present) holding `bytes`.
    public static func createExclusively(_ path: String, _ bytes: [UInt8], permissions: UInt32 = 0o600)
        throws(SyscallError)
    {
        // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
        let fd = OwnedFD(
            adopting: try syscall("open") {
                unsafe open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
            })
        try fd.writeAll(bytes)
    }

    /// Removes a file or an empty directory; a missing `path` is fine.
    public static func removeIfPresent(_ path: String) throws(SyscallError) {
        do {
            // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
            try syscall("remove") { unsafe remove(path) }
        } catch  where error.errno == .noSuchFileOrDirectory {
        }
    }

    /// Removes `path` and, for a directory, everything below it (no symlink following).
    public static func removeTree(_ path: String) throws(SyscallError) {
        var info = stat()
        // SAFETY: lstat fills the local buffer.
        guard unsafe lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for entry in try listDirectory(path) { try removeTree(path + "/" + entry) }
        }
        try removeIfPresent(path)
    }

    /// Creates a symbolic link `path` → `target`. The corresponding C function is `symlink`.
    public static func createSymbolicLink(_ path: String, to target: String) throws(SyscallError) {
        // SAFETY: both Strings are bridged to C strings for the call only.
        try syscall("symlink") { unsafe symlink(target, path) }
    }

    /// The target of symlink `path` (a namespace's `/proc/<pid>/ns/<kind>`
    /// reads `pid:[4026531836]`). The corresponding C function is `readlink`.
    public static func readLink(_ path: String) throws(SyscallError) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        // SAFETY: readlink writes at most count - 1 bytes into the buffer.
        let n = try syscall("readlink") {
            unsafe buffer.withUnsafeMutableBufferPointer { unsafe Glibc.readlink(path, $0.baseAddress!, $0.count - 1) }
        }
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The names in directory `path`, without `.` and `..`, unsorted.
    public static func listDirectory(_ path: String) throws(SyscallError) -> [String] {
        // SAFETY: the DIR stream is closed by the defer; dirent pointers are read
        // before the next readdir call invalidates them.
        guard let dir = unsafe opendir(path) else {
            throw SyscallError(call: "opendir", errno: Errno(rawValue: Glibc.errno))
        }
        defer { unsafe _ = closedir(dir) }
        var names: [String] = []
        while let entry = unsafe readdir(dir) {
            let name = unsafe withUnsafeBytes(of: entry.pointee.d_name) { raw in
                unsafe String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates a fresh directory `<base>/<prefix>XXXXXX`, mode 0700. The corresponding C function is `mkdtemp`.
    public static func makeTemporaryDirectory(prefix: String, in base: String = "/tmp") throws(SyscallError) -> String {
        var template = Array((base + "/" + prefix + "XXXXXX").utf8CString)
        // SAFETY: mkdtemp rewrites the NUL-terminated template in place.
        let result = unsafe template.withUnsafeMutableBufferPointer { unsafe mkdtemp($0.baseAddress!) }
        guard unsafe result != nil else {
            throw SyscallError(call: "mkdtemp", errno: Errno(rawValue: Glibc.errno))
        }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The value of environment variable `name`, nil when unset.
    public static func environment(_ name: String) -> String? {
        // SAFETY: getenv returns a NUL-terminated string owned by the environment; copied at once.
        guard let value = unsafe getenv(name) else { return nil }
        return unsafe String(cString: value)
    }
}
