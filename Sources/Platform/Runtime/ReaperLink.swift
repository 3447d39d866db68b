// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// The supervisor's side of its ``RunReaper``: the reaper process and the
/// `SOCK_SEQPACKET` link to it.
///
/// The reaper is `vlm reaper --run-dir DIR --supervisor PID`, spawned with
/// `posix_spawn` of the supervisor's executable (never a bare fork of this
/// multithreaded process), in a process group of its own, with a pidfd of the
/// supervisor as fd 3 and its end of the link as fd 4; stdin and stdout are
/// `/dev/null`, stderr is the supervisor's. It inherits nothing else: not the
/// run directory's lock, not the shm objects, not the guests' sockets.
final class ReaperLink {
    /// How long a clean shutdown waits for the reaper to exit after `done`.
    static let exitTimeout: Duration = .seconds(2)

    let process: ChildProcess
    private let link: ControlSocket

    private init(process: ChildProcess, link: ControlSocket) {
        self.process = process
        self.link = link
    }

    /// The reaper's argv (what `ps` shows).
    static func arguments(_ runDirectory: RunDirectory) -> [String] {
        ["vlm", "reaper", "--run-dir", runDirectory.path, "--supervisor", "\(ProcessInfo.currentID)"]
    }

    /// Spawns the reaper of `runDirectory`.
    static func start(executable: String, runDirectory: RunDirectory) throws -> ReaperLink {
        let supervisor = try ProcessHandle.open(ProcessInfo.currentID)
        let (mine, theirs) = try ControlSocket.pair()
        let devNull = try FileSystem.openReadOnly("/dev/null")
        let errors = FileSystem.isDescriptorOpen(2) ? 2 : devNull.rawValue
        let process = try ChildProcess.spawn(
            executable: executable, arguments: arguments(runDirectory),
            descriptors: [devNull.rawValue, devNull.rawValue, errors, supervisor.rawValue, theirs.rawValue])
        // Never block the event loop on a stopped reaper: a message that does not
        // fit is dropped (without `done` the reaper finds nothing to clean but takes a look).
        try mine.descriptor.setNonBlocking(true)
        return ReaperLink(process: process, link: mine)
    }

    /// Hands the reaper a pidfd of a newly spawned guest, so that it can kill the
    /// guest (and its group) if the supervisor dies.
    func watch(_ guest: ChildProcess) {
        try? link.send(ReaperMessage.guest(pid: guest.pid).encoded(), descriptors: [guest.pidDescriptor.rawValue])
    }

    /// After a clean shutdown (everything removed): tells the reaper `done` and
    /// waits for it (SIGKILL after ``exitTimeout``). Returns how it ended.
    func finish() -> ExitStatus? {
        try? link.send(ReaperMessage.done.encoded())
        if let status = try? process.wait(timeout: Self.exitTimeout) { return status }
        try? process.send(.kill)
        return try? process.wait()
    }
}
