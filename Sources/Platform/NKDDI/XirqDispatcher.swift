// SPDX-License-Identifier: Apache-2.0
import PlatformSys
import Synchronization

/// The guest side of cross interrupts: the handlers attached in this VM and the
/// loop that runs them. The VM's doorbell (eventfd) wakes `run(waiter:)`, which
/// takes the pending & enabled bits from shared memory and calls every handler of
/// each xirq in attach order. Masked xirqs stay pending and fire once unmasked.
public final class XirqDispatcher: Sendable {
    final class Entry: Sendable {
        let id: NkXIrqId
        let xirq: NkXIrq
        let handler: NkXIrqHandler
        let cookie: (any Sendable)?
        /// Held while the handler runs; `nk_xirq_detach` takes it to wait.
        let running = Mutex(())
        let detached = Atomic<Bool>(false)
        /// The thread running the handler now (0: none); written only under
        /// `running`, so a thread finds its own id here only from inside the handler.
        let runningOn = Atomic<UInt>(0)

        init(id: NkXIrqId, xirq: NkXIrq, handler: @escaping NkXIrqHandler, cookie: (any Sendable)?) {
            self.id = id
            self.xirq = xirq
            self.handler = handler
            self.cookie = cookie
        }
    }

    struct Table {
        var nextID: NkXIrqId = 1
        var byXirq: [NkXIrq: [Entry]] = [:]
        var byID: [NkXIrqId: Entry] = [:]
    }

    private let table = Mutex(Table())
    private let repository: Repository
    private let vm: NkOsId
    /// Work waiting for the VM to play again (``whenPlaying(_:)``).
    private let held = Mutex<[@Sendable () -> Void]>([])
    private let holdsWork = Atomic<Bool>(false)
    /// This VM's own doorbell, rung when work is held after the VM played again.
    private let ownDoorbell: (any XirqDoorbell)?

    init(repository: Repository, vm: NkOsId, doorbell: (any XirqDoorbell)? = nil) {
        self.repository = repository
        self.vm = vm
        self.ownDoorbell = doorbell
    }

    /// Adds a handler for `xirq` after the ones already attached; returns its id.
    func attach(_ xirq: NkXIrq, _ handler: @escaping NkXIrqHandler, cookie: (any Sendable)?) -> NkXIrqId {
        table.withLock { t in
            let entry = Entry(id: t.nextID, xirq: xirq, handler: handler, cookie: cookie)
            t.nextID += 1
            t.byXirq[xirq, default: []].append(entry)
            t.byID[entry.id] = entry
            return entry.id
        }
    }

    /// Removes handler `id`, then waits until it is not running (unless the caller
    /// is that very handler). Returns the xirq and whether it has handlers left.
    func detach(_ id: NkXIrqId) -> (xirq: NkXIrq, remaining: Int)? {
        let removed: (Entry, Int)? = table.withLock { t in
            guard let entry = t.byID.removeValue(forKey: id) else { return nil }
            t.byXirq[entry.xirq]?.removeAll { $0.id == id }
            let left = t.byXirq[entry.xirq]?.count ?? 0
            if left == 0 { t.byXirq[entry.xirq] = nil }
            return (entry, left)
        }
        guard let (entry, left) = removed else { return nil }
        entry.detached.store(true, ordering: .releasing)
        if entry.runningOn.load(ordering: .relaxed) != DetachedThread.currentID { entry.running.withLock { _ in } }
        return (entry.xirq, left)
    }

    /// Detaches every handler, waiting for those that run: after it, no handler
    /// of this VM runs again (a kernel that is gone).
    public func detachAll() {
        for id in table.withLock({ Array($0.byID.keys) }) { _ = detach(id) }
    }

    /// Runs the handlers of `xirq` in attach order.
    func dispatch(_ xirq: NkXIrq) {
        let entries = table.withLock { $0.byXirq[xirq] ?? [] }
        for entry in entries {
            entry.running.withLock { _ in
                guard !entry.detached.load(ordering: .acquiring) else { return }
                entry.runningOn.store(DetachedThread.currentID, ordering: .relaxed)
                entry.handler(entry.cookie, xirq)
                entry.runningOn.store(0, ordering: .relaxed)
            }
        }
    }

    /// Takes every pending & enabled xirq of this VM and runs its handlers, until
    /// none is left. Returns how many xirqs were dispatched.
    @discardableResult
    public func drain() -> Int {
        var count = 0
        while true {
            let before = count
            repository.takePending(on: vm) { x in
                dispatch(x)
                count += 1
            }
            if count == before { return count }
        }
    }

    /// The dispatcher loop: drains after every ring of the VM's doorbell, until the
    /// doorbell closes. Run it on a thread of its own. While the VM is paused
    /// (bit 0 of `nk.vm.<id>.state.paused`, manual line 13326) nothing runs: the
    /// xirqs stay pending and the supervisor rings the doorbell on resume; then
    /// the held xirqs are dispatched and the work ``whenPlaying(_:)`` held runs.
    public func run(waiter: any XirqWaiter) {
        while waiter.waitForRing() {
            guard !isPaused else { continue }
            drain()
            if holdsWork.load(ordering: .acquiring) { runHeldWork() }
        }
    }

    /// Whether the VM is paused now.
    public var isPaused: Bool { repository.vmStateWord(vm, paused: true) & 1 != 0 }

    /// Runs `work` on the dispatcher thread once the VM plays (is not paused):
    /// how a paused VM's device requests wait. If the VM resumed meanwhile, the
    /// VM's own doorbell is rung so the work is not left behind.
    public func whenPlaying(_ work: @escaping @Sendable () -> Void) {
        held.withLock { $0.append(work) }
        holdsWork.store(true, ordering: .releasing)
        if !isPaused { ownDoorbell?.ring() }
    }

    private func runHeldWork() {
        let work = held.withLock { held in
            holdsWork.store(false, ordering: .releasing)
            defer { held.removeAll() }
            return held
        }
        for item in work { item() }
    }
}
