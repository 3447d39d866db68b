// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// The private mount namespace `vlm exec` and `vl,init` programs run in: the
/// host's file system with one VM's views (its FUSE mount `DIR/vm<N>`) laid over
/// `/dev`, `/sys/nk` and `/proc` (docs/decisions.md, "vlm exec").
///
/// - `/dev`: an overlayfs (host `/dev` below, a tmpfs above) holding an empty
///   file per VM device node with the VM's `dev/<node>` bind-mounted on it; the
///   host's submounts (`/dev/pts`, `/dev/shm`, …) are bound back in.
/// - `/sys`: the same overlay, with the VM's `sys/nk` bound on `/sys/nk`.
/// - `/proc`: the VM's `exec-proc/` view (``procView``) bound over `/proc`: a
///   symlink `<name> → /proc/.host/<name>` per host `/proc` entry, listed afresh
///   on every lookup, plus the VM's `nk/`; the host's procfs is bound on
///   `/proc/.host`, so `/proc/self` resolves through procfs to the caller.
///
/// Nothing reaches the host's namespace: every mount is made private first.
public enum VMNamespace {
    /// The view directory (in the VM's mount) bound over `/proc`.
    public static let procView = "exec-proc"
    /// The entry of ``procView`` the host's procfs is bound on.
    public static let hostProcEntry = ".host"

    /// Moves the calling thread into a new mount namespace showing the views
    /// mounted at `views` (`DIR/vm<N>`). Call it right before `exec`.
    public static func enter(views: String) throws {
        try MountNamespace.unshare()
        try MountNamespace.makeRecursivelyPrivate()
        let submounts = try MountNamespace.mountPoints()
        let scratch = try FileSystem.makeTemporaryDirectory(prefix: "vlm-exec-")
        defer { try? FileSystem.removeTree(scratch) }
        try MountNamespace.mountTmpfs(at: scratch)
        defer { try? MountNamespace.detach(scratch) }
        try overlay("/dev", scratch: scratch, submounts: submounts) { merged throws(SyscallError) in
            for name in try FileSystem.listDirectory(views + "/dev") {
                try bindNode(views + "/dev/" + name, onto: merged + "/" + name)
            }
        }
        try overlay("/sys", scratch: scratch, submounts: submounts) { merged throws(SyscallError) in
            try bindNode(views + "/sys/nk", onto: merged + "/nk")
        }
        let proc = scratch + "/proc"
        try FileSystem.createDirectory(proc)
        try MountNamespace.bind(views + "/" + procView, onto: proc)
        try MountNamespace.bind("/proc", onto: proc + "/" + hostProcEntry, recursive: true)
        try MountNamespace.move(proc, to: "/proc")
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
