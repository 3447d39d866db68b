// SPDX-License-Identifier: Apache-2.0
import DeviceTree

/// The vlinks that share one link number: one vlink, or both halves of a symmetric pair.
struct Channel {
    var name: String
    /// The number written in the tree, or nil to assign one.
    var link: Int?
    /// The node whose `link` property gave ``link``.
    var linkNode: Node?
    /// The vlinks, their `link` still to be filled in.
    var vlinks: [VlinkSpec]
}

extension VlinkReader {
    /// The channel between `server` and its `cloneIndex`-th client.
    mutating func channel(_ name: String, server: EndNode, client: EndNode, cloneIndex: Int) -> Channel {
        if client.saysServer {
            diagnostics.error(
                "an end with peer-phandle is the client end; remove server;", at: client.node, property: "server")
        }
        if let other = client.compatible, other != name {
            diagnostics.warning(
                "compatible \"\(other)\" differs from the server's \"\(name)\"; the vlink is named \"\(name)\"",
                at: client.node, property: "compatible")
        }
        let symmetric = !server.saysServer && !client.saysClient && !client.saysServer
        var vlinks = [
            VlinkSpec(
                name: name, link: 0, serverID: server.vmID, clientID: client.vmID, serverInfo: server.info,
                clientInfo: client.info, server: server.end, client: client.end, isSymmetric: symmetric,
                cloneIndex: cloneIndex)
        ]
        if symmetric {
            // The other direction: the referring node serves, the referred one is its client.
            vlinks.append(
                VlinkSpec(
                    name: name, link: 0, serverID: client.vmID, clientID: server.vmID, serverInfo: client.info,
                    clientInfo: server.info, server: client.end, client: server.end, isSymmetric: true,
                    cloneIndex: cloneIndex))
        }
        let (link, linkNode) = linkNumber(server: server, client: client, cloneIndex: cloneIndex)
        return Channel(name: name, link: link, linkNode: linkNode, vlinks: vlinks)
    }

    /// The server's `link` numbers its first client's vlink; a client's own `link` numbers its vlink.
    private mutating func linkNumber(server: EndNode, client: EndNode, cloneIndex: Int) -> (Int?, Node?) {
        let fromServer = cloneIndex == 0 ? server.link : nil
        switch (fromServer, client.link) {
        case (let s?, let c?) where s != c:
            diagnostics.error("link <\(c)> differs from the server's link <\(s)>", at: client.node, property: "link")
            return (s, server.node)
        case (let s?, _):
            return (s, server.node)
        case (nil, let c?):
            return (c, client.node)
        case (nil, nil):
            return (nil, nil)
        }
    }
}

/// Gives every channel its link number: the written ones first, each unique per
/// vlink name; then, in repository order, the smallest number still free for
/// that name.
struct LinkNumbering {
    var diagnostics: BuildDiagnostics

    mutating func assign(_ channels: [Channel]) -> [VlinkSpec] {
        var channels = channels
        var used: [String: [Int: Channel]] = [:]
        for index in channels.indices {
            let channel = channels[index]
            guard let link = channel.link else { continue }
            if let first = used[channel.name]?[link], let node = channel.linkNode {
                let owner = first.vlinks[0].server.nodePath
                diagnostics.error(
                    "vlink \"\(channel.name)\" link \(link) is already used by the vlink of \(owner)",
                    at: node, property: "link")
                continue
            }
            used[channel.name, default: [:]][link] = channel
        }
        for index in channels.indices where channels[index].link == nil {
            let name = channels[index].name
            let link = (0...).first { used[name]?[$0] == nil }!
            channels[index].link = link
            used[name, default: [:]][link] = channels[index]
        }
        return channels.flatMap { channel in
            channel.vlinks.map { vlink in
                var numbered = vlink
                numbered.link = channel.link ?? 0
                return numbered
            }
        }
    }
}
