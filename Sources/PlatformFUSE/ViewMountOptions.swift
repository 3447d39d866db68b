// SPDX-License-Identifier: Apache-2.0

/// How a view tree is mounted.
public struct ViewMountOptions: Sendable {
    /// The `fsname` shown in `/proc/mounts` (`vlm`).
    public var fileSystemName = "vlm"
    /// Unmount when the serving process dies, even by SIGKILL (`auto_unmount`: libfuse
    /// mounts through `fusermount3`, whose watcher unmounts once our device fd closes).
    public var unmountsWhenProcessDies = true
    /// Idle serving threads kept ready (libfuse's multi-threaded loop starts more, up to
    /// 10, while requests are being handled). Requests never block a thread (a device
    /// request that must wait is answered later), so a few suffice; more than one keeps a
    /// slow view (a control file acting on the platform) from delaying the others.
    public var maxIdleThreads = 2
    /// libfuse's request trace on standard error (`-d`).
    public var debug = false

    public init() {}

    /// The `-o` option string for `fuse_session_new`.
    ///
    /// `default_permissions`: the kernel checks the mode bits; no `allow_other`: only the
    /// mounting user may enter (issue 5 item 1); `subtype=vlm` names the type `fuse.vlm`.
    var optionString: String {
        var options = ["fsname=\(fileSystemName)", "subtype=vlm", "default_permissions"]
        if unmountsWhenProcessDies { options.append("auto_unmount") }
        return options.joined(separator: ",")
    }
}
