// SPDX-License-Identifier: Apache-2.0
public import PlatformSys

/// Observers of the supervisor's VM changes (e.g. views that mirror them).
/// The repository side (state words, vlink ends, SYSCONF) is the supervisor's
/// own work; these run after it, on the supervisor's event-loop thread.
public struct SupervisorHooks: Sendable {
    /// A VM's process is up (`ready` received).
    public var vmStarted: @Sendable (_ id: Int) -> Void = { _ in }
    /// A VM's process is gone, `crashed` when nobody asked it to stop (its vlink
    /// ends are already OFF and its peers notified).
    public var vmStopped: @Sendable (_ id: Int, _ crashed: Bool) -> Void = { _, _ in }
    /// A VM was frozen (`true`) or thawed (`false`).
    public var vmPaused: @Sendable (_ id: Int, _ paused: Bool) -> Void = { _, _ in }

    public init() {}
}

/// The hypervisor: boots one `vlm guest` process per VM, streams their
/// consoles, answers `DIR/vlm.sock`, handles crashes and restarts, and shuts
/// everything down on SIGINT/SIGTERM. One thread, one epoll loop.
///
/// Boot: lock `DIR/vlm.pid` (refusing a directory in use) → clean a dead run's
/// leftovers → create `vlm.<tag>.repo` and `vlm.<tag>.pmem` (mode 0600) and
/// format them → one eventfd per VM → listen on `DIR/vlm.sock` → spawn every
/// VM that boots at start → `DIR/ready` once all sent `ready`.
public final class Supervisor {
    /// How long an orderly stop may take before SIGKILL.
    public static let stopTimeout: Duration = .seconds(3)
    /// More crashes than this within `crashWindow` stop the automatic restarts.
    static let crashLimit = 5
    static let crashWindow: Duration = .seconds(10)

    let config: RuntimeConfig
    let runDirectory: RunDirectory
    let executable: String
    let hooks: SupervisorHooks
    let console: ConsoleTagger
    let clock = ContinuousClock()
    let bootStart: ContinuousClock.Instant
    var slots: [Int: VMSlot] = [:]
    var clients: [CInt: ControlSocket] = [:]
    var epoll: Epoll<SupervisorToken>!
    /// The repository and PMEM pool objects, formatted at boot.
    var objects: RepositoryObjects?
    /// The supervisor's own input (`vlm run`'s stdin), forwarded to the VM with `nk.focus`.
    var input: SharedFD?
    /// `nk.focus` as last read (kept while a guest's update of it is in progress).
    var lastFocus: UInt8?
    var shuttingDown = false
    var isReady = false
    /// The run directory's reaper (``RunReaper``), from boot to the end of `run`.
    var reaper: ReaperLink?
    /// How many times the reaper was started again after it died.
    var reaperRestarts = 0

    /// - Parameters:
    ///   - executable: the `vlm` binary guests re-exec (default `/proc/self/exe`).
    ///   - output: where tagged console lines and supervisor messages go (stdout).
    public init(
        config: RuntimeConfig, runDirectory: RunDirectory, executable: String = "/proc/self/exe",
        output: borrowing OwnedFD, colour: Bool? = nil, hooks: SupervisorHooks = SupervisorHooks()
    ) throws {
        self.config = config
        self.runDirectory = runDirectory
        self.executable = executable
        self.hooks = hooks
        bootStart = clock.now
        console = try ConsoleTagger(output: output, colour: colour, names: config.vms.map(\.name))
    }

    /// Runs the platform until SIGINT/SIGTERM, then stops every VM and removes
    /// every process, socket and shared-memory object it made. Call it from the
    /// main thread before starting any other thread (signals are blocked here).
    ///
    /// Right after taking the run directory (and removing a stale `ready`), it
    /// spawns the directory's reaper (``RunReaper``), which removes all of that
    /// if this process dies without doing it (`kill -9`). After a clean
    /// shutdown the reaper is told so and must exit 0 (else this throws); after
    /// a failure it is not, and cleans after this process like after a kill.
    public func run() throws {
        let signals = try SignalFD([.interrupt, .terminate, .hangUp])
        Signal.ignore(.brokenPipe)
        let lock = try runDirectory.acquire()
        let outcome = Result { try runLocked(signals: signals) }
        try? runDirectory.release(lock)
        // A failed run may leave VMs running: no `done`, the reaper kills them once we are gone.
        try outcome.get()
        if let status = reaper?.finish(), status != .exited(0) {
            throw RuntimeError.reaperFailed("the run directory's reaper \(status)")
        }
    }

    /// `run` once the run directory is ours: reaper, shared memory, socket, VMs, loop.
    private func runLocked(signals: SignalFD) throws {
        epoll = try Epoll()
        try epoll.add(signals.rawValue, token: .signal)
        try startReaper()
        try formatSharedMemory()
        lastFocus = repository.propertyValue("nk.focus")?.first  // no guest yet: never busy
        defer { RepositoryObjects.unlink(prefix: runDirectory.objectPrefix) }
        let listener = try UnixListener(path: runDirectory.socket)
        try epoll.add(listener.rawValue, token: .listener)
        for vm in config.vms {
            let slot = try VMSlot(config: vm)
            slots[vm.id] = slot
            try epoll.add(slot.consoleBell.rawValue, token: .history(vm.id))
        }
        watchInput()
        for vm in config.vms where vm.bootsAtStart { boot(slots[vm.id]!) }
        checkReady()
        try loop(signals: signals, listener: listener)
        objects = nil
    }

    /// Creates `vlm.<tag>.repo` and `vlm.<tag>.pmem` (mode 0600) and lays the
    /// platform out in them with `Repository.format(spec:prefix:blobs:)`.
    private func formatSharedMemory() throws {
        objects = try Repository.format(
            spec: config.spec, prefix: runDirectory.objectPrefix, blobs: config.blobs, pmemSize: config.pmemSize)
    }

    /// The supervisor's view of the repository (valid from boot to shutdown).
    var repository: Repository { objects!.repository }

    private func loop(signals: SignalFD, listener: UnixListener) throws {
        while !(shuttingDown && slots.values.allSatisfy { $0.process == nil }) {
            for (token, _) in try epoll.wait(timeout: nextDeadline()) {
                switch token {
                case .signal: handleSignals(try signals.drain().map(\.signal))
                case .listener: acceptClients(listener)
                case .client(let fd): serveClient(fd)
                case .control(let id): slots[id].map(readControl)
                case .console(let id): slots[id].map { readConsole($0) }
                case .history(let id): slots[id].map(consoleBellRang)
                case .input: forwardInput()
                case .exit(let id): slots[id].map(reap)
                case .reaper: reaperEnded()
                }
            }
            enforceDeadlines()
        }
    }

    private func handleSignals(_ received: [Signal]) {
        guard !received.isEmpty else { return }
        if shuttingDown {
            console.log("second \(received[0]): killing every VM")
            for slot in slots.values { slot.signalGroup(.kill) }
            return
        }
        console.log("\(received[0]): stopping the platform")
        shuttingDown = true
        for slot in slots.values where slot.process != nil { requestStop(slot) }
    }

    private func nextDeadline() -> Duration? {
        let deadlines = slots.values.compactMap { slot -> ContinuousClock.Instant? in
            if case .stopping(let deadline) = slot.state { return deadline } else { return nil }
        }
        return deadlines.min().map { max(.zero, $0 - clock.now) + .milliseconds(1) }
    }

    private func enforceDeadlines() {
        let now = clock.now
        for slot in slots.values {
            if case .stopping(let deadline) = slot.state, deadline <= now {
                console.log("\(slot.config.displayName) did not stop in time: killing it")
                slot.signalGroup(.kill)
                slot.state = .stopping(deadline: now + .seconds(3600))
            }
        }
    }

    /// Writes `DIR/ready` once every VM that boots at start is running.
    func checkReady() {
        guard !isReady, !shuttingDown else { return }
        let booting = config.vms.filter(\.bootsAtStart).compactMap { slots[$0.id] }
        guard booting.allSatisfy({ $0.state == .running }) else { return }
        isReady = true
        try? FileSystem.writeAtomically(runDirectory.readyFile, Array("\(ProcessInfo.currentID)\n".utf8))
        let ms = (clock.now - bootStart) / .milliseconds(1)
        console.log("platform ready: \(booting.count) VMs in \(Int(ms)) ms (run directory \(runDirectory.path))")
    }
}

/// What a supervisor epoll registration stands for.
enum SupervisorToken: EpollToken {
    case signal, listener, input, reaper
    case client(CInt)
    case control(Int)
    case console(Int)
    case exit(Int)
    case history(Int)

    var epollData: UInt64 {
        switch self {
        case .signal: 1 << 56
        case .listener: 2 << 56
        case .input: 7 << 56
        case .reaper: 9 << 56
        case .history(let id): 8 << 56 | UInt64(id)
        case .client(let fd): 3 << 56 | UInt64(UInt32(bitPattern: fd))
        case .control(let id): 4 << 56 | UInt64(id)
        case .console(let id): 5 << 56 | UInt64(id)
        case .exit(let id): 6 << 56 | UInt64(id)
        }
    }

    init?(epollData: UInt64) {
        let value = epollData & 0xFFFF_FFFF
        switch epollData >> 56 {
        case 1: self = .signal
        case 2: self = .listener
        case 3: self = .client(CInt(bitPattern: UInt32(value)))
        case 4: self = .control(Int(value))
        case 5: self = .console(Int(value))
        case 6: self = .exit(Int(value))
        case 7: self = .input
        case 8: self = .history(Int(value))
        case 9: self = .reaper
        default: return nil
        }
    }
}
