// SPDX-License-Identifier: Apache-2.0
public import Platform
import Synchronization
import VlinkLib

/// The VSMQ library of one VM (§7.2): finds the vlinks of a name in each
/// direction and hands out their queues. Each (name, direction) is a
/// `VlinkDrv` on the driver kit: a reception end is the server of its vlink,
/// a transmission end the client (§7.2.4.1–2), so a loop-back vlink gives this
/// VM both. Ends come up at `vsmq_start` (`onDemand`).
public final class VSMQ: Sendable {
    struct Key: Hashable {
        var name: String
        var transmitter: Bool
    }

    let nkddi: NKDDI
    private let drivers = Mutex<[Key: VlinkDrv]>([:])
    private let handles = Mutex<[ObjectIdentifier: (name: String, handle: Vsmq)]>([:])

    public init(nkddi: NKDDI) {
        self.nkddi = nkddi
    }

    private static let modules = Mutex<[ObjectIdentifier: VSMQ]>([:])

    /// The VM's one VSMQ library (VMBOX and the drivers share it: two libraries
    /// on one vlink would both drive its state word).
    public static func module(for nkddi: NKDDI) -> VSMQ {
        modules.withLock { all in
            if let module = all[ObjectIdentifier(nkddi)] { return module }
            let module = VSMQ(nkddi: nkddi)
            all[ObjectIdentifier(nkddi)] = module
            return module
        }
    }

    /// `vsmq_lookup_tx`: the first transmission end of `name`. `(0, nil)` when
    /// there is none; `EINVAL` when `queue_size` is not a power of two (or 0,
    /// or `msg_size` is 0).
    public func vsmq_lookup_tx(_ name: String, _ msg_size: UInt32, _ queue_size: UInt32) -> (Int32, Vsmq?) {
        lookup(name, msg_size, queue_size, transmitter: true, after: nil)
    }

    /// `vsmq_lookup_rx`: the first reception end of `name`.
    public func vsmq_lookup_rx(_ name: String, _ msg_size: UInt32, _ queue_size: UInt32) -> (Int32, Vsmq?) {
        lookup(name, msg_size, queue_size, transmitter: false, after: nil)
    }

    /// `vsmq_lookup_next`: the next end of the same name and direction, with
    /// the same sizes; `(0, nil)` at the end.
    public func vsmq_lookup_next(_ handle: Vsmq) -> (Int32, Vsmq?) {
        lookup(name(of: handle), handle.messageSize, handle.queueSize, transmitter: handle.isTransmitter, after: handle)
    }

    private func lookup(_ name: String, _ size: UInt32, _ count: UInt32, transmitter: Bool, after: Vsmq?) -> (
        Int32, Vsmq?
    ) {
        guard count > 0, count & (count - 1) == 0, size > 0, size <= 1 << 20, count <= 1 << 16 else {
            return (VsmqReturn.EINVAL, nil)
        }
        let vlinks = driver(Key(name: name, transmitter: transmitter)).vlinks
        let start = after.flatMap { handle in vlinks.firstIndex { $0 === handle.vlink } }.map { $0 + 1 } ?? 0
        guard start < vlinks.count else { return (VsmqReturn.ok, nil) }
        let vlink = vlinks[start]
        if let existing = vlink.private as? Vsmq { return (VsmqReturn.ok, existing) }
        let handle = Vsmq(vlink: vlink, messageSize: size, queueSize: count, module: self)
        vlink.private = handle
        handles.withLock { $0[ObjectIdentifier(handle)] = (name, handle) }
        return (VsmqReturn.ok, handle)
    }

    /// The kit's driver of one name and direction, probed and started once.
    private func driver(_ key: Key) -> VlinkDrv {
        drivers.withLock { all in
            if let drv = all[key] { return drv }
            let drv = VlinkDrv(
                name: key.name, flags: [key.transmitter ? .client : .server, .onDemand], nkddi: nkddi,
                vlink_init: { _ in 0 },
                event: { drv in for vlink in drv.vlinks { (vlink.private as? Vsmq)?.sysconf() } })
            _ = drv.vlink_drv_probe()
            _ = drv.vlink_drv_startup()
            all[key] = drv
            return drv
        }
    }

    func name(of handle: Vsmq) -> String {
        handles.withLock { $0[ObjectIdentifier(handle)]?.name ?? "" }
    }

    func forget(_ handle: Vsmq) {
        handle.vlink.private = nil
        handles.withLock { $0[ObjectIdentifier(handle)] = nil }
    }

    /// `/proc/nk/vsmq-<name>-{tx,rx}-<vmid>.<linkid>` of every handle (VSMQ(4D),
    /// lines 12714–12746): file name and text.
    public func procFiles() -> [(name: String, text: String)] {
        handles.withLock { Array($0.values) }.map { entry in
            let h = entry.handle
            let file =
                "vsmq-\(entry.name)-\(h.isTransmitter ? "tx" : "rx")-\(h.vsmq_peer_vmid())."
                + String(h.vsmq_link_id(), radix: 16)
            return (
                file,
                h.stats.text(
                    transmitter: h.isTransmitter, link: h.vlink.endpoint.link, peer: h.vsmq_peer_vmid(),
                    name: entry.name)
            )
        }.sorted { $0.name < $1.name }
    }

    /// The VM stops: every end OFF, peers told.
    public func stop() {
        for drv in drivers.withLock({ Array($0.values) }) {
            drv.vlink_drv_shutdown()
            drv.vlink_drv_cleanup()
        }
    }
}
