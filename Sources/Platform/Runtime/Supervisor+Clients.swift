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
        guard case .processed(let message?) = (try? client.receive(nonBlocking: true)) ?? .processed(nil) else { return }
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
        return StatusReport(uptimeMilliseconds: Int(ms), vms: vms, vlinks: hooks.vlinkStatus())
    }

    /// Carries out a lifecycle action. Returns the immediate answer, or nil when
    /// `client` was queued to hear the outcome later.
    func perform(_ action: LifecycleAction, on vm: String, client: ControlSocket?) -> ClientReply? {
        guard let config = config.vm(vm), let slot = slots[config.id] else {
            return .error(RuntimeError.unknownVM(vm).description)
        }
        if shuttingDown { return .error("the platform is shutting down") }
        let name = config.displayName
        switch (action, slot.state) {
        case (.start, .stopped):
            boot(slot)
            return wait(client, in: &slot.waitingForRunning)
        case (.start, _):
            return .error("\(name) is already running")
        case (.stop, .stopped):
            return .error("\(name) is not running")
        case (.stop, _):
            requestStop(slot)
            return wait(client, in: &slot.waitingForStopped)
        case (.restart, .stopped):
            boot(slot)
            return wait(client, in: &slot.waitingForRunning)
        case (.restart, _):
            slot.bootAfterStop = true
            requestStop(slot)
            return wait(client, in: &slot.waitingForRunning)
        case (.pause, .running):
            slot.signalGroup(.stop)
            slot.state = .paused
            hooks.vmPaused(slot.id, true)
            return .ok("\(name) paused")
        case (.pause, _):
            return .error("\(name) is not running")
        case (.resume, .paused):
            slot.signalGroup(.continue)
            slot.state = .running
            hooks.vmPaused(slot.id, false)
            return .ok("\(name) resumed")
        case (.resume, _):
            return .error("\(name) is not paused")
        }
    }

    private func wait(_ client: ControlSocket?, in list: inout [ControlSocket]) -> ClientReply? {
        guard let client else { return nil }
        list.append(client)
        return nil
    }
}
