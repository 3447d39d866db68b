// SPDX-License-Identifier: Apache-2.0
public import Platform
import Synchronization

/// `VlinkDrv` (manual lines 8871–8956): a vlink driver of one VM, filled in by
/// the driver (name, callbacks, type) and moved by the library through
/// `vlink_drv_probe` → `vlink_drv_startup` → `vlink_drv_shutdown` →
/// `vlink_drv_cleanup`.
public final class VlinkDrv: Sendable {
    /// `typedef int (*VlinkDrvInit)(struct VlinkDrv*)`.
    public typealias Init = @Sendable (VlinkDrv) -> Int32
    /// `typedef void (*VlinkDrvCleanup)(struct VlinkDrv*)`.
    public typealias Cleanup = @Sendable (VlinkDrv) -> Void
    /// `typedef int (*VlinkInit)(struct Vlink*)`.
    public typealias VlinkInit = @Sendable (Vlink) -> Int32
    /// vlm: what the driver does after the library settled every vlink on
    /// `NK_XIRQ_SYSCONF` (the work of the manual's per-vlink event thread that
    /// is the driver's: serve requests that wait for the peer, wake pollers).
    public typealias Event = @Sendable (VlinkDrv) -> Void

    struct Core {
        var state: VlinkDrvState = .initial
        var vlinks: [Vlink] = []
        var unpaired: [VlinkEndpoint] = []
        var nrServers = 0
        var nrClients = 0
        var sysconfId: NkXIrqId = 0
    }

    /// `name`: the vlink name (`compatible`) the driver serves.
    public let name: String
    /// `flags`: which ends it serves.
    public let flags: VlinkDrvType
    /// The VM's NKDDI.
    public let nkddi: NKDDI
    private let initCallback: Init
    private let cleanupCallback: Cleanup
    private let vlinkInit: VlinkInit
    private let event: Event?
    /// `private`: the driver's data.
    public var `private`: (any Sendable)? {
        get { privateData.withLock { $0 } }
        set { privateData.withLock { $0 = newValue } }
    }
    private let privateData = Mutex<(any Sendable)?>(nil)
    private let core = Mutex(Core())

    /// A driver descriptor; every callback is mandatory, as in the manual (line 9080).
    public init(
        name: String, flags: VlinkDrvType, nkddi: NKDDI, init: @escaping Init = { _ in 0 },
        cleanup: @escaping Cleanup = { _ in }, vlink_init: @escaping VlinkInit, event: Event? = nil
    ) {
        self.name = name
        self.flags = flags
        self.nkddi = nkddi
        self.initCallback = `init`
        self.cleanupCallback = cleanup
        self.vlinkInit = vlink_init
        self.event = event
    }

    /// `state`.
    public var state: VlinkDrvState { core.withLock { $0.state } }
    /// `vlinks`: this VM's ends, in probe order (a symmetric server end, then its partner).
    public var vlinks: [Vlink] { core.withLock { $0.vlinks } }
    /// Ends a symmetric probe could not pair (why it returned `-EINVAL`).
    public var unpaired: [VlinkEndpoint] { core.withLock { $0.unpaired } }
    /// `nr_servers`.
    public var nr_servers: Int { core.withLock { $0.nrServers } }
    /// `nr_clients`.
    public var nr_clients: Int { core.withLock { $0.nrClients } }
    /// `nr_units` (line 8926): servers for a server or symmetric driver, clients
    /// for a client driver, both for a driver that serves both unpaired.
    public var nr_units: Int {
        core.withLock { c in
            if flags.contains(.symmetric) { return c.nrServers }
            return (flags.contains(.server) ? c.nrServers : 0) + (flags.contains(.client) ? c.nrClients : 0)
        }
    }
    /// `sysconf_id`: the `NK_XIRQ_SYSCONF` handler's attach id, 0 when not attached.
    public var sysconf_id: NkXIrqId { core.withLock { $0.sysconfId } }
}

extension VlinkDrv {
    // MARK: vlink_drv_probe (lines 9070–9125)

    /// Finds this VM's ends of every vlink called `name` (`nk_vlink_lookup`
    /// order), creates their `Vlink`s and pairs symmetric ones. 0 and
    /// `VLINK_DRV_PROBED`; `-EINVAL` when a symmetric end has no partner (the
    /// paired ones are kept, the others are in `unpaired`) or when called twice.
    public func vlink_drv_probe() -> Int32 {
        let found = VlinkProbe.find(name: name, flags: flags, nkddi: nkddi)
        return core.withLock { c in
            guard c.state == .initial else { return VlinkReturn.EINVAL }
            c.vlinks = found.vlinks
            c.unpaired = found.unpaired
            c.nrServers = found.vlinks.count { $0.server }
            c.nrClients = found.vlinks.count { !$0.server }
            c.state = .probed
            return found.unpaired.isEmpty ? VlinkReturn.ok : VlinkReturn.EINVAL
        }
    }

    // MARK: vlink_drv_startup (lines 9130–9180)

    /// Calls `init`, then `vlink_init` for every vlink (a vlink whose init fails
    /// stays `VLINK_CLEAN`, the others are `VLINK_STOPPED`), attaches the
    /// `NK_XIRQ_SYSCONF` handler and, unless the driver is `onDemand`, starts
    /// every initialised vlink. `VLINK_DRV_STARTED` even when some vlink failed;
    /// `init`'s error aborts at once and is returned.
    public func vlink_drv_startup() -> Int32 {
        guard state == .probed else { return VlinkReturn.EINVAL }
        let result = initCallback(self)
        guard result == 0 else { return result }
        let vlinks = self.vlinks
        for vlink in vlinks { vlink.initialised(vlinkInit(vlink) == 0) }
        // The handler holds the driver: a started driver lives until its cleanup detaches it.
        let id = nkddi.nk_xirq_attach(NK_XIRQ_SYSCONF, { _, _ in self.sysconf() }, nil)
        core.withLock { c in
            c.sysconfId = id
            c.state = .started
        }
        if !flags.contains(.onDemand) {
            Vlink.announce(vlinks.filter { $0.start() })
        }
        return VlinkReturn.ok
    }

    /// `NK_XIRQ_SYSCONF`: a peer changed its state word; every vlink re-runs the
    /// handshake, then the driver's `event`.
    func sysconf() {
        let vlinks = self.vlinks
        Vlink.announce(vlinks.filter { $0.settle() })
        event?(self)
    }

    // MARK: vlink_drv_shutdown, vlink_drv_cleanup (lines 9185–9240)

    /// Every vlink's target is `VLINK_STOPPED`: STOP runs, my ends go OFF and the
    /// peers get `NK_XIRQ_SYSCONF`. Always returns 0.
    @discardableResult
    public func vlink_drv_shutdown() -> Int32 {
        let vlinks = self.vlinks
        Vlink.announce(vlinks.filter { $0.shutdown() })
        core.withLock { $0.state = .stopped }
        return VlinkReturn.ok
    }

    /// Detaches the SYSCONF handler, runs CLEANUP on every vlink (now
    /// `VLINK_CLEAN`), then the driver's `cleanup`. `VLINK_DRV_CLEAN`.
    public func vlink_drv_cleanup() {
        let id = core.withLock { c in
            defer { c.sysconfId = 0 }
            return c.sysconfId
        }
        if id != 0 { nkddi.nk_xirq_detach(id) }
        for vlink in vlinks { vlink.cleanup() }
        cleanupCallback(self)
        core.withLock { $0.state = .clean }
    }
}
