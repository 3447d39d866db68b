// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// The mount namespace of a VM's sandbox (``VMSandbox``): the host's file
/// system with one VM's views (its FUSE mount `DIR/vm<N>`) laid over `/dev`,
/// `/sys/nk` and `/proc`, and the platform hidden (docs/decisions.md, "vlm
/// exec" and "A VM is a sandbox").
///
/// - `/dev`: an overlayfs (host `/dev` below, a tmpfs above) holding an empty
///   file per VM device node with the VM's `dev/<node>` bind-mounted on it; the
///   host's submounts are bound back in except `/dev/shm` (a fresh tmpfs: no
///   shared-memory object of the platform), `/dev/mqueue` and `/dev/pts` (the
///   VM's init mounts its own there, over an empty tmpfs for `mqueue`).
/// - `/sys`: the same overlay, with the VM's `sys/nk` bound on `/sys/nk`.
/// - `/proc`: the VM's `exec-proc/` view (``procView``) bound over `/proc`: a
///   symlink `<name> → /proc/.host/<name>` per entry of the VM's procfs, which
///   the VM's init mounts on `/proc/.host`, plus the VM's `nk/`.
/// - the run directory (`vlm.sock`, every VM's mount) is covered by an empty tmpfs.
///
/// Nothing reaches the host's namespace: every mount is made private first.
public enum VMNamespace {
    /// The view directory (in the VM's mount) bound over `/proc`.
    public static let procView = "exec-proc"
    /// The entry of ``procView`` the VM's procfs is mounted on.
    public static let hostProcEntry = ".host"
    /// The `/dev` submounts of the host the VM does not see.
    static let hiddenDeviceMounts: Set<String> = ["/dev/shm", "/dev/mqueue", "/dev/pts"]

    /// Lays out the calling process's mount namespace (a fresh one, made
    /// by the caller) for the views mounted at `views` (`DIR/vm<N>`) and hides
    /// `runDirectory`. `/proc` stays the host's until ``finishProc(staging:)``:
    /// the returned staging directory holds the VM's `exec-proc/`, bound in a
    /// scratch tmpfs (a program's arguments are read from `/proc/self/cmdline`,
    /// so the VM's init starts before the host's procfs goes).
    static func prepare(views: String, runDirectory: String) throws -> String {
        try MountNamespace.makeRecursivelyPrivate()
        let submounts = try MountNamespace.mountPoints().filter { !hiddenDeviceMounts.contains($0) }
        let scratch = try FileSystem.makeTemporaryDirectory(prefix: "vlm-exec-")
        try MountNamespace.mountTmpfs(at: scratch)
        try overlay("/dev", scratch: scratch, submounts: submounts) { merged throws(SyscallError) in
            for name in try FileSystem.listDirectory(views + "/dev") {
                try bindNode(views + "/dev/" + name, onto: merged + "/" + name)
            }
            for (name, mode) in [("shm", "1777"), ("mqueue", "0755"), ("pts", "0755")] {
                if !FileSystem.isDirectory(merged + "/" + name) { try FileSystem.createDirectory(merged + "/" + name) }
                try MountNamespace.mountFresh("tmpfs", at: merged + "/" + name, options: "mode=" + mode)
            }
        }
        try overlay("/sys", scratch: scratch, submounts: submounts) { merged throws(SyscallError) in
            try bindNode(views + "/sys/nk", onto: merged + "/nk")
        }
        let proc = scratch + "/proc"
        try FileSystem.createDirectory(proc)
        try MountNamespace.bind(views + "/" + procView, onto: proc)
        try MountNamespace.mountTmpfs(at: runDirectory)
        return proc
    }

    /// The VM's init's half: mounts its procfs (of its PID namespace) on the
    /// staged `exec-proc/`'s `.host`, moves the staging over `/proc`, then
    /// detaches and removes the scratch it was in.
    static func finishProc(staging: String) throws {
        try MountNamespace.mountFresh("proc", at: staging + "/" + hostProcEntry)
        try MountNamespace.move(staging, to: "/proc")
        let scratch = String(staging.dropLast("/proc".count))
        try? MountNamespace.detach(scratch)
        try? FileSystem.removeTree(scratch)
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
        for mountPoint in topLevel(submounts, under: path) {
            // A submount that cannot be bound (gone, or stale) stays hidden; the rest still works.
            try? MountNamespace.bind(mountPoint, onto: merged + mountPoint.dropFirst(path.count), recursive: true)
        }
        try populate(merged)
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
