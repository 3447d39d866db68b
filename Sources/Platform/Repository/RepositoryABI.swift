// SPDX-License-Identifier: Apache-2.0
//
// The shared-memory ABI of the repository. Every VM process maps two POSIX
// shared-memory objects read-write: the repository ("PDEV") and the PMEM pool.
// All integers are little-endian; offsets are bytes from the start of a region.
//
// "Physical" addresses are `base + offset`, the same in every VM:
//   repository (PDEV)  NK_PDEV_PHYS_BASE = 0x4000_0000
//   PMEM pool          NK_PMEM_PHYS_BASE = 0x8000_0000
// Both stay below 4 GiB so `s_info` / `c_info` (nku32_f) can hold them.
//
// Repository region
//   0x0000  Header (4096 bytes)
//     +0   u64 magic "VLMREPO\0"          +8   u32 ABI version (2)
//     +12  u32 NK_OS_LIMIT (32)            +16  u64 region size
//     +24  u64 PMEM pool size              +32  u32 vlink count
//     +36  u32 label capacity              +40  u32 label count (published, release)
//     +44  u32 property count              +48  u32 allocator lock (0 | owner VM id)
//     +52  u32 last VM id                  +56  u64 PDEV heap top (next free offset)
//     +64  u64 PMEM top (next free offset) +72  u64 vlink table offset
//     +80  u64 vlink extension offset      +88  u64 label table offset
//     +96  u64 property table offset       +104 u64 VM table offset
//     +112 u64 PDEV heap start             +120 u64 PDEV heap end
//     +128 u32 balloon host (0: disabled)  +132 u32 balloon base PFN
//     +136 u32 balloon size (pages)        +140 u32 balloon VM mask
//     +144 u64 balloon owner table offset (u32 owner per page, 0 = free)
//     +152 u64 event-log filter, complemented (bit i set ⇔ EventLog.names[i]
//          filtered out; 0 after formatting = every event selected; CAS)
//     +160 u64 event-log next sequence number (claimed by CAS)
//     +1024 event-log ring: 96 × 32-byte records (manual line 13608), slot =
//          sequence % 96: +0 u64 timestamp (hypervisor ticks, 1 GHz)
//          +8 u32 commit (sequence + 1, stored last; 0 while being written)
//          +12 u32 target VM +16 u32 argument (xirq, hypercall number)
//          +20 u64 reserved (payload = +8..+28) +28 u8 cpu +29 u8 VM id
//          +30 u8 vcpu (0) +31 u8 event type (index in EventLog.names)
//   vlink table: count × NkDevVlink (56 bytes, the manual's struct, line 4180):
//     +0 name[16] +16 link +20 s_id +24 s_state +28 s_info +32 c_id
//     +36 c_state +40 c_info +44 pad0 +48 pad1(u64)
//     in repository order (PlatformSpec order); `nk_vlink_lookup` walks it.
//   vlink extension: count × 16 bytes: +0 server-end handshake xirq,
//     +4 client-end handshake xirq (0 = no nk_sysconf_attach on that end).
//   label table: capacity × 48-byte resource labels (immutable once published):
//     +0 u32 type (1 PDEV, 2 PMEM, 3 PXIRQ) +4 u32 id +8 u64 vlink paddr
//     +16 u64 size (PDEV/PMEM) or osid (PXIRQ) +24 u64 paddr or first xirq
//     +32 u32 count (PXIRQ nb) +36 u32 allocating VM
//   property table: count × 128 bytes:
//     +0 name[64] +64 u32 max size +68 u32 current size +72 u32 get mask
//     +76 u32 set mask +80 u32 notify mask +84 u32 sequence (PropertySequence:
//     bit 0 = update in progress → NK_PROP_BUSY, bits 1–5 = the writing VM's
//     id while in progress (0 when idle), bits 6–31 = updates completed; a
//     writer claims with one CAS even → odd-with-its-id, stores the value and
//     size, then stores the next even word; the supervisor closes the update
//     of a VM it reaped by that id) +88 u64 value offset +96 u32 kind (0 value,
//     1 nk.vm.<id>.state.running, 2 …paused, 3 nk.memory.pmem.used, 4 …free:
//     computed from live state) +100 u32 kind argument (VM id)
//   VM table: NK_OS_LIMIT × 16384-byte entries, indexed by VM id:
//     +0 u32 present +4 u32 running word (bit 0 state, upper bits count
//     transitions) +8 u32 paused word (same) +12 u32 xirq_free
//     +16 u32 console write lock +20 u32 console input head +24 u32 input tail
//     +28 u32 restarts +32 u64 console ordinal (next char) +40 u64 boot ordinal
//     +48 u32 console watchers (bit w: VM w has a reader blocked on this
//     console; set by the watcher, taken (RMW → 0) by the supervisor after the
//     output it streams, which rings those VMs' console doorbells)
//     +64 pending[32] u32  +192 enabled[32] u32  +320 console input ring[256]
//     +576 affinity[1024] u32  +4672 console history ring[8192]
//   PDEV heap: info strings, property values, then nk_pdev_alloc blocks.
//
// PMEM pool region: page-aligned blocks handed out by nk_pmem_alloc, bottom up.

/// Physical base of the repository (PDEV) region.
public let NK_PDEV_PHYS_BASE: NkPhAddr = 0x4000_0000
/// Physical base of the PMEM pool region.
public let NK_PMEM_PHYS_BASE: NkPhAddr = 0x8000_0000
/// Page size of PMEM allocations.
public let NK_PAGE_SIZE: UInt64 = 4096

/// Byte offsets of the repository ABI (see the header comment of this file).
public enum RepositoryABI {
    public static let magic: UInt64 = 0x004f_5045_524d_4c56  // "VLMREPO\0"
    public static let version: UInt32 = 2
    public static let headerSize = 4096

    public enum Header {
        public static let magic = 0, version = 8, osLimit = 12, regionSize = 16, pmemSize = 24
        public static let vlinkCount = 32, labelCapacity = 36, labelCount = 40, propertyCount = 44
        public static let allocLock = 48, lastID = 52, pdevTop = 56, pmemTop = 64
        public static let vlinkTable = 72, vlinkExt = 80, labelTable = 88, propertyTable = 96
        public static let vmTable = 104, pdevHeapStart = 112, pdevHeapEnd = 120
        public static let balloonHost = 128, balloonBasePFN = 132, balloonPages = 136
        public static let balloonVMs = 140, balloonOwners = 144
        public static let eventFilterCleared = 152, eventNext = 160
    }

    /// The shared event log in the header (see the header comment).
    public enum EventLog {
        public static let ring = 1024, capacity = 96, recordSize = 32
        public static let timestamp = 0, commit = 8, target = 12, argument = 16, cpu = 28
        public static let allEvents: UInt64 = (1 << 49) - 1
        /// The size of `nk.event-log.filter`: 160 bits (manual line 13521).
        public static let filterBytes = 20
    }

    /// `NkDevVlink` field offsets (manual line 4180).
    public enum Vlink {
        public static let size = 56
        public static let name = 0, link = 16, sID = 20, sState = 24, sInfo = 28
        public static let cID = 32, cState = 36, cInfo = 40
    }

    public enum VlinkExt {
        public static let size = 16, serverXirq = 0, clientXirq = 4
    }

    public enum Label {
        public static let size = 48
        public static let type = 0, id = 4, vlink = 8, sizeOrOsid = 16, result = 24, count = 32, owner = 36
        public static let pdev: UInt32 = 1, pmem: UInt32 = 2, pxirq: UInt32 = 3
    }

    public enum Property {
        public static let size = 128, nameLimit = 64
        public static let name = 0, maxSize = 64, curSize = 68, getMask = 72, setMask = 76
        public static let notifyMask = 80, sequence = 84, valueOffset = 88, kind = 96, kindArg = 100
        public static let plain: UInt32 = 0, vmRunning: UInt32 = 1, vmPaused: UInt32 = 2
        public static let pmemUsed: UInt32 = 3, pmemFree: UInt32 = 4
        public static let heapUsed: UInt32 = 5, heapFree: UInt32 = 6, cpusOnline: UInt32 = 7
        public static let eventFilter: UInt32 = 8
    }

    public enum VM {
        public static let size = 16384
        public static let present = 0, running = 4, paused = 8, xirqFree = 12
        public static let consLock = 16, inHead = 20, inTail = 24, restarts = 28
        public static let consOrdinal = 32, bootOrdinal = 40, consWatchers = 48
        public static let pending = 64, enabled = 192, inRing = 320, inRingSize = 256
        public static let affinity = 576, history = 4672, historySize = 8192
    }
}
