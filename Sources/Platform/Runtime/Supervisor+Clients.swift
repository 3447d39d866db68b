// SPDX-License-Identifier: Apache-2.0
import PlatformSys

extension Supervisor {
    /// Accepts every pending connection on `DIR/vlm.sock`.
    func acceptClients(_ listener: UnixListener) {
        while case .processed(let client) = (try? listener.accept()) ?? .wouldBlock {
            guard (try? epoll.add(client.rawValue, token: .client(client.rawValue))) != nil else { continue }
            clients[client.rawValue] = client
        }
    }

    /// Reads one request and answers it now or, for lifecycle changes, once
    /// the change is complete. A client that hung up is dropped.
    func serveClient(_ fd: CInt) {
        guard let client = clients.removeValue(forKey: fd) else { return }
        try? epoll.remove(fd)
        guard case .processed(let message?) = (try? client.receive(nonBlocking: true)) ?? .processed(nil) else {
            return
        }
        switch Result(catching: { () throws(RuntimeError) in try ClientRequest(decoding: message.bytes) }) {
        case .success(.status):
            try? client.send(ClientReply.status(statusReport()).encoded())
        case .success(.lifecycle(let action, let vm)):
            if let answer = perform(action, on: vm, client: client) { try? client.send(answer.encoded()) }
        case .failure(let error):
            try? client.send(ClientReply.error("\(error)").encoded())
        }
    }

    /// The state `vlm status` prints.
    func statusReport() -> StatusReport {
        let ms = (clock.now - bootStart) / .milliseconds(1)
        let vms = config.vms.compactMap { slots[$0.id]?.status }
        return StatusReport(uptimeMilliseconds: Int(ms), vms: vms, vlinks: vlinkStatus())
    }

    /// Carries out a lifecycle action. Returns the immediate answer, or nil when
    /// `client` was queued to hear the outcome later.
    func perform(_ action: LifecycleAction, on vm: String, client: ControlSocket?) -> ClientReply? {
        guard let config = config.vm(vm), let slot = slots[config.id] else {
            return .error(RuntimeError.unknownVM(vm).description)
        }
        if let refusal = refusal(action, slot) { return .error(refusal) }
        return carryOut(action, slot, client: client)
    }

    /// Why `action` cannot be done on `slot` now, or nil when it can.
    func refusal(_ action: LifecycleAction, _ slot: VMSlot) -> String? {
        if shuttingDown { return "the platform is shutting down" }
        let name = slot.config.displayName
        switch (action, slot.state) {
        // A start of a VM that is stopping boots it once its process is reaped
        // (`echo 3 > restart` is a stop then a start: the start came too early).
        case (.start, .stopped), (.start, .stopping), (.restart, _), (.pause, .running), (.resume, .paused): return nil
        case (.stop, .stopped): return "\(name) is not running"
        case (.stop, _): return nil
        case (.start, _): return "\(name) is already running"
        case (.pause, _): return "\(name) is not running"
        case (.resume, _): return "\(name) is not paused"
        }
    }

    /// Does an action `refusal` allowed; nil when `client` waits for the outcome.
    func carryOut(_ action: LifecycleAction, _ slot: VMSlot, client: ControlSocket?) -> ClientReply? {
        let name = slot.config.displayName
        switch (action, slot.state) {
        case (.start, .stopping):
            slot.bootAfterStop = true  // `reap` boots it: never while the old process lives
            return wait(client, in: &slot.waitingForRunning)
        case (.start, _), (.restart, .stopped):
            boot(slot)
            return wait(client, in: &slot.waitingForRunning)
        case (.stop, _):
            slot.bootAfterStop = false  // the last word: a start or restart still pending is dropped
            requestStop(slot)
            return wait(client, in: &slot.waitingForStopped)
        case (.restart, _):
            slot.bootAfterStop = true
            requestStop(slot)
            return wait(client, in: &slot.waitingForRunning)
        case (.pause, _):
            slot.state = .paused
            vmPauseChanged(slot, paused: true)  // the guest holds its xirqs and devices from here
            slot.freezePrograms()
            return .ok("\(name) paused")
        case (.resume, _):
            slot.thawPrograms()
            slot.state = .running
            vmPauseChanged(slot, paused: false)
            slot.ringDoorbell()  // the guest's dispatcher plays again: held xirqs and requests
            return .ok("\(name) resumed")
        }
    }

    private func wait(_ client: ControlSocket?, in list: inout [ControlSocket]) -> ClientReply? {
        guard let client else { return nil }
        list.append(client)
        return nil
    }
}
