// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// The mount namespace of a VM's sandbox (``VMSandbox``): the host's file
/// system with one VM's views (its FUSE mount `DIR/vm<N>`) laid over `/dev`,
/// `/sys/nk` and `/proc`, and the platform hidden (docs/decisions.md, "vlm
/// exec" and "A VM is a sandbox").
///
/// - `/dev`: a tmpfs with `null`, `zero`, `full`, `random`, `urandom`, `tty`
///   of the host, the VM's `dev/<node>` files bound on empty files, a fresh
///   `shm` (no shared-memory object of the platform), and `mqueue` and `pts`
///   where the VM's init mounts its own.
/// - `/sys`: a read-only overlayfs (host `/sys` below, a tmpfs above; the
///   host's submounts bound back read-only), with the VM's `sys/nk` bound on `/sys/nk`.
/// - `/proc`: the VM's `exec-proc/` view (``procView``) bound over `/proc`: a
///   symlink `<name> → /proc/.host/<name>` per entry of the VM's procfs, which
///   the VM's init mounts on `/proc/.host`, plus the VM's `nk/`.
/// - the run directory (`vlm.sock`, every VM's mount) is covered by an empty tmpfs.
///
/// Nothing reaches the host's namespace: every mount is made private first.
public enum VMNamespace {
    /// The view directory (in the VM's mount) bound over `/proc`.
    public static let procView = "exec-proc"
    /// The name prefix of the scratch directories in the run directory.
    public static let scratchPrefix = ".sandbox-"
    /// The entry of ``procView`` the VM's procfs is mounted on.
    public static let hostProcEntry = ".host"
    /// The host's device nodes a VM's `/dev` holds (no disk, no `kmsg`, no `fuse`).
    static let hostDevices = ["null", "zero", "full", "random", "urandom", "tty"]
    /// The links of a VM's `/dev`.
    static let deviceLinks = [
        ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"), ("ptmx", "pts/ptmx"),
    ]

    /// Lays out the calling process's mount namespace (a fresh one, made
    /// by the caller) for the views mounted at `views` (`DIR/vm<N>`) of the
    /// platform in `runDirectory`. `/proc` stays the host's until ``finishProc(staging:)``:
    /// the returned staging directory holds the VM's `exec-proc/`, bound in a
    /// scratch tmpfs (a program's arguments are read from `/proc/self/cmdline`,
    /// so the VM's init starts before the host's procfs goes).
    static func prepare(views: String, runDirectory: String) throws -> String {
        try MountNamespace.makeRecursivelyPrivate()
        let submounts = try MountNamespace.mountPoints()
        // In the run directory, which the platform cleans: a holder killed before its init
        // finished leaves no directory in /tmp (RunDirectory.cleanLeftovers removes these).
        let scratch = try FileSystem.makeTemporaryDirectory(prefix: scratchPrefix, in: runDirectory)
        try MountNamespace.mountTmpfs(at: scratch)
        try devices(views: views, scratch: scratch)
        try overlay("/sys", scratch: scratch, submounts: submounts) { merged throws(SyscallError) in
            try bindNode(views + "/sys/nk", onto: merged + "/nk")
        }
        let proc = scratch + "/proc"
        try FileSystem.createDirectory(proc)
        try MountNamespace.bind(views + "/" + procView, onto: proc)
        return proc
    }

    /// The VM's init's half: mounts its procfs (of its PID namespace) on the
    /// staged `exec-proc/`'s `.host`, moves the staging over `/proc`, detaches
    /// and removes the scratch it was in, and covers `runDirectory` with an empty tmpfs.
    static func finishProc(staging: String, runDirectory: String) throws {
        let procfs = staging + "/" + hostProcEntry
        try MountNamespace.mountFresh("proc", at: procfs)
        // Kernel-wide knobs (core_pattern, sysrq) stay the host's: read-only, as in containers.
        for knob in ["sys", "sysrq-trigger"] where FileSystem.exists(procfs + "/" + knob) {
            try MountNamespace.bindReadOnly(procfs + "/" + knob)
        }
        try MountNamespace.move(staging, to: "/proc")
        let scratch = String(staging.dropLast("/proc".count))
        try? MountNamespace.detach(scratch)
        try? FileSystem.removeTree(scratch)
        try MountNamespace.mountTmpfs(at: runDirectory)
    }

    /// Builds the VM's `/dev` in `scratch` and moves it over `/dev`: a tmpfs
    /// (mode 0755) with the host's harmless nodes (``hostDevices``) bound in,
    /// the usual links, a fresh `shm`, empty `mqueue` and `pts` for the VM's
    /// init to mount its own on, and the VM's device nodes.
    private static func devices(views: String, scratch: String) throws(SyscallError) {
        let dev = scratch + "/dev"
        try FileSystem.createDirectory(dev)
        try MountNamespace.mountFresh("tmpfs", at: dev, options: "mode=0755")
        for name in hostDevices where FileSystem.exists("/dev/" + name) {
            try bindNode("/dev/" + name, onto: dev + "/" + name)
        }
        for (name, target) in deviceLinks { try FileSystem.createSymbolicLink(dev + "/" + name, to: target) }
        for (name, mode) in [("shm", "1777"), ("mqueue", "0755"), ("pts", "0755")] {
            try FileSystem.createDirectory(dev + "/" + name)
            try MountNamespace.mountFresh("tmpfs", at: dev + "/" + name, options: "mode=" + mode)
        }
        for name in try FileSystem.listDirectory(views + "/dev") {
            try bindNode(views + "/dev/" + name, onto: dev + "/" + name)
        }
        try MountNamespace.move(dev, to: "/dev")
    }

    /// Mounts an overlay of `path` in `scratch`, binds `path`'s submounts back
    /// into it, lets `populate` add to it, then moves it over `path`.
    private static func overlay(
        _ path: String, scratch: String, submounts: [String],
        populate: (String) throws(SyscallError) -> Void
    ) throws(SyscallError) {
        let merged = scratch + path
        for directory in [merged, merged + "-upper", merged + "-work"] { try FileSystem.createDirectory(directory) }
        // The overlay's root takes the upper directory's mode: give it the host's
        // (`/dev` 0755, `/sys` 0555), not mkdir's 0700, or only root could use them.
        try FileSystem.setPermissions(merged + "-upper", try FileSystem.permissions(path))
        try MountNamespace.mountOverlay(lower: path, upper: merged + "-upper", work: merged + "-work", at: merged)
        var bound: [String] = []
        for mountPoint in topLevel(submounts, under: path) {
            // A submount that cannot be bound (gone, or stale) stays hidden; the rest still works.
            let target = merged + mountPoint.dropFirst(path.count)
            if (try? MountNamespace.bind(mountPoint, onto: target, recursive: true)) != nil { bound.append(target) }
        }
        try populate(merged)
        // Read-only: root inside is root on the host's inodes (docs/decisions.md, "A VM is a sandbox").
        try MountNamespace.makeReadOnly(merged)
        for target in bound { try? MountNamespace.makeReadOnly(target) }
        try MountNamespace.move(merged, to: path)
    }

    /// Binds the file or directory `source` onto a new mount point `target`.
    private static func bindNode(_ source: String, onto target: String) throws(SyscallError) {
        if FileSystem.isDirectory(source) {
            try FileSystem.createDirectory(target)
        } else {
            try MountNamespace.createMountPoint(file: target)
        }
        try MountNamespace.bind(source, onto: target, recursive: true)
    }

    /// The mount points strictly below `path` that are not below another of them.
    static func topLevel(_ mountPoints: [String], under path: String) -> [String] {
        let below = Set(mountPoints.filter { $0.hasPrefix(path + "/") })
        return below.sorted().filter { point in
            !below.contains { other in other != point && point.hasPrefix(other + "/") }
        }
    }
}
