// SPDX-License-Identifier: Apache-2.0
public import PlatformSys

/// Where the NKDDI layer plugs into the supervisor. Every hook runs on the
/// supervisor's event-loop thread.
public struct SupervisorHooks: Sendable {
    /// Fills the fresh repository and PMEM pool objects (e.g. `Repository.format`).
    public var formatSharedMemory: @Sendable (_ repository: MappedRegion, _ pmem: MappedRegion) -> Void = { _, _ in }
    /// A VM's process is up (`ready` received): e.g. `nk.vm.<id>.state.running` ← 1.
    public var vmStarted: @Sendable (_ id: Int) -> Void = { _ in }
    /// A VM's process is gone, `crashed` when nobody asked it to stop: force its
    /// vlink ends OFF, send `NK_XIRQ_SYSCONF` to its peers, drop its running state.
    public var vmStopped: @Sendable (_ id: Int, _ crashed: Bool) -> Void = { _, _ in }
    /// A VM was frozen (`true`) or thawed (`false`).
    public var vmPaused: @Sendable (_ id: Int, _ paused: Bool) -> Void = { _, _ in }
    /// The vlinks and their end states, for `vlm status`.
    public var vlinkStatus: @Sendable () -> [StatusReport.Vlink] = { [] }

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
    var repository: SharedMemory?
    var pmem: SharedMemory?
    var mappings: [MappedRegion] = []
    var shuttingDown = false
    var isReady = false

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
    public func run() throws {
        let signals = try SignalFD([.interrupt, .terminate, .hangUp])
        Signal.ignore(.brokenPipe)
        let lock = try runDirectory.acquire()
        defer { try? runDirectory.release(lock) }
        epoll = try Epoll()
        try epoll.add(signals.rawValue, token: .signal)
        try createSharedMemory()
        let listener = try UnixListener(path: runDirectory.socket)
        try epoll.add(listener.rawValue, token: .listener)
        for vm in config.vms { slots[vm.id] = try VMSlot(config: vm) }
        for vm in config.vms where vm.bootsAtStart { boot(slots[vm.id]!) }
        checkReady()
        try loop(signals: signals, listener: listener)
        mappings.removeAll()
    }

    private func createSharedMemory() throws {
        let repo = try SharedMemory.create(name: runDirectory.repositoryObject, size: config.repositorySize)
        repository = repo
        let pool = try SharedMemory.create(name: runDirectory.pmemObject, size: config.pmemSize)
        pmem = pool
        mappings = [try repo.map(), try pool.map()]
        hooks.formatSharedMemory(mappings[0], mappings[1])
    }

    private func loop(signals: SignalFD, listener: UnixListener) throws {
        while !(shuttingDown && slots.values.allSatisfy { $0.process == nil }) {
            for (token, _) in try epoll.wait(timeout: nextDeadline()) {
                switch token {
                case .signal: handleSignals(try signals.drain().map(\.signal))
                case .listener: acceptClients(listener)
                case .client(let fd): serveClient(fd)
                case .control(let id): slots[id].map(readControl)
                case .console(let id): slots[id].map { readConsole($0) }
                case .exit(let id): slots[id].map(reap)
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
    case signal, listener
    case client(CInt)
    case control(Int), console(Int), exit(Int)

    var epollData: UInt64 {
        switch self {
        case .signal: 1 << 56
        case .listener: 2 << 56
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
        default: return nil
        }
    }
}
