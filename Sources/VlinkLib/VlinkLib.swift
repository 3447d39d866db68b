// SPDX-License-Identifier: Apache-2.0
public import Platform

// VLINK_LIB(4D), the vlink wrapper library (manual lines 8845–9635): the
// driver kit every vlink-based vdriver of vlm is written on. This file holds
// its vocabulary: return codes, driver types, driver, vlink and session states,
// and the operation indices. `VlinkDrv.swift`, `Vlink.swift` and
// `VlinkSession.swift` hold the primitives, under the manual's names.

/// The manual's return codes: 0 or a negative errno (lines 9113–9119, 9167, 9281–9291, 9379).
public enum VlinkReturn {
    /// Success.
    public static let ok: Int32 = 0
    /// `-ENOMEM`: "There are no more resources to perform the requested operation".
    public static let ENOMEM: Int32 = -12
    /// `-EINVAL`: a symmetric vlink whose client or server cannot be retrieved
    /// (line 9117); vlm also answers it for a primitive called in the wrong driver state.
    public static let EINVAL: Int32 = -22
    /// `-ENXIO`: the vlink is `VLINK_CLEAN`, or `vlink_drv_shutdown` was called (line 9285).
    public static let ENXIO: Int32 = -6
    /// `-EAGAIN`: an operation callback that cannot act now (a RESET op that holds
    /// the reset until the driver is ready: a vlm decision, see docs/decisions.md).
    public static let EAGAIN: Int32 = -11
}

/// `VlinkDrv.flags`: which ends of the vlinks called `name` the driver serves
/// (lines 8912–8924). The manual gives three types and no values; they are bits
/// here, so a driver that serves server and client ends without pairing them
/// (vpipe) says `[.server, .client]`.
public struct VlinkDrvType: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `VLINK_DRV_TYPE_SERVER`: the vlinks whose `s_id` is this VM.
    public static let server = VlinkDrvType(rawValue: 1 << 0)
    /// `VLINK_DRV_TYPE_CLIENT`: the vlinks whose `c_id` is this VM.
    public static let client = VlinkDrvType(rawValue: 1 << 1)
    /// `VLINK_DRV_TYPE_SYMMETRIC`: both, each server end paired with the client
    /// end of the reverse vlink (`sym_vlink`, line 9002).
    public static let symmetric = VlinkDrvType(rawValue: 1 << 2)
    /// vlm: the vlinks stay down after `vlink_drv_startup` until the driver starts
    /// each one (`Vlink.start()`), as a pipe does on its first open.
    public static let onDemand = VlinkDrvType(rawValue: 1 << 8)
}

/// `VlinkDrv.state` (lines 8932–8948).
public enum VlinkDrvState: Sendable, Hashable {
    /// Filled by the driver, not probed yet (vlm: the manual names no initial state).
    case initial
    /// `VLINK_DRV_PROBED`: `vlink_drv_probe` succeeded.
    case probed
    /// `VLINK_DRV_STARTED`: `vlink_drv_startup` ended, even if some vlinks failed their init.
    case started
    /// `VLINK_DRV_STOPPED`: `vlink_drv_shutdown` ended.
    case stopped
    /// `VLINK_DRV_CLEAN`: `vlink_drv_cleanup` ended.
    case clean
}

/// `Vlink.state`, the library's state of one vlink (lines 9010, 9047).
public enum VlinkLibState: Sendable, Hashable {
    /// `VLINK_CLEAN`: not initialised (its `vlink_init` failed) or cleaned up.
    case clean
    /// `VLINK_STOPPED`: initialised, not communicating.
    case stopped
    /// `VLINK_UP`: both ends `NK_DEV_VLINK_ON`.
    case up
}

/// `state_target`: where the library drives the vlink.
public enum VlinkTarget: Sendable, Hashable {
    /// Towards `VLINK_UP` (RESET, then ON once the peer is there).
    case up
    /// `VLINK_STOPPED`: my end `NK_DEV_VLINK_OFF`.
    case stopped
}

/// The operation indices of `vlink_op_register` (lines 9336–9358).
public enum VlinkOpIndex: Int, Sendable, CaseIterable {
    /// `VLINK_OP_RESET`: my end goes OFF→RESET; reset my shared variables. A
    /// non-zero return holds the reset (my end stays OFF) until the next settle.
    case reset = 0
    /// `VLINK_OP_START`: my end goes RESET→ON.
    case start = 1
    /// `VLINK_OP_ABORT`: the peer left while I was ON; runs before my end goes OFF,
    /// so the peer cannot have reset its variables yet.
    case abort = 2
    /// `VLINK_OP_STOP`: the driver stops the vlink (`vlink_drv_shutdown`, a last close).
    case stop = 3
    /// `VLINK_OP_CLEANUP`: `vlink_drv_cleanup`.
    case cleanup = 4
    /// `VLINK_OP_UP`: both ends are ON.
    case up = 5
}

/// `VLINK_OP_NR`.
public let VLINK_OP_NR = VlinkOpIndex.allCases.count

/// `typedef int (*VlinkOp)(struct Vlink* vlink, void* cookie)` (line 9372).
public typealias VlinkOp = @Sendable (_ vlink: Vlink, _ cookie: (any Sendable)?) -> Int32

/// `typedef struct VlinkOpDesc { unsigned int idx; VlinkOp op; }` (lines 9405–9410).
public struct VlinkOpDesc: Sendable {
    public var idx: VlinkOpIndex
    public var op: VlinkOp

    public init(_ idx: VlinkOpIndex, _ op: @escaping VlinkOp) {
        self.idx = idx
        self.op = op
    }
}

/// The session states (lines 9035–9045).
public enum VlinkSessionState: Sendable, Hashable {
    /// `VLINK_SESSION_NEW`: created, the vlink not up yet.
    case new
    /// `VLINK_SESSION_ALIVE`: the vlink is `VLINK_UP`.
    case alive
    /// `VLINK_SESSION_ABORTED`: the vlink went down (peer OFF, or stopped).
    case aborted
}

/// `typedef int (*VlinkSessionOp)(struct VlinkSession* session)` (line 9020).
public typealias VlinkSessionOp = @Sendable (_ session: VlinkSession) -> Int32

/// The vlink numbers a driver found for one VM, by `nk_vlink_lookup` order.
extension NKDDI {
    /// Every vlink called `name`, in `nk_vlink_lookup` order.
    public func vlinks(named name: String) -> [NkPhAddr] {
        var all: [NkPhAddr] = []
        var plink = nk_vlink_lookup(name, 0)
        while plink != 0 {
            all.append(plink)
            plink = nk_vlink_lookup(name, plink)
        }
        return all
    }
}
