// SPDX-License-Identifier: Apache-2.0
public import PlatformViews

/// How a view tree is mounted.
public struct ViewMountOptions: Sendable {
    /// The `fsname` shown in `/proc/mounts` (`vlm`).
    public var fileSystemName = "vlm"
    /// Unmount when the serving process dies, even by SIGKILL (`auto_unmount`: libfuse
    /// mounts through `fusermount3`, whose watcher unmounts once our device fd closes).
    public var unmountsWhenProcessDies = true
    /// Idle serving threads kept ready (libfuse's multi-threaded loop starts more, up to
    /// 10, while requests are being handled, and ends those above this many). Idle
    /// threads cost nothing: a request wakes one of them (`FUSESupport.readDevice`).
    /// With 2, two requests overlapping briefly made libfuse start a thread and end one
    /// for about every second open-read-close; 8 removes that churn.
    public var maxIdleThreads = 8
    /// libfuse's request trace on standard error (`-d`).
    public var debug = false
    /// Holds device requests while closed (a paused VM's devices); nil: never held.
    public var deviceGate: DeviceGate?

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
