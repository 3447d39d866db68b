// SPDX-License-Identifier: Apache-2.0
// The mount-namespace syscalls behind `vlm exec` and `vl,init`: a private copy of the
// host's mount table in which a VM's views are laid over /dev, /sys and /proc.
import CVPlat
import Glibc

/// Mount-namespace primitives. Each changes only the calling process's (thread's)
/// mount namespace once ``unshare()`` and ``makeRecursivelyPrivate(_:)`` ran.
public enum MountNamespace {
    /// Gives the calling thread a mount namespace of its own, a copy of the current one.
    /// Call it on the thread that will `exec`. The corresponding C function is `unshare(CLONE_NEWNS)`.
    public static func unshare() throws(SyscallError) {
        try syscall("unshare") { CVPlat_unshare_mount_namespace() }
    }

    /// Makes every mount under `path` private, so nothing done here reaches the host's
    /// namespace and `MS_MOVE` is allowed. The corresponding C function is
    /// `mount(NULL, path, NULL, MS_REC|MS_PRIVATE, NULL)`.
    public static func makeRecursivelyPrivate(_ path: String = "/") throws(SyscallError) {
        try mount(nil, path, nil, UInt(MS_REC | MS_PRIVATE), nil)
    }

    /// Mounts a fresh tmpfs at `path` (mode 0700).
    public static func mountTmpfs(at path: String) throws(SyscallError) {
        try mount("tmpfs", path, "tmpfs", 0, "mode=0700")
    }

    /// Mounts a fresh file system of `type` (`tmpfs`, `proc`, `mqueue`,
    /// `devpts`) at `path` with `options`, `nosuid,noexec`, and `nodev` unless
    /// its device nodes must open (`devices`).
    public static func mountFresh(
        _ type: String, at path: String, options: String? = nil, devices: Bool = false
    ) throws(SyscallError) {
        let flags = UInt(MS_NOSUID | MS_NOEXEC | (devices ? 0 : MS_NODEV))
        try mount(type, path, type, flags, options)
    }

    /// Mounts an overlayfs at `path`: `lower` read-only below, `upper` (with its
    /// `work` directory, both on the same file system) taking every change.
    public static func mountOverlay(lower: String, upper: String, work: String, at path: String) throws(SyscallError) {
        try mount("overlay", path, "overlay", 0, "lowerdir=\(lower),upperdir=\(upper),workdir=\(work)")
    }

    /// Bind-mounts `source` (a file or a directory, with its submounts when
    /// `recursive`) onto `target`, which must exist and be of the same kind.
    public static func bind(_ source: String, onto target: String, recursive: Bool = false) throws(SyscallError) {
        try mount(source, target, nil, UInt(MS_BIND | (recursive ? MS_REC : 0)), nil)
    }

    /// Makes the mount at `path` read-only (`MS_REMOUNT|MS_BIND|MS_RDONLY`); in a
    /// less privileged namespace copied from this one, it stays read-only.
    public static func makeReadOnly(_ path: String) throws(SyscallError) {
        try mount(nil, path, nil, UInt(MS_REMOUNT | MS_BIND | MS_RDONLY), nil)
    }

    /// Bind-mounts `path` onto itself and makes that mount read-only.
    public static func bindReadOnly(_ path: String) throws(SyscallError) {
        try bind(path, onto: path, recursive: true)
        try makeReadOnly(path)
    }

    /// Moves the mount at `source` (with its submounts) to `target`. The corresponding C
    /// function is `mount(source, target, NULL, MS_MOVE, NULL)`.
    public static func move(_ source: String, to target: String) throws(SyscallError) {
        try mount(source, target, nil, UInt(MS_MOVE), nil)
    }

    /// Detaches the mount at `path` lazily (`umount2(path, MNT_DETACH)`): users such as an
    /// overlay built on it keep it alive.
    public static func detach(_ path: String) throws(SyscallError) {
        // SAFETY: the String is bridged to a C string for the call only.
        try syscall("umount2") { unsafe Glibc.umount2(path, CInt(MNT_DETACH)) }
    }

    /// Creates an empty regular file at `path` (mode 0600) unless something is there:
    /// a mount point for a bind-mounted device file.
    public static func createMountPoint(file path: String) throws(SyscallError) {
        // SAFETY: the String is bridged to a C string for the call only.
        let fd = try syscall("open") { unsafe open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600) }
        _ = close(fd)
    }

    /// The mount points of the calling process's namespace, in mount order
    /// (field 5 of `/proc/self/mountinfo`, octal escapes decoded).
    public static func mountPoints() throws(SyscallError) -> [String] {
        let text = String(decoding: try FileSystem.readFile("/proc/self/mountinfo"), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 ? unescape(fields[4]) : nil
        }
    }

    /// Clears the calling thread's signal mask (a process started by a test runner
    /// inherits one blocking SIGINT), so the program exec'd next sees every signal.
    public static func clearSignalMask() throws(SyscallError) {
        try Signal.unblock((1...31).map(Signal.init(rawValue:)))
    }

    private static func mount(
        _ source: String?, _ target: String, _ type: String?, _ flags: UInt, _ data: String?
    ) throws(SyscallError) {
        // SAFETY: every String is bridged to a NUL-terminated C string alive for the call.
        try syscall("mount") {
            unsafe withOptionalCString(source) { src in
                unsafe withOptionalCString(type) { fstype in
                    unsafe withOptionalCString(data) { options in
                        unsafe Glibc.mount(src, target, fstype, flags, options)
                    }
                }
            }
        }
    }

    private static func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let string else { return body(nil) }
        // SAFETY: the C string lives for `body` only, and `body` does not keep it.
        return unsafe string.withCString { unsafe body($0) }
    }

    /// Decodes mountinfo's `\040`-style octal escapes.
    private static func unescape(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var rest = Array(field.utf8)[...]
        while let byte = rest.popFirst() {
            if byte == UInt8(ascii: "\\"), rest.count >= 3,
                let value = UInt8(String(decoding: rest.prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                rest = rest.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
