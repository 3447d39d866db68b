// SPDX-License-Identifier: Apache-2.0

/// The hypervisor console (manual lines 3300–3400).
extension NKDDI {
    /// `nk_cons_write`: appends the first `size` bytes of `buf` to this VM's
    /// console history; the supervisor streams it to the terminal of `vlm run`.
    public func nk_cons_write(_ buf: [UInt8], _ size: Int32) {
        repository.consoleWrite(id, Array(buf.prefix(max(0, Int(size)))))
        consoleBell?.ring()
    }

    /// `nk_cons_poll`: the next character the user typed for this VM (the one
    /// that has the `nk.focus`), or -1.
    public func nk_cons_poll() -> Int32 { repository.consolePoll(id) }

    /// `nk_cons_hist_getchar`: the first character kept in the history with an
    /// ordinal ≥ `ordnp`, or -1 when there is none; `ordnp` becomes the ordinal of
    /// the next character (which may not be written yet).
    public func nk_cons_hist_getchar(_ ordnp: inout nku64_f) -> Int32 {
        let (bytes, next) = repository.consoleRead(id, from: ordnp, max: 1)
        ordnp = next
        return bytes.first.map { Int32($0) } ?? -1
    }

    /// `nk_cons_hist_boot_ordinal`: the ordinal of the first character written (or
    /// to be written) since this VM last booted.
    public func nk_cons_hist_boot_ordinal() -> nku64_f { repository.consoleBootOrdinal(id) }
}
