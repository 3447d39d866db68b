// SPDX-License-Identifier: Apache-2.0
import PlatformModel
import PlatformSys

extension Supervisor {
    /// The argv of a guest: `vlm guest --id 2 --name server --supervisor PID`,
    /// which is what `ps` shows for the VM.
    func guestArguments(_ vm: VMConfig) -> [String] {
        ["vlm", "guest", "--id", "\(vm.id)", "--name", vm.name, "--supervisor", "\(ProcessInfo.currentID)"]
    }

    /// Spawns the VM's guest process and sends its manifest; the VM is
    /// `booting` until the guest answers `ready`.
    func boot(_ slot: VMSlot) {
        do {
            vmBooting(slot)
            try spawnGuest(slot)
            slot.state = .booting
            if slot.hasBooted { slot.restarts += 1 }
            slot.hasBooted = true
        } catch {
            console.log("cannot boot \(slot.config.displayName): \(error)")
            if slot.process == nil { repository.vmDidStop(NkOsId(slot.id)) }
            slot.process.map { _ in slot.signalGroup(.kill) }
            reply(&slot.waitingForRunning, .error("\(slot.config.displayName) failed to boot: \(error)"))
        }
    }

    private func spawnGuest(_ slot: VMSlot) throws {
        let (supervisorEnd, guestEnd) = try ControlSocket.pair()
        let output = try Pipe(nonBlockingRead: true)
        let devNull = try FileSystem.openReadOnly("/dev/null")
        let process = try ChildProcess.spawn(
            executable: executable, arguments: guestArguments(slot.config),
            descriptors: [devNull.rawValue, output.writeEnd.rawValue, output.writeEnd.rawValue, guestEnd.rawValue])
        slot.process = process
        reaper?.watch(process)
        slot.control = supervisorEnd
        slot.console = output.readEnd
        slot.consoleBuffer = []
        slot.stopRequested = false
        try epoll.add(process.pidDescriptor.rawValue, token: .exit(slot.id))
        try epoll.add(supervisorEnd.rawValue, token: .control(slot.id))
        try epoll.add(output.readEnd.rawValue, token: .console(slot.id))
        let manifest = GuestManifest(
            vm: slot.config, runDirectory: runDirectory.path, repositoryObject: runDirectory.repositoryObject,
            pmemObject: runDirectory.pmemObject, vmIDs: config.vms.map(\.id), startsInit: config.startsInit)
        let doorbells = config.vms.compactMap { slots[$0.id]?.doorbell.rawValue }
        let shared = [objects!.repoObject.descriptor.rawValue, objects!.pmemObject.descriptor.rawValue]
        try supervisorEnd.send(
            SupervisorMessage.manifest(manifest).encoded(),
            descriptors: shared + doorbells + [slot.consoleBell.rawValue, slot.consoleDoorbell.rawValue])
    }

    /// Asks the VM to stop in order (`stop` message); SIGKILL after `stopTimeout`.
    func requestStop(_ slot: VMSlot) {
        guard slot.process != nil else { return }
        if case .stopping = slot.state { return }
        slot.stopRequested = true
        if slot.state == .paused {
            // Stopped in order like a running VM: its programs and its guest's held work go on.
            slot.thawPrograms()
            repository.vmDidPause(NkOsId(slot.id), false)
            slot.ringDoorbell()
        }
        slot.state = .stopping(deadline: clock.now + Self.stopTimeout)
        do {
            try slot.control?.send(SupervisorMessage.stop.encoded())
        } catch {
            slot.signalGroup(.kill)
        }
    }

    /// A message from a guest.
    func readControl(_ slot: VMSlot) {
        guard let control = slot.control else { return }
        guard case .processed(let message) = (try? control.receive(nonBlocking: true)) ?? .processed(nil),
            let message
        else {
            try? epoll.remove(control.rawValue)
            slot.control = nil
            return
        }
        switch try? GuestMessage(decoding: message.bytes) {
        case .ready:
            guard slot.state == .booting else { return }
            slot.state = .running
            console.log("\(slot.config.displayName) running (pid \(slot.pid ?? 0))")
            hooks.vmStarted(slot.id)
            reply(&slot.waitingForRunning, .ok("\(slot.config.displayName) is running"))
            checkReady()
        case .hypercall(let call):
            serveHypercall(slot, call)
        case nil:
            console.log("\(slot.config.displayName) sent a malformed control message")
        }
    }

    /// Bytes of a guest's stdout/stderr (its own and its `vl,init`'s): kept in
    /// the VM's history ring like `nk_cons_write` output, then streamed.
    func readConsole(_ slot: VMSlot, final: Bool = false) {
        if let fd = slot.console {
            while case .processed(let chunk) = (try? fd.read(upTo: 65536)) ?? .processed([]), !chunk.isEmpty {
                slot.unwrittenOutput += chunk
                writeOutput(slot)
                streamHistory(slot)
            }
        }
        writeOutput(slot)
        streamHistory(slot, flush: final)
    }

    /// Puts the VM's stdout/stderr bytes not yet in its history there, unless
    /// the VM holds its console lock: the supervisor does not wait for a VM
    /// paused inside `nk_cons_write`. The bytes wait for the VM's console bell
    /// (rung when that write ends) or its reaping (which releases its locks).
    func writeOutput(_ slot: VMSlot) {
        guard !slot.unwrittenOutput.isEmpty else { return }
        if repository.consoleAppend(NkOsId(slot.id), slot.unwrittenOutput) { slot.unwrittenOutput = [] }
    }

    /// The guest process ended: reap it, mark the VM stopped, tell NKDDI, and
    /// restart it when asked to or when `vl,restart` says so.
    func reap(_ slot: VMSlot) {
        guard let process = slot.process, let status = try? process.tryWait() else { return }
        repository.releaseLocks(heldBy: NkOsId(slot.id))  // a console lock it died holding, before its last output
        readConsole(slot, final: true)
        for fd in [process.pidDescriptor.rawValue, slot.console?.rawValue, slot.control?.rawValue].compactMap({ $0 }) {
            try? epoll.remove(fd)
        }
        slot.signalGroup(.kill)  // `vl,init` and anything else left in the VM's group
        slot.process = nil
        slot.control = nil
        slot.console = nil
        let crashed = !slot.stopRequested
        slot.state = .stopped
        if crashed {
            console.log("\(slot.config.displayName) crashed: \(status)")
        } else {
            console.log("\(slot.config.displayName) stopped")
        }
        vmGone(slot, crashed: crashed)
        reply(&slot.waitingForStopped, .ok("\(slot.config.displayName) stopped"))
        if shuttingDown { return }
        if slot.bootAfterStop || (crashed && shouldRestart(slot, status)) {
            slot.bootAfterStop = false
            boot(slot)
        } else {
            reply(&slot.waitingForRunning, .error("\(slot.config.displayName) stopped before it was running"))
        }
    }

    private func shouldRestart(_ slot: VMSlot, _ status: ExitStatus) -> Bool {
        switch slot.config.restart {
        case .never: return false
        case .onCrash: if status == .exited(0) { return false }
        case .always: break
        }
        let now = clock.now
        slot.crashes = slot.crashes.filter { now - $0 < Self.crashWindow } + [now]
        if slot.crashes.count > Self.crashLimit {
            console.log(
                "\(slot.config.displayName) crashed \(slot.crashes.count) times in \(Self.crashWindow): not restarting it"
            )
            return false
        }
        console.log("restarting \(slot.config.displayName) (vl,restart = \"\(slot.config.restart.rawValue)\")")
        return true
    }

    /// Sends `answer` to every waiting client and forgets them.
    func reply(_ waiting: inout [ControlSocket], _ answer: ClientReply) {
        for client in waiting { try? client.send(answer.encoded()) }
        waiting.removeAll()
    }
}
