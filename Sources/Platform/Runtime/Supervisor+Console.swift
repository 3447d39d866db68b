// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// The hypervisor console: every VM's history ring (written by `nk_cons_write`
/// and, through the supervisor, by the VM's stdout/stderr) streamed to the
/// terminal of `vlm run` as tagged lines; `vlm run`'s stdin queued for the VM
/// that has `nk.focus` (`nk_cons_poll`).
extension Supervisor {
    /// Streams VM `slot`'s history from where the last call stopped; `flush`
    /// also emits an unfinished last line (the VM is gone).
    func streamHistory(_ slot: VMSlot, flush: Bool = false) {
        let id = NkOsId(slot.id)
        while true {
            let (bytes, next) = repository.consoleRead(id, from: slot.historyCursor, max: 4096)
            slot.historyCursor = next
            if bytes.isEmpty { break }
            slot.consoleBuffer += bytes
        }
        console.emit(&slot.consoleBuffer, name: slot.config.name, color: slot.config.color, flush: flush)
        wakeConsoleReaders(slot)
    }

    /// Rings the console doorbell of every VM with a reader waiting for VM
    /// `slot`'s console (after the output just streamed is in the history).
    func wakeConsoleReaders(_ slot: VMSlot) {
        let watchers = repository.takeConsoleWatchers(NkOsId(slot.id))
        for (id, watcher) in slots where watchers & (1 << NkOsId(id)) != 0 {
            try? watcher.consoleDoorbell.signal()
        }
    }

    /// The guest rang its console bell after `nk_cons_write`.
    func consoleBellRang(_ slot: VMSlot) {
        _ = try? slot.consoleBell.drain()
        writeOutput(slot)
        streamHistory(slot)
    }

    /// Watches `vlm run`'s stdin when it can be polled (a terminal or a pipe; not
    /// `/dev/null` or a regular file, which epoll refuses).
    func watchInput() {
        guard let own = try? OwnedFD.duplicate(of: 0) else { return }
        let fd = SharedFD(adopting: own)
        guard (try? epoll.add(fd.rawValue, token: .input)) != nil else { return }
        input = fd
    }

    /// Input arrived: queue it for the VM named by `nk.focus` (one byte, the VM
    /// id, manual line 13429). At end of input, stop watching.
    func forwardInput() {
        guard let fd = input else { return }
        guard case .processed(let bytes) = (try? fd.read(upTo: 4096)) ?? .processed([]), !bytes.isEmpty else {
            try? epoll.remove(fd.rawValue)
            input = nil
            return
        }
        guard let focus = currentFocus(), repository.isVM(NkOsId(focus)) else {
            console.log("console input dropped: nk.focus names no VM")
            return
        }
        let queued = repository.consolePushInput(NkOsId(focus), bytes)
        if queued < bytes.count {
            console.log("vm\(focus): console input ring full, \(bytes.count - queued) bytes dropped")
        }
    }

    /// The VM id in `nk.focus`. While a guest's update of it is in progress the
    /// supervisor does not wait for it (the update may never end): the focus
    /// it read last stands, as that update has not taken effect yet.
    private func currentFocus() -> UInt8? {
        if let value = repository.propertyValue("nk.focus") { lastFocus = value.first }
        return lastFocus
    }
}
