// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// Where a VM is in its life, as the supervisor sees it.
enum VMState: Equatable {
    /// No process.
    case stopped
    /// Process spawned, manifest sent, `ready` not yet received.
    case booting
    /// Running (`ready` received).
    case running
    /// Frozen with SIGSTOP.
    case paused
    /// Asked to stop; waiting for the process to exit (SIGKILL at `deadline`).
    case stopping(deadline: ContinuousClock.Instant)

    /// What `vlm status` shows: `running`, `paused` or `stopped`.
    var reported: String {
        switch self {
        case .stopped: "stopped"
        case .paused: "paused"
        case .booting, .running, .stopping: "running"
        }
    }
}

/// The supervisor's record of one VM: configuration, process, channels.
final class VMSlot {
    let config: VMConfig
    /// The VM's doorbell: created once, kept across restarts so peers' copies
    /// stay valid. Blocking: the guest's dispatcher sleeps in `read` on it.
    let doorbell: EventFD
    /// Rung by the guest after `nk_cons_write`: stream the history ring.
    let consoleBell: EventFD
    /// Rung by the supervisor when a console the VM's readers wait for
    /// (`dev/vlx-console`, `dev/vlx-log-<id>`) has new output. Kept across
    /// restarts; non-blocking (the guest drains it from its event queue).
    let consoleDoorbell: EventFD
    /// The history ordinal up to which the console was streamed.
    var historyCursor: UInt64 = 0
    var state: VMState = .stopped
    var process: ChildProcess?
    var control: ControlSocket?
    var console: SharedFD?
    var consoleBuffer: [UInt8] = []
    /// Bytes of the VM's stdout/stderr not yet in its history (its console lock was held).
    var unwrittenOutput: [UInt8] = []
    /// Number of boots after the first.
    var restarts = 0
    var hasBooted = false
    /// Whether the current process was asked to stop (its exit is not a crash).
    var stopRequested = false
    /// Boot again once the current process is gone (`vlm restart`).
    var bootAfterStop = false
    /// Recent crash times, for crash-loop protection.
    var crashes: [ContinuousClock.Instant] = []
    /// Clients waiting for the VM to be running (start/restart) or stopped (stop).
    var waitingForRunning: [ControlSocket] = []
    var waitingForStopped: [ControlSocket] = []

    init(config: VMConfig) throws {
        self.config = config
        doorbell = try EventFD(nonBlocking: false)
        consoleBell = try EventFD(nonBlocking: true)
        consoleDoorbell = try EventFD(nonBlocking: true)
    }

    /// Answers the guest's hypercall on its control socket.
    func answer(_ result: HypercallResult) {
        try? control?.send(SupervisorMessage.hypercallResult(result).encoded())
    }

    var id: Int { config.id }

    /// The pid while a process exists.
    var pid: Int32? { process?.pid }

    /// Sends `signal` to the VM's whole process group (the guest and its `vl,init`).
    func signalGroup(_ signal: Signal) {
        guard let pid = process?.pid, process?.exitStatus == nil else { return }
        try? Signal.send(signal, to: -pid)
    }

    var status: StatusReport.VM {
        StatusReport.VM(id: id, name: config.name, state: state.reported, pid: pid, restarts: restarts)
    }
}
