// SPDX-License-Identifier: Apache-2.0

/// A snapshot of one `NkDevVlink` record (manual line 4180), for status and views.
/// Drivers read and write the live words through `NKDDI.nk_ptov`.
public struct NkDevVlink: Sendable, Equatable {
    public var name: String
    public var link: Int32
    public var s_id: NkOsId
    public var s_state: Int32
    public var s_info: nku32_f
    public var c_id: NkOsId
    public var c_state: Int32
    public var c_info: nku32_f
}

extension Repository {
    typealias V = RepositoryABI.Vlink

    /// The `index`-th vlink record, in repository order.
    public func vlink(_ index: Int) -> NkDevVlink {
        let b = vlinkOffset(index)
        return NkDevVlink(
            name: repo.loadCString(b + V.name, limit: NK_DEV_VLINK_NAME_LIMIT),
            link: Int32(bitPattern: repo.load32(b + V.link)),
            s_id: repo.load32(b + V.sID), s_state: Int32(bitPattern: repo.load32(b + V.sState)),
            s_info: repo.load32(b + V.sInfo),
            c_id: repo.load32(b + V.cID), c_state: Int32(bitPattern: repo.load32(b + V.cState)),
            c_info: repo.load32(b + V.cInfo))
    }

    /// All vlink records in repository order.
    public var vlinks: [NkDevVlink] { (0..<vlinkCount).map(vlink) }

    /// The physical address of the `index`-th vlink record.
    public func vlinkAddress(_ index: Int) -> NkPhAddr { pdevAddress(vlinkOffset(index)) }

    /// Writes the server or client state word of the `index`-th vlink.
    public func setVlinkState(_ index: Int, server: Bool, _ state: Int32) {
        repo.store32(vlinkOffset(index) + (server ? V.sState : V.cState), UInt32(bitPattern: state))
    }

    /// The info string at physical address `paddr` (`s_info` / `c_info`).
    public func infoString(_ paddr: nku32_f) -> String {
        guard let off = pdevOffset(NkPhAddr(paddr)) else { return "" }
        return repo.loadCString(off, limit: 4096)
    }

    /// `nk_vlink_lookup`: the vlink after `plink` (or the first when `plink` is 0)
    /// whose name is `name` (any name when nil), in repository order; 0 when none
    /// or when `plink` is not a vlink address.
    public func lookupVlink(_ name: String?, after plink: NkPhAddr) -> NkPhAddr {
        var start = 0
        if plink != 0 {
            guard let index = vlinkIndex(plink) else { return 0 }
            start = index + 1
        }
        for index in start..<max(start, vlinkCount) {
            if name == nil || repo.loadCString(vlinkOffset(index) + V.name, limit: NK_DEV_VLINK_NAME_LIMIT) == name {
                return vlinkAddress(index)
            }
        }
        return 0
    }
}
