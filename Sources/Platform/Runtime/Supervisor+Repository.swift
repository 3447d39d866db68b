// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// The supervisor's side of the repository: the VM state words, the vlink ends
/// of a VM that is gone, `NK_XIRQ_SYSCONF` to the VMs that must hear about it,
/// and the vlink states `vlm status` shows.
extension Supervisor {
    /// Posts `NK_XIRQ_SYSCONF` to every VM in `mask` (pending bit, then doorbell).
    func postSysconf(_ mask: NkOsMask) {
        for vm in repository.vmIDs where mask & (1 << vm) != 0 {
            repository.trigger(NK_XIRQ_SYSCONF, on: vm, doorbell: slots[Int(vm)]?.doorbell)
        }
    }

    /// The running VMs to notify of a change of VM `id`'s state properties
    /// (`nk.vm.<id>.state.running|paused` are NOTIFY properties, manual line 13324).
    func stateNotifyMask(_ id: Int) -> NkOsMask {
        repository.notifyMask(ofProperty: "nk.vm.\(id).state.running")
            | repository.notifyMask(ofProperty: "nk.vm.\(id).state.paused")
    }

    /// VM `slot` is (re)booting: a clean xirq state, a new console boot ordinal,
    /// `nk.vm.<id>.state.running` ← 1 (one more transition), peers notified.
    /// Done before the guest process exists, so its first attach sees clean bits.
    func vmBooting(_ slot: VMSlot) {
        repository.vmDidStart(NkOsId(slot.id), isRestart: slot.hasBooted)
        recordEvent("vm_start", slot)
        postSysconf(stateNotifyMask(slot.id) & ~(1 << NkOsId(slot.id)))
    }

    /// VM `slot` was frozen or thawed: `nk.vm.<id>.state.paused`, peers notified.
    func vmPauseChanged(_ slot: VMSlot, paused: Bool) {
        repository.vmDidPause(NkOsId(slot.id), paused)
        recordEvent(paused ? "vm_suspend_request" : "vm_resume_request", slot)
        postSysconf(stateNotifyMask(slot.id) & ~(1 << NkOsId(slot.id)))
        hooks.vmPaused(slot.id, paused)
    }

    /// VM `slot`'s process is gone: running bit 0, its vlink ends forced OFF,
    /// its handshake xirqs and locks released, the property updates it left in
    /// progress closed, `NK_XIRQ_SYSCONF` to its peers, to the VMs notified of
    /// its state and of those properties; logged. Runs in the loop turn that saw
    /// the exit (DESIGN §1.5).
    func vmGone(_ slot: VMSlot, crashed: Bool) {
        let id = NkOsId(slot.id)
        let ends = repository.vlinks.enumerated().compactMap { index, v -> String? in
            if v.s_id == id && v.s_state != NK_DEV_VLINK_OFF { return "\(v.name) \(v.link) (server)" }
            if v.c_id == id && v.c_state != NK_DEV_VLINK_OFF { return "\(v.name) \(v.link) (client)" }
            return nil
        }
        let peers = repository.vmDidStop(id)
        let closed = repository.closePropertyUpdates(leftBy: id)
        for name in closed.names {
            console.log("\(slot.config.displayName) died updating property \(name): update closed")
        }
        recordEvent(crashed ? "vm_fatal" : "vm_stop", slot)
        let notified = (peers | stateNotifyMask(slot.id) | closed.notify) & ~(1 << id)
        postSysconf(notified)
        if crashed || !ends.isEmpty {
            let names = repository.vmIDs.filter { notified & (1 << $0) != 0 }.map { "vm\($0)" }
            console.log(
                "\(slot.config.displayName): vlink ends forced OFF: \(ends.isEmpty ? "none" : ends.joined(separator: ", "))"
                    + "; NK_XIRQ_SYSCONF to \(names.isEmpty ? "nobody" : names.joined(separator: ", "))")
        }
        hooks.vmStopped(slot.id, crashed)
    }

    /// Records `event` about VM `slot` in the shared event log, if monitoring
    /// asks for it (manual lines 13605–13687).
    func recordEvent(_ event: String, _ slot: VMSlot) {
        let id = NkOsId(slot.id)
        repository.recordEvent(EventLog.type(event), vm: id, target: id, word: repository.monitoringEnableWord)
    }

    /// The vlinks in repository order with their end states, for `vlm status`.
    func vlinkStatus() -> [StatusReport.Vlink] {
        repository.vlinks.map {
            StatusReport.Vlink(
                name: $0.name, link: Int($0.link), server: Int($0.s_id), client: Int($0.c_id),
                serverState: Self.stateName($0.s_state), clientState: Self.stateName($0.c_state))
        }
    }

    /// `OFF`, `RESET`, `ON` (manual line 4190), or the number for anything else.
    static func stateName(_ state: Int32) -> String {
        switch state {
        case NK_DEV_VLINK_OFF: "OFF"
        case NK_DEV_VLINK_RESET: "RESET"
        case NK_DEV_VLINK_ON: "ON"
        default: "\(state)"
        }
    }

    /// A guest's hypercall: the lifecycle change it stands for, answered in
    /// the same loop turn. Pause and resume are done when the answer leaves;
    /// start and stop of another VM are under way (its state word changes when
    /// it is up or gone); a VM stopping or restarting itself gets the answer
    /// first, then `stop`.
    func serveHypercall(_ slot: VMSlot, _ call: Hypercall) {
        let (action, target) = call.lifecycle
        guard let targetSlot = slots[Int(target)] else {
            slot.answer(.unknownVM)
            return
        }
        if let why = refusal(action, targetSlot) {
            console.log("\(slot.config.displayName): \(call) refused: \(why)")
            slot.answer(.refused(why))
            return
        }
        console.log("\(slot.config.displayName): \(call)")
        if targetSlot === slot {
            slot.answer(.done)  // before the `stop` this VM is about to get
            _ = carryOut(action, targetSlot, client: nil)
        } else {
            _ = carryOut(action, targetSlot, client: nil)  // pause/resume are complete on return
            slot.answer(.done)
        }
    }
}

extension Hypercall {
    /// The `vlm start|stop|…` action and the VM a hypercall is about.
    var lifecycle: (LifecycleAction, NkOsId) {
        switch self {
        case .start(let vm): (.start, vm)
        case .restart(let vm): (.restart, vm)
        case .stop(let vm): (.stop, vm)
        case .suspend(let vm): (.pause, vm)
        case .resume(let vm): (.resume, vm)
        }
    }
}
