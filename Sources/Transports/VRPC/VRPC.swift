// SPDX-License-Identifier: Apache-2.0
public import Platform
import Synchronization
import VlinkLib

/// VRPC(4D), the virtual RPC module of one VM (manual lines 11033–11318): every
/// vlink called `vrpc` this VM is an end of, server or client, each with its
/// shared block and two xirqs, found by the name its `info` gives.
///
/// The module is a `VlinkDrv` of type server and client on the driver kit
/// (`onDemand`: an end comes up when it is opened, goes down when it is
/// closed). Id 0 of each vlink's xirqs is the client's (the reply arrived), id 1
/// the server's (a request arrived).
public final class VRPC: Sendable {
    /// The vlink name of every vrpc device.
    public static let vlinkName = "vrpc"

    let drv: VlinkDrv
    /// Every end of this VM, in lookup order.
    public let endpoints: [Vrpc]

    /// Probes and starts the module for `nkddi`'s VM.
    public init(nkddi: NKDDI) {
        drv = VlinkDrv(
            name: Self.vlinkName, flags: [.server, .client, .onDemand], nkddi: nkddi,
            vlink_init: { vlink in Vrpc.initialise(vlink) })
        _ = drv.vlink_drv_probe()
        _ = drv.vlink_drv_startup()
        endpoints = drv.vlinks.compactMap { $0.private as? Vrpc }
    }

    /// `vrpc_server_lookup` (line 11110): the next server end named `name` after
    /// `last` (from the start when nil) that nobody holds, now held; nil when none.
    public func vrpc_server_lookup(_ name: String, _ last: Vrpc? = nil) -> Vrpc? {
        lookup(name, last, server: true)
    }

    /// `vrpc_client_lookup`: the same for client ends (used by VRTC_FE, line
    /// 12143; undocumented in the VRPC page).
    public func vrpc_client_lookup(_ name: String, _ last: Vrpc? = nil) -> Vrpc? {
        lookup(name, last, server: false)
    }

    private func lookup(_ name: String, _ last: Vrpc?, server: Bool) -> Vrpc? {
        var candidates = endpoints[...]
        if let last, let index = endpoints.firstIndex(where: { $0 === last }) {
            candidates = endpoints[(index + 1)...]
        }
        return candidates.first { $0.isServer == server && $0.name == name && $0.hold() }
    }

    /// The VM stops: every end OFF, peers told, calls aborted.
    public func stop() {
        drv.vlink_drv_shutdown()
        drv.vlink_drv_cleanup()
    }
}
