// SPDX-License-Identifier: Apache-2.0
// The NKDDI types and constants, named as in the manual's (3D) pages and in
// `include/nk/nk.h` / `nkdev.h` (see spec/behaviour-reference.md §1.2–1.3).

/// `nku32_f`: a 32-bit unsigned word or bit mask.
public typealias nku32_f = UInt32
/// `nku64_f`: a 64-bit unsigned word.
public typealias nku64_f = UInt64
/// `NkPhAddr`: a "physical" address, the same in every VM (fixed base + region offset).
public typealias NkPhAddr = UInt64
/// `NkPhSize`: a size in bytes.
public typealias NkPhSize = UInt64
/// `NkOsId`: a VM identifier (0 and 1 are the hypervisor's, VMs are 2…31).
public typealias NkOsId = UInt32
/// `NkOsMask`: a bit mask of VM identifiers (bit i ⇔ VM i).
public typealias NkOsMask = UInt32
/// `NkXIrq`: a cross-interrupt number, 0 ..< `NK_XIRQ_LIMIT`.
public typealias NkXIrq = UInt32
/// `NkXIrqId`: the identifier `nk_xirq_attach` returns (0 means failure).
public typealias NkXIrqId = UInt
/// `NkResourceId`: the `id` half of a `(vlink, id)` resource label.
public typealias NkResourceId = UInt32
/// `NkCpuMask`: a virtual-CPU bit mask (`1 << cpu`).
public typealias NkCpuMask = UInt32
/// `NkPropAttr`: property attributes (permissions | name length incl. NUL).
public typealias NkPropAttr = UInt32
/// A process-local "virtual" address (`void*` of the manual): a mapping base plus an offset.
public typealias NkVAddr = UInt

/// `NkXIrqHandler`: `void (*)(void* cookie, NkXIrq xirq)` (manual line 4380).
public typealias NkXIrqHandler = @Sendable (_ cookie: (any Sendable)?, _ xirq: NkXIrq) -> Void

/// Handshake state of a vlink end: driver not ready (manual line 4180).
public let NK_DEV_VLINK_OFF: Int32 = 0
/// Handshake state: local initialisation done.
public let NK_DEV_VLINK_RESET: Int32 = 1
/// Handshake state: ready to communicate.
public let NK_DEV_VLINK_ON: Int32 = 2
/// Size of `NkDevVlink.name`, NUL included.
public let NK_DEV_VLINK_NAME_LIMIT = 16

/// Number of VM ids (`NK_OS_LIMIT`, `nk_f.h`): ids 0 ..< 32.
public let NK_OS_LIMIT: UInt32 = 32
/// Number of xirqs per VM (`32 * 32`), behaviour-reference §1.2.
public let NK_XIRQ_LIMIT: UInt32 = 1024
/// Xirqs below this number stand for hardware interrupts; vlm has none.
public let NK_HW_XIRQ_LIMIT: UInt32 = 32
/// The system (re)configuration xirq (`= NK_HW_XIRQ_LIMIT`, as on ARM).
public let NK_XIRQ_SYSCONF: NkXIrq = NK_HW_XIRQ_LIMIT

/// `nk_prop_*` error: an update is in progress, try again (manual line 3775).
public let NK_PROP_BUSY: Int32 = -1
/// `nk_prop_*` error: the permissions forbid the operation.
public let NK_PROP_PERMISSION: Int32 = -2
/// `nk_prop_*` error: no property of that name.
public let NK_PROP_UNKNOWN: Int32 = -3
/// `nk_prop_*` error: any other error (bad buffer, bad size).
public let NK_PROP_ERROR: Int32 = -4
/// Property attribute: this VM may set the property.
public let NK_PROP_ATTR_SET: NkPropAttr = 1 << 31
/// Property attribute: this VM may get the property.
public let NK_PROP_ATTR_GET: NkPropAttr = 1 << 30
/// Property attribute: this VM is notified when the property changes.
public let NK_PROP_ATTR_NOTIFY: NkPropAttr = 1 << 29
/// Property attribute: mask of the name length (NUL included).
public let NK_PROP_ATTR_NAME_LEN: NkPropAttr = 0xffff

/// `nk_balloon_ctrl` operation: status for the calling VM.
public let NK_BALLOON_STATUS: Int32 = 0
/// `nk_balloon_ctrl` operation: the host VM id.
public let NK_BALLOON_HOST: Int32 = 1
/// `nk_balloon_ctrl` operation: region base, in PFNs.
public let NK_BALLOON_RGN_BASE: Int32 = 2
/// `nk_balloon_ctrl` operation: region size, in PFNs.
public let NK_BALLOON_RGN_SIZE: Int32 = 3
/// `nk_balloon_ctrl` operation: allocate pages.
public let NK_BALLOON_ALLOC: Int32 = 4
/// `nk_balloon_ctrl` operation: free pages.
public let NK_BALLOON_FREE: Int32 = 5
/// `NK_BALLOON_STATUS` result: ballooning is disabled for this VM.
public let NK_BALLOON_DISABLED: UInt32 = 0
/// `NK_BALLOON_STATUS` result: ballooning is enabled for this VM.
public let NK_BALLOON_ENABLED: UInt32 = 1
