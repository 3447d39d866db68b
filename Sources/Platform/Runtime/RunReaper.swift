// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// The run directory's reaper: `vlm reaper` (hidden), spawned by the
/// supervisor right after it locks the run directory, so that a supervisor
/// that dies without cleaning (`kill -9`, a crash) still leaves nothing.
///
/// It inherits a pidfd of the supervisor (fd 3) and the reaper end of a
/// ``ReaperLink`` (fd 4), over which the supervisor sends a pidfd of every
/// guest it spawns and, after its own clean shutdown, `done`. It ignores
/// SIGINT, SIGTERM, SIGHUP and SIGQUIT and leads its own process group, so a
/// terminal's Ctrl-C or a signal meant for `vlm run` never takes it first.
///
/// When the supervisor ends without `done`: SIGKILL to every guest still
/// alive (and its process group: `vl,init`), wait (≤ 1 s) for them to end,
/// then, holding the run directory's lock, remove what
/// ``RunDirectory/cleanLeftovers()`` removes (`ready`, `vlm.sock`, the `vm<N>`
/// mounts, detached with `umount2(MNT_DETACH)`, and their directories, every
/// `/dev/shm/vlm.<tag>.*` object) and `vlm.pid`; then exit. When the lock is
/// taken, a new `vlm run` owns the directory and has cleaned it: nothing to do.
public enum RunReaper {
    /// How long the reaper waits for the guests it killed to end.
    static let guestDeadline: Duration = .seconds(1)

    /// Runs the reaper of `runDirectory` for supervisor `supervisorPID`; the exit status
    /// (0: released or cleaned, 1: cleaning failed, 71: not started by a supervisor).
    public static func run(runDirectory: RunDirectory, supervisorPID: Int32) -> Int32 {
        for signal in [Signal.interrupt, .terminate, .hangUp, .quit] { Signal.ignore(signal) }
        try? ProcessInfo.setName("vlm-reaper")
        guard FileSystem.isDescriptorOpen(3), FileSystem.isDescriptorOpen(4) else {
            printError("vlm reaper: not started by vlm run (fds 3 and 4 missing)")
            return 71
        }
        let supervisor = ProcessHandle(adopting: OwnedFD(adopting: 3), pid: supervisorPID)
        var watch = ReaperWatch(link: ControlSocket(adopting: OwnedFD(adopting: 4)))
        do {
            if try watch.untilSupervisorEnds(supervisor) == .released { return 0 }
            return clean(runDirectory, guests: watch.guests, supervisorPID: supervisorPID)
        } catch {
            // The link failed, not the supervisor: stand by until it ends, then clean (lock-guarded).
            printError("vlm reaper: \(error)")
            while !supervisor.waitForExit(timeout: .seconds(60)) {}
            return clean(runDirectory, guests: watch.guests, supervisorPID: supervisorPID)
        }
    }

    /// Kills what is left of the run and removes its files and objects.
    static func clean(_ runDirectory: RunDirectory, guests: [ProcessHandle], supervisorPID: Int32) -> Int32 {
        killGuests(guests)
        guard FileSystem.isDirectory(runDirectory.path) else { return 0 }
        do {
            // Nil: a new `vlm run` took the directory and cleaned it (RunDirectory.acquire).
            guard let lock = try FileLock.tryAcquire(path: runDirectory.pidFile) else { return 0 }
            try runDirectory.release(lock)
            printError(
                "vlm: the supervisor (pid \(supervisorPID)) of \(runDirectory.path) died; "
                    + "its VMs, mounts, shared memory and run files are removed")
            return 0
        } catch {
            printError("vlm reaper: cannot clean \(runDirectory.path): \(error)")
            return 1
        }
    }

    /// SIGKILL to each guest and to its process group (its `vl,init` and that
    /// program's children, which outlive their parent), then waits up to
    /// ``guestDeadline`` for the guests to end. A guest's pgid is its pid; the
    /// group is signalled even when the guest already died by its parent-death
    /// signal: this happens within milliseconds of the supervisor's death, and
    /// Linux hands out pid numbers cyclically, so the number is not yet reused.
    static func killGuests(_ guests: [ProcessHandle]) {
        for guest in guests {
            try? Signal.send(.kill, to: -guest.pid)
            try? guest.send(.kill)
        }
        let clock = ContinuousClock()
        let deadline = clock.now + guestDeadline
        for guest in guests { _ = guest.waitForExit(timeout: max(.zero, deadline - clock.now)) }
    }

    static func printError(_ line: String) {
        try? OwnedFD.duplicate(of: 2).writeAll(Array((line + "\n").utf8))
    }
}

/// What the reaper learns from its link while the supervisor runs.
struct ReaperWatch {
    enum Outcome { case released, orphaned }

    let link: ControlSocket
    /// The guests the supervisor spawned and that have not ended yet.
    private(set) var guests: [ProcessHandle] = []
    private var linkOpen = true

    init(link: ControlSocket) { self.link = link }

    /// Serves the link until the supervisor says `done` (`.released`) or ends without it (`.orphaned`).
    mutating func untilSupervisorEnds(_ supervisor: ProcessHandle) throws -> Outcome {
        let epoll = try Epoll<UInt64>()
        try epoll.add(supervisor.rawValue, token: 0)
        try epoll.add(link.rawValue, token: 1)
        while true {
            _ = try epoll.wait()
            if try readMessages() { return .released }
            if !linkOpen { try? epoll.remove(link.rawValue) }
            if supervisor.hasExited { return try readMessages() ? .released : .orphaned }
        }
    }

    /// Reads every queued message; true once `done` arrived.
    private mutating func readMessages() throws -> Bool {
        while linkOpen {
            guard case .processed(let received) = try link.receive(nonBlocking: true) else { return false }
            guard let message = received else {
                linkOpen = false
                return false
            }
            switch ReaperMessage(decoding: message.bytes) {
            case .done: return true
            case .guest(let pid):
                guests.removeAll(where: \.hasExited)
                if let fd = message.descriptors.take(0) { guests.append(ProcessHandle(adopting: fd, pid: pid)) }
            case nil: continue
            }
        }
        return false
    }
}

/// A message from the supervisor to its reaper (``Wire`` format).
enum ReaperMessage: Equatable {
    /// A guest was spawned; its pidfd is attached.
    case guest(pid: Int32)
    /// The supervisor cleaned everything itself: exit without touching anything.
    case done

    init?(decoding bytes: [UInt8]) {
        let fields = Wire.decode(bytes).first ?? []
        switch fields.first {
        case "done": self = .done
        case "guest":
            guard fields.count == 2, let pid = Int32(fields[1]) else { return nil }
            self = .guest(pid: pid)
        default: return nil
        }
    }

    func encoded() -> [UInt8] {
        switch self {
        case .done: Wire.encode([["done"]])
        case .guest(let pid): Wire.encode([["guest", "\(pid)"]])
        }
    }
}
