// SPDX-License-Identifier: Apache-2.0
import Platform
import VlinkLib

/// `vrpc_size_t`: a size in bytes of the RPC data buffer.
public typealias vrpc_size_t = UInt32

/// `vrpc_call_t`, the server's routine (undefined in the manual, line 11196):
/// called with the request's size in the data buffer, it leaves the response
/// there and returns its size.
public typealias vrpc_call_t = @Sendable (_ cookie: (any Sendable)?, _ size: vrpc_size_t) -> vrpc_size_t

/// `vrpc_ready_t`, the client's callback when the server side is ready (line 11220).
public typealias vrpc_ready_t = @Sendable (_ cookie: (any Sendable)?) -> Void

/// The return codes of VRPC (lines 11205, 11230, 11268, 11292).
public enum VrpcReturn {
    public static let ok: Int32 = 0
    /// `-EAGAIN`: the call was aborted (the peer went away).
    public static let EAGAIN: Int32 = -11
    /// `-EFAULT`: anything else (no such endpoint state, a response size the buffer cannot hold).
    public static let EFAULT: Int32 = -14
    /// `-ETIMEDOUT`: `vrpc_call_busy` ran out of time.
    public static let ETIMEDOUT: Int32 = -110
}

/// The `info` of a vrpc vlink: `"<name>[,<pmem size>]"` on the server,
/// `"<name>"` on the client (VION, lines 8700 and 8718; the VRPC page gives no
/// grammar). The size is the RPC data buffer's, 4 KiB when absent or unreadable.
public struct VrpcInfo: Sendable, Equatable {
    /// Without a size, the data buffer has 4 KiB (the manual gives no default).
    public static let defaultSize = 4096
    /// The largest data buffer vlm accepts: 16 MiB.
    public static let maximumSize = 16 << 20

    public var name: String
    public var size: Int

    public init(_ info: String) {
        let fields = info.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
        name = String(fields.first ?? "")
        size = Self.defaultSize
        if fields.count == 2, let value = Int(String(fields[1].filter { $0 != " " })), value > 0,
            value <= Self.maximumSize
        {
            size = value
        }
    }
}

/// The shared block of one vrpc vlink, `nk_pmem_alloc(plink, 0, 64 + size)`:
/// a header of 32-bit words, then the data buffer (a vlm layout: the manual
/// names `vrpc_pmem_t` without fields).
///
/// | offset | word      | written by | meaning                                  |
/// |--------|-----------|------------|------------------------------------------|
/// | 0      | `request` | client     | number of the last request placed         |
/// | 4      | `reqSize` | client     | its size                                  |
/// | 8      | `reply`   | server     | number of the last request answered       |
/// | 12     | `repSize` | server     | the response's size                       |
/// | 64     | data      | both       | request, then response, in place          |
///
/// The client writes the data, then `reqSize`, then `request` (releasing);
/// the server reads `request` (acquiring), then the rest; the same the other
/// way for the reply. Every size read from the block is checked against the
/// buffer's size before use: a peer's garbage is refused, never followed.
struct VrpcBlock: Sendable {
    static let header = 64
    static let request = 0, reqSize = 4, reply = 8, repSize = 12

    let base: SharedPointer
    let size: Int

    func load(_ word: Int) -> UInt32 { base.advanced(by: word).load32() }
    func store(_ word: Int, _ value: UInt32) { base.advanced(by: word).store32(value) }
    var data: SharedPointer { base.advanced(by: Self.header) }

    /// Zeroes the header words (a RESET of either end).
    func reset() {
        for word in [Self.request, Self.reqSize, Self.reply, Self.repSize] { store(word, 0) }
    }

    /// Maps the block of `endpoint`'s vlink; nil when the pool or the map refuse.
    static func map(_ endpoint: VlinkEndpoint, size: Int) -> VrpcBlock? {
        let nkddi = endpoint.nkddi
        let bytes = NkPhSize(header + size)
        let paddr = nkddi.nk_pmem_alloc(endpoint.plink, 0, bytes)
        guard paddr != 0 else { return nil }
        let vaddr = nkddi.nk_mem_map(paddr, bytes)
        guard vaddr != 0, let base = nkddi.pointer(vaddr) else { return nil }
        return VrpcBlock(base: base, size: size)
    }
}
