// SPDX-License-Identifier: Apache-2.0
import Platform

/// How `vlink_drv_probe` picks this VM's ends (the manual only says it is
/// "based on the NKDDI nk_vlink_lookup primitive", line 9083; the rules below
/// are in docs/decisions.md, "Driver kit").
enum VlinkProbe {
    struct Found {
        var vlinks: [Vlink] = []
        var unpaired: [VlinkEndpoint] = []
    }

    /// Every vlink called `name`, in lookup order: a server end where this VM is
    /// `s_id` (for a server driver), else a client end where it is `c_id` (for a
    /// client driver). A symmetric driver pairs each server end with the client
    /// end of the reverse vlink instead (`pairs`).
    static func find(name: String, flags: VlinkDrvType, nkddi: NKDDI) -> Found {
        let plinks = nkddi.vlinks(named: name)
        if flags.contains(.symmetric) { return pairs(plinks, nkddi: nkddi) }
        var found = Found()
        var units = (servers: 0, clients: 0)
        for plink in plinks {
            if flags.contains(.server), let end = VlinkEndpoint(nkddi: nkddi, plink: plink), end.isServer {
                found.vlinks.append(Vlink(endpoint: end, unit: units.servers))
                units.servers += 1
            } else if flags.contains(.client), let end = VlinkEndpoint(nkddi: nkddi, plink: plink, preferServer: false),
                !end.isServer
            {
                found.vlinks.append(Vlink(endpoint: end, unit: units.clients))
                units.clients += 1
            }
        }
        return found
    }

    /// Symmetric ends (line 9002): for every vlink this VM serves, the client end
    /// of its reverse — same link number, swapped ids, another record (which
    /// matters when both ends are this VM). Ends left without a partner are
    /// `unpaired`. Order: each server end followed by its partner.
    static func pairs(_ plinks: [NkPhAddr], nkddi: NKDDI) -> Found {
        let servers = plinks.compactMap { VlinkEndpoint(nkddi: nkddi, plink: $0) }.filter(\.isServer)
        let clients = plinks.compactMap { VlinkEndpoint(nkddi: nkddi, plink: $0, preferServer: false) }.filter {
            !$0.isServer
        }
        var found = Found()
        var used = Set<NkPhAddr>()
        for server in servers {
            let record = server.record
            guard
                let client = clients.first(where: {
                    $0.plink != server.plink && $0.record.s_id == record.c_id && $0.record.c_id == record.s_id
                        && $0.record.link == record.link
                })
            else {
                found.unpaired.append(server)
                continue
            }
            used.insert(client.plink)
            let unit = found.vlinks.count / 2
            let (s, c) = (Vlink(endpoint: server, unit: unit), Vlink(endpoint: client, unit: unit))
            s.attachSymmetric(c)
            c.attachSymmetric(s)
            found.vlinks += [s, c]
        }
        found.unpaired += clients.filter { !used.contains($0.plink) }
        return found
    }
}
