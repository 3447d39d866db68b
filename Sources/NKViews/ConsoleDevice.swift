// SPDX-License-Identifier: Apache-2.0
import Dispatch
import Platform
import PlatformViews
import Synchronization

/// `dev/vlx-console` and `dev/vlx-log-<id>` (manual lines 13439–13467): the
/// same content as `/proc/nk/history` and `/proc/nk/log-<id>`, but reading past
/// the last character blocks until at least one more is written.
extension VMViews {
    func addConsoleDevices() {
        let waiters = consoleWaiters
        dev.add("vlx-console", .device(DeviceFile(permissions: .readOnly, driver: ConsoleDevice(vm: nkddi.id, waiters: waiters))))
        for vm in vmIDs {
            dev.add("vlx-log-\(vm)", .device(DeviceFile(permissions: .readOnly, driver: ConsoleDevice(vm: vm, waiters: waiters))))
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
        let position = ordinal.withLock { $0 }
        let available = waiters.repository.consoleOrdinal(vm) > position
        if !available { waiters.watchPoll(self) }
        return available ? .input : []
    }

    func release() {
        waiters.forget(self)
    }
}

/// Readers blocked on console output, checked every 20 ms while there are any
/// (nothing rings this VM when another VM writes its console).
final class ConsoleWaiters: Sendable {
    let repository: Repository
    private struct State {
        var reads: [(ConsoleHandle, DeviceReadRequest)] = []
        var pollers: [ObjectIdentifier: ConsoleHandle] = [:]
        var ticking = false
    }
    private let state = Mutex(State())
    private static let queue = DispatchQueue(label: "vlm.console-waiters")

    init(repository: Repository) {
        self.repository = repository
    }

    func wait(_ handle: ConsoleHandle, _ request: DeviceReadRequest) {
        state.withLock { $0.reads.append((handle, request)) }
        startTicking()
    }

    func watchPoll(_ handle: ConsoleHandle) {
        state.withLock { $0.pollers[ObjectIdentifier(handle)] = handle }
        startTicking()
    }

    func forget(_ handle: ConsoleHandle) {
        state.withLock { state in
            state.pollers[ObjectIdentifier(handle)] = nil
            state.reads.removeAll { $0.0 === handle }
        }
    }

    private func startTicking() {
        let start = state.withLock { state in
            defer { state.ticking = true }
            return !state.ticking
        }
        if start { schedule() }
    }

    private func schedule() {
        Self.queue.asyncAfter(deadline: .now() + .milliseconds(20)) { [self] in tick() }
    }

    private func tick() {
        let (reads, pollers) = state.withLock { state in
            defer { state.reads.removeAll(); state.pollers.removeAll() }
            return (state.reads, Array(state.pollers.values))
        }
        var still: [(ConsoleHandle, DeviceReadRequest)] = []
        for (handle, request) in reads where !request.isCancelled && !handle.tryAnswer(request) {
            still.append((handle, request))
        }
        var polling: [ObjectIdentifier: ConsoleHandle] = [:]
        for handle in pollers {
            if handle.pollEvents() == .input { handle.pollQueue.wakeAll() } else { polling[ObjectIdentifier(handle)] = handle }
        }
        let again = state.withLock { state in
            state.reads += still
            state.pollers.merge(polling) { a, _ in a }
            state.ticking = !state.reads.isEmpty || !state.pollers.isEmpty
            return state.ticking
        }
        if again { schedule() }
    }
}
