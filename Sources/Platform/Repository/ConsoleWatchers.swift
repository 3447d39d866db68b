// SPDX-License-Identifier: Apache-2.0

/// Who waits for a VM's console output: readers blocked at the end of
/// `dev/vlx-console` or `dev/vlx-log-<id>` (manual lines 13445 and 13467) in any
/// VM. Each VM's entry holds a watcher mask (bit w: VM w has such a reader); the
/// supervisor, streaming a console after a write, takes the mask and rings
/// those VMs' console doorbells. No one polls.
///
/// No wake-up is lost: a watcher sets its bit (an acquiring and releasing
/// read-modify-write), then looks at the console ordinal; the supervisor takes
/// the mask (a read-modify-write too) after the write it streams. If the take
/// comes second in the word's order it sees the bit and rings; if first, the
/// watcher's RMW reads from it, so the write happens before the watcher's look
/// and the watcher finds the new output itself.
extension Repository {
    /// A reader in VM `watcher` waits for VM `vm`'s console: ring `watcher`'s
    /// console doorbell at the next output (once; watch again to wait again).
    public func watchConsole(_ vm: NkOsId, by watcher: NkOsId) {
        guard isVM(vm), watcher < NK_OS_LIMIT else { return }
        _ = repo.fetchOr32(vmOffset(vm) + VMA.consWatchers, 1 << watcher)
    }

    /// Supervisor, after streaming VM `vm`'s console: the VMs waiting for its
    /// output, their bits cleared.
    public func takeConsoleWatchers(_ vm: NkOsId) -> NkOsMask {
        guard isVM(vm) else { return 0 }
        return repo.fetchAnd32(vmOffset(vm) + VMA.consWatchers, 0)
    }
}
