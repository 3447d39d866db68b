// SPDX-License-Identifier: Apache-2.0
import Synchronization
import SystemPackage

/// A FUSE mount made through `fusermount3`, spawned by vlm itself rather than by
/// libfuse.
///
/// libfuse 3.14 forks `fusermount3` without closing anything, so the helper (which
/// stays alive as the `auto_unmount` watcher until the mounting process dies) inherits
/// every descriptor that is not close-on-exec at that instant, in any thread: pipe
/// ends a reader waits on for EOF (a hang), other mounts' watcher channels (a mount
/// that outlives its process). It also leaves its end of the watcher channel open
/// across exec. Here the helper gets `/dev/null` as fds 0-2 and the channel as fd 3,
/// nothing else, and our end of the channel is close-on-exec.
///
/// Give ``device`` to libfuse as the mount point `/dev/fd/N` (`fuse_session_mount`),
/// which then owns it.
public final class FusermountChannel: Sendable {
    /// The `/dev/fuse` descriptor of the new mount (close-on-exec).
    public let device: CInt
    /// Our end of the watcher channel and the watcher; nil once released.
    private let watcher: Mutex<(channel: ControlSocket, process: ChildProcess)?>

    private init(device: CInt, channel: ControlSocket, process: ChildProcess) {
        self.device = device
        watcher = Mutex((channel, process))
    }

    /// Mounts a FUSE file system at `path` with the kernel and `fusermount3` options
    /// `options` (e.g. `fsname=vlm,subtype=vlm,default_permissions,auto_unmount`).
    /// With `auto_unmount`, `fusermount3` stays as the watcher that unmounts `path`
    /// once this process is gone.
    public static func mount(_ path: String, options: String) throws(SyscallError) -> FusermountChannel {
        let (mine, theirs) = try ControlSocket.pair()
        let devNull = try FileSystem.openReadOnly("/dev/null")
        let environment =
            ChildProcess.currentEnvironment().filter { !$0.hasPrefix("_FUSE_COMMFD=") } + ["_FUSE_COMMFD=3"]
        let process = try ChildProcess.spawn(
            executable: helperPath, arguments: ["fusermount3", "-o", "rw,nosuid,nodev," + options, "--", path],
            environment: environment,
            descriptors: [devNull.rawValue, devNull.rawValue, devNull.rawValue, theirs.rawValue],
            newProcessGroup: false)
        _ = consume theirs
        let message = try? mine.receiveBlocking()
        guard let message, let device = message.descriptors.take(0) else {
            _ = try? process.wait()
            throw SyscallError(call: "fusermount3", errno: .ioError)
        }
        let channel = FusermountChannel(device: device.release(), channel: mine, process: process)
        if !options.split(separator: ",").contains("auto_unmount") { channel.release() }
        return channel
    }

    /// Closes our end of the watcher channel: the watcher wakes, finds `path` no longer
    /// mounted (or unmounts it) and exits; it is reaped here (waiting up to a second).
    /// Calling it again does nothing.
    public func release() {
        var taken = watcher.withLock { state in
            defer { state = nil }
            return state
        }
        guard let process = taken?.process else { return }
        taken = nil  // closes our end of the channel
        _ = try? process.wait(timeout: .seconds(1))
    }

    /// Lazily unmounts `path` with `fusermount3 -u -z` (for a user without the right to
    /// `umount2`). Returns whether it succeeded.
    public static func unmount(_ path: String) -> Bool {
        guard let devNull = try? FileSystem.openReadOnly("/dev/null"),
            let process = try? ChildProcess.spawn(
                executable: helperPath, arguments: ["fusermount3", "-u", "-q", "-z", "--", path],
                descriptors: [devNull.rawValue, devNull.rawValue, devNull.rawValue])
        else { return false }
        return (try? process.wait(timeout: .seconds(5))) == .exited(0)
    }

    /// Where `fusermount3` is installed.
    static let helperPath: String = {
        let candidates = ["/usr/bin/fusermount3", "/bin/fusermount3", "/usr/local/bin/fusermount3"]
        return candidates.first { FileSystem.isExecutable($0) } ?? "/usr/bin/fusermount3"
    }()
}
