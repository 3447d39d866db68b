// SPDX-License-Identifier: Apache-2.0

/// A request from a VM to the supervisor ("the hypervisor"), sent over the VM's
/// control socket. Only lifecycle changes go this way: resource allocation,
/// properties and xirqs are done by the guest in shared memory (see
/// docs/decisions.md, "NKDDI and the repository").
public enum Hypercall: Codable, Sendable, Equatable {
    /// `nk_start(osid)` on another VM: `nk.vm.<osid>.state.running` ← 1 (manual line 4012).
    case start(vm: NkOsId)
    /// `nk_start(self)`: restart the calling VM.
    case restart(vm: NkOsId)
    /// `nk_stop(osid)`: `nk.vm.<osid>.state.running` ← 0 (manual line 4058).
    case stop(vm: NkOsId)
    /// `nk_suspend(osid)`: `nk.vm.<osid>.state.paused` ← 1 (manual line 4142).
    case suspend(vm: NkOsId)
    /// `nk_resume(osid)`: `nk.vm.<osid>.state.paused` ← 0 (manual line 3940).
    case resume(vm: NkOsId)
}

/// The supervisor's answer to a `Hypercall`.
public enum HypercallResult: Codable, Sendable, Equatable {
    /// The request was accepted (the change may complete asynchronously).
    case done
    /// No VM with that id.
    case unknownVM
    /// The request cannot be honoured now (reason for the log).
    case refused(String)
}

/// How a guest reaches the supervisor. The runtime implements it over the
/// VM's control socket; NKDDI only needs this one call.
public protocol HypercallChannel: Sendable {
    /// Sends `call` and waits for the answer.
    func hypercall(_ call: Hypercall) -> HypercallResult
}
