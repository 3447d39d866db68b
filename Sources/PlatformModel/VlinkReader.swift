// SPDX-License-Identifier: Apache-2.0
import DeviceTree

/// Pairs vlink end nodes into the vlinks of the repository (DESIGN §1.3):
/// a server node (`compatible` = the vlink name) and each client node whose
/// `peer-phandle` points at it make one vlink; a pair where neither wrote
/// `server;` nor `client;` makes two, with swapped ends.
struct VlinkReader {
    var diagnostics: BuildDiagnostics
    let tree: DeviceTree

    /// The vlinks of the tree, in repository order, with their link numbers.
    mutating func read(_ vms: [VMNode]) -> [VlinkSpec] {
        let ends = collectEnds(vms)
        let clientsOf = pair(ends)
        var channels: [Channel] = []
        for (index, end) in ends.enumerated() where !end.hasPeerPhandle {
            channels += serve(end, clients: (clientsOf[index] ?? []).map { ends[$0] })
        }
        var numbering = LinkNumbering(diagnostics: diagnostics)
        let vlinks = numbering.assign(channels)
        diagnostics = numbering.diagnostics
        return vlinks
    }

    /// For every end that names a server: the server's index → its clients' indices, in tree order.
    private mutating func pair(_ ends: [EndNode]) -> [Int: [Int]] {
        var indexOf: [ObjectIdentifier: Int] = [:]
        for (index, end) in ends.enumerated() { indexOf[ObjectIdentifier(end.node)] = index }
        var clientsOf: [Int: [Int]] = [:]
        for (index, end) in ends.enumerated() {
            guard end.hasPeerPhandle else {
                if end.saysClient {
                    diagnostics.error(
                        "client end without a server: it needs peer-phandle = <&server>;", at: end.node,
                        property: "client")
                }
                continue
            }
            guard let peer = peerNode(of: end.node) else { continue }
            guard let target = indexOf[ObjectIdentifier(peer)] else {
                diagnostics.error(
                    "peer-phandle points at \(peer.path), which is not a vlink end (a node under /vlm/vm@<id>/vdevs)",
                    at: end.node, property: "peer-phandle")
                continue
            }
            if let problem = Self.notServer(ends[target]) {
                diagnostics.error(
                    "peer-phandle points at \(peer.path), \(problem)", at: end.node, property: "peer-phandle")
                continue
            }
            clientsOf[target, default: []].append(index)
        }
        return clientsOf
    }

    /// Why `end` cannot be the server end of a vlink, or nil when it can.
    private static func notServer(_ end: EndNode) -> String? {
        if end.hasPeerPhandle { return "which is itself a client end (it has a peer-phandle)" }
        if end.saysClient { return "which is a client end (client;)" }
        return nil
    }

    private mutating func peerNode(of node: Node) -> Node? {
        guard let phandle = node.property(named: "peer-phandle")?.singleCell else {
            diagnostics.error("peer-phandle must be one phandle (<&label>)", at: node, property: "peer-phandle")
            return nil
        }
        guard let peer = tree.node(withPhandle: phandle) else {
            diagnostics.error("peer-phandle <\(phandle)> points at no node", at: node, property: "peer-phandle")
            return nil
        }
        return peer
    }

    /// The vlinks of one server node and its clients.
    private mutating func serve(_ server: EndNode, clients: [EndNode]) -> [Channel] {
        guard let name = vlinkName(server, hasClients: !clients.isEmpty) else { return [] }
        if let limit = server.clone, clients.count > limit {
            diagnostics.error(
                "\(server.node.path) has #clone = <\(limit)> server end points but \(clients.count) clients refer to it",
                at: clients[limit].node, property: "peer-phandle")
        }
        return clients.enumerated().map { index, client in
            channel(name, server: server, client: client, cloneIndex: index)
        }
    }

    /// The server's vlink name, checked; nil when the node makes no vlink.
    private mutating func vlinkName(_ server: EndNode, hasClients: Bool) -> String? {
        guard let name = server.compatible else {
            if hasClients || server.saysServer {
                diagnostics.error("a vlink server end needs compatible = the vlink name", at: server.node)
            } else if server.node.property(named: "compatible") == nil {
                diagnostics.warning(
                    "neither a vlink server (compatible) nor a client (peer-phandle); ignored", at: server.node)
            }
            return nil
        }
        if name.utf8.count > PlatformLimits.vlinkNameLimit {
            diagnostics.error(
                "vlink name \"\(name)\" is longer than \(PlatformLimits.vlinkNameLimit) characters (NK_DEV_VLINK_NAME_LIMIT)",
                at: server.node, property: "compatible")
            return nil
        }
        if !KnownVlinkNames.contains(name) {
            diagnostics.warning(
                "unknown vlink compatible \"\(name)\": no vdriver of vlm serves it", at: server.node,
                property: "compatible")
        }
        if !hasClients {
            diagnostics.warning(
                "no client refers to this server end (peer-phandle); it makes no vlink", at: server.node)
        }
        return name
    }
}
