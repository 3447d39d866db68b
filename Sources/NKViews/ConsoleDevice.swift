// SPDX-License-Identifier: Apache-2.0
import Dispatch
import Platform
import PlatformSys
import PlatformViews
import Synchronization

/// `dev/vlx-console` and `dev/vlx-log-<id>` (manual lines 13439–13467): the
/// same content as `/proc/nk/history` and `/proc/nk/log-<id>`, but reading past
/// the last character blocks until at least one more is written.
extension VMViews {
    func addConsoleDevices() {
        let waiters = consoleWaiters
        dev.add(
            "vlx-console",
            .device(DeviceFile(permissions: .readOnly, driver: ConsoleDevice(vm: nkddi.id, waiters: waiters))))
        for vm in vmIDs {
            dev.add(
                "vlx-log-\(vm)",
                .device(DeviceFile(permissions: .readOnly, driver: ConsoleDevice(vm: vm, waiters: waiters))))
        }
    }
}

/// One console history as a device: each open reads it from the oldest kept
/// character on.
final class ConsoleDevice: DeviceFileDriver {
    let vm: NkOsId
    let waiters: ConsoleWaiters

    init(vm: NkOsId, waiters: ConsoleWaiters) {
        self.vm = vm
        self.waiters = waiters
    }

    func open(_ request: DeviceOpenRequest) {
        guard !request.flags.wantsWrite else {
            request.fail(.eacces)
            return
        }
        request.complete(with: ConsoleHandle(vm: vm, waiters: waiters))
    }
}

/// An open console: its read position (a history ordinal).
final class ConsoleHandle: DeviceFileHandle {
    let vm: NkOsId
    let waiters: ConsoleWaiters
    let pollQueue = PollWaitQueue()
    private let ordinal = Mutex<UInt64>(0)

    init(vm: NkOsId, waiters: ConsoleWaiters) {
        self.vm = vm
        self.waiters = waiters
    }

    func read(_ request: DeviceReadRequest) {
        if tryAnswer(request) { return }
        if request.isNonBlocking {
            request.fail(.eagain)
            return
        }
        request.suspend()
        waiters.wait(self, request)
    }

    /// Answers with what is there, if anything; true when the request is done.
    func tryAnswer(_ request: DeviceReadRequest) -> Bool {
        ordinal.withLock { position in
            let (bytes, next) = waiters.repository.consoleRead(vm, from: position, max: request.count)
            guard !bytes.isEmpty else { return false }
            if request.complete(bytes) { position = next }
            return true
        }
    }

    func write(_ request: DeviceWriteRequest) {
        request.fail(.ebadf)
    }

    func pollEvents() -> PollEvents {
        let available = hasOutput
        if !available { waiters.watchPoll(self) }
        return available ? .input : []
    }

    /// Whether output past the read position is there.
    var hasOutput: Bool {
        let position = ordinal.withLock { $0 }
        return waiters.repository.consoleOrdinal(vm) > position
    }

    func release() {
        waiters.forget(self)
    }
}

/// Readers blocked on console output and `poll` callers waiting for it. Each
/// waits on the repository's watcher mask of its console
/// (``Repository/watchConsole(_:by:)``); the supervisor rings this VM's console
/// doorbell after streaming new output of a watched console, and every waiter
/// is looked at again then. No timer: an idle VM does not wake up.
final class ConsoleWaiters: Sendable {
    let repository: Repository
    /// This VM: the watcher bit it sets.
    let watcher: NkOsId
    private struct State {
        var reads: [(ConsoleHandle, DeviceReadRequest)] = []
        var pollers: [ObjectIdentifier: ConsoleHandle] = [:]
    }
    private let state = Mutex(State())
    /// Every look runs here, one at a time: a look that took the waiters puts
    /// back those still waiting before the next look (a doorbell) takes them.
    private let queue = DispatchQueue(label: "vlm.console-waiters")
    private nonisolated(unsafe) let doorbellSource: any DispatchSourceRead

    /// Waiters of VM `watcher` woken through `doorbell` (non-blocking eventfd).
    init(repository: Repository, watcher: NkOsId, doorbell: EventFD) {
        self.repository = repository
        self.watcher = watcher
        doorbellSource = DispatchSource.makeReadSource(fileDescriptor: doorbell.rawValue, queue: queue)
        doorbellSource.setEventHandler { [weak self] in
            _ = try? doorbell.drain()
            self?.look()
        }
        doorbellSource.setCancelHandler { _ = doorbell }  // the descriptor outlives the source
        doorbellSource.resume()
    }

    deinit { doorbellSource.cancel() }

    func wait(_ handle: ConsoleHandle, _ request: DeviceReadRequest) {
        state.withLock { $0.reads.append((handle, request)) }
        queue.async { [self] in look() }
    }

    func watchPoll(_ handle: ConsoleHandle) {
        state.withLock { $0.pollers[ObjectIdentifier(handle)] = handle }
        queue.async { [self] in look() }
    }

    func forget(_ handle: ConsoleHandle) {
        state.withLock { state in
            state.pollers[ObjectIdentifier(handle)] = nil
            state.reads.removeAll { $0.0 === handle }
        }
    }

    /// Watches every console someone waits for, then answers the reads and
    /// wakes the pollers that have output now. Watching before looking: output
    /// written after the look rings the doorbell again (on `queue`).
    private func look() {
        let (reads, pollers) = state.withLock { state in
            defer {
                state.reads.removeAll()
                state.pollers.removeAll()
            }
            return (state.reads, Array(state.pollers.values))
        }
        for vm in Set(reads.map(\.0.vm) + pollers.map(\.vm)) { repository.watchConsole(vm, by: watcher) }
        var still: [(ConsoleHandle, DeviceReadRequest)] = []
        for (handle, request) in reads where !request.isCancelled && !handle.tryAnswer(request) {
            still.append((handle, request))
        }
        var polling: [ObjectIdentifier: ConsoleHandle] = [:]
        for handle in pollers {
            if handle.hasOutput { handle.pollQueue.wakeAll() } else { polling[ObjectIdentifier(handle)] = handle }
        }
        state.withLock { state in
            state.reads += still
            state.pollers.merge(polling) { a, _ in a }
        }
    }
}
