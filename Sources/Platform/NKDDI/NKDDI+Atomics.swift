// SPDX-License-Identifier: Apache-2.0

/// The atomic operations on 32-bit words of shared memory (manual lines 2985–3256,
/// 4100). `ptr` / `mask` are virtual addresses inside the repository or the PMEM
/// pool; any other address is a fault (the process traps, as a C guest would).
extension NKDDI {
    private func word(_ vaddr: NkVAddr, _ caller: String) -> SharedPointer {
        guard let p = pointer(vaddr), p.offset % 4 == 0 else {
            fatalError("\(caller): bad address 0x\(String(vaddr, radix: 16))")
        }
        return p
    }

    /// `nk_atomic_add`: `*ptr += val`, atomically.
    public func nk_atomic_add(_ ptr: NkVAddr, _ val: nku32_f) {
        let p = word(ptr, #function)
        _ = p.region.fetchAdd32(p.offset, val)
    }

    /// `nk_atomic_sub`: `*ptr -= val`, atomically.
    public func nk_atomic_sub(_ ptr: NkVAddr, _ val: nku32_f) {
        let p = word(ptr, #function)
        _ = p.region.fetchSub32(p.offset, val)
    }

    /// `nk_atomic_set`: `*mask |= set`, atomically.
    public func nk_atomic_set(_ mask: NkVAddr, _ set: nku32_f) {
        let p = word(mask, #function)
        _ = p.region.fetchOr32(p.offset, set)
    }

    /// `nk_atomic_clear`: `*mask &= ~clear`, atomically.
    public func nk_atomic_clear(_ mask: NkVAddr, _ clear: nku32_f) {
        let p = word(mask, #function)
        _ = p.region.fetchAnd32(p.offset, ~clear)
    }

    /// `nk_sub_and_test`: `*ptr -= val` atomically; returns 0 iff the result is 0
    /// (otherwise the result).
    public func nk_sub_and_test(_ ptr: NkVAddr, _ val: nku32_f) -> nku32_f {
        let p = word(ptr, #function)
        return p.region.fetchSub32(p.offset, val) &- val
    }

    /// `nk_clear_and_test`: `*mask &= ~clear` atomically; returns 0 iff the result
    /// is 0 (otherwise the result).
    public func nk_clear_and_test(_ mask: NkVAddr, _ clear: nku32_f) -> nku32_f {
        let p = word(mask, #function)
        return p.region.fetchAnd32(p.offset, ~clear) & ~clear
    }
}
