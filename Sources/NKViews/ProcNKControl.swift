// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformViews

/// The control files of `/proc/nk` (manual lines 13429–13437, 14132–14182).
/// Each takes a decimal VM id (`echo 3 > vmstop`); anything else, or an id that
/// is no configured guest, is refused with EINVAL and changes nothing. They act
/// through the `nk.vm.<id>.state.*` properties the manual says they are
/// equivalent to.
extension VMViews {
    func addProcControlFiles() {
        let nkddi = self.nkddi
        control("vmstart") { vm throws(ViewErrno) in
            // Starting a running VM has no effect; one's own id restarts (line 14170).
            if vm == nkddi.id || nkddi.repository.runState(vm) == .stopped {
                try Self.setState(nkddi, vm, "running", true)
            }
        }
        control("vmstop") { vm throws(ViewErrno) in
            if nkddi.repository.runState(vm) != .stopped { try Self.setState(nkddi, vm, "running", false) }
        }
        control("restart") { vm throws(ViewErrno) in
            // "stop then start", for any VM including this one (line 14134).
            if vm != nkddi.id, nkddi.repository.runState(vm) != .stopped {
                try Self.setState(nkddi, vm, "running", false)
            }
            try Self.setState(nkddi, vm, "running", true)
        }
        control("vmsuspend") { vm throws(ViewErrno) in
            // "1" into state.paused (the manual's "running" here is a copy-paste slip, line 14182).
            if nkddi.repository.runState(vm) == .running { try Self.setState(nkddi, vm, "paused", true) }
        }
        control("vmresume") { vm throws(ViewErrno) in
            if nkddi.repository.runState(vm) == .paused { try Self.setState(nkddi, vm, "paused", false) }
        }
        addFocus()
    }

    private func control(_ name: String, _ act: @escaping @Sendable (NkOsId) throws(ViewErrno) -> Void) {
        // No `self`: the tree (held by the views) must not keep the views alive, and
        // must keep working while mounted even if the views object is gone.
        let nkddi = self.nkddi
        procNK.add(
            name,
            .controlFile(
                ControlFile { text throws(ViewErrno) in
                    let vm = try Self.writtenVM(text, nkddi: nkddi)
                    try act(vm)
                }))
    }

    /// `focus`: reads the ASCII id in `nk.focus`, a write sets it (line 13429).
    private func addFocus() {
        let nkddi = self.nkddi
        let file = ControlFile(
            read: { () throws(ViewErrno) -> [UInt8] in
                let bytes = try nkddi.propertyBytes("nk.focus", maxSize: 1)
                return Array("\(bytes.first ?? 0)\n".utf8)
            },
            write: { text throws(ViewErrno) in
                let vm = try Self.writtenVM(text, nkddi: nkddi)
                let result = nkddi.nk_prop_set("nk.focus", [UInt8(vm)], 1)
                if result < 0 { throw PropertyErrno.errno(result) }
            })
        procNK.add("focus", .controlFile(file))
    }

    /// Writes bit 0 of `nk.vm.<vm>.state.<which>`: a lifecycle hypercall.
    static func setState(_ nkddi: NKDDI, _ vm: NkOsId, _ which: String, _ on: Bool) throws(ViewErrno) {
        // The kernel's lifecycle hypercall (nk_start/nk_stop/nk_suspend/nk_resume).
        nkddi.recordHypercall(which == "running" ? (on ? 1 : 2) : (on ? 3 : 4), target: vm)
        let result = nkddi.nk_prop_set("nk.vm.\(vm).state.\(which)", [on ? 1 : 0, 0, 0, 0], 4)
        if result < 0 { throw result == NK_PROP_ERROR ? .eio : PropertyErrno.errno(result) }
    }
}
