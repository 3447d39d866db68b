// SPDX-License-Identifier: Apache-2.0
public import DeviceTree

/// One `NkDevVlink` of the persistent device repository (manual lines 4177–4202):
/// an asymmetric link from a client VM to a server VM.
///
/// Made from a server node (`compatible` = the vlink name) and a client node
/// whose `peer-phandle` points at it. A pair of nodes with neither `server;` nor
/// `client;` makes two vlinks with the same link number and swapped ends
/// (``isSymmetric``); a server referenced by several clients makes one vlink
/// per client (``cloneIndex``).
public struct VlinkSpec: Sendable, Hashable {
    /// The virtual device class: the server node's first `compatible` string (≤ 15 characters).
    public var name: String
    /// Unique among the vlinks of this name (both halves of a symmetric pair share it).
    public var link: Int
    /// `s_id`: the VM of the server (back-end) end; 1 for the hypervisor.
    public var serverID: Int
    /// `c_id`: the VM of the client (front-end) end.
    public var clientID: Int
    /// `s_info`: the server node's `info`, its strings concatenated; empty when absent.
    public var serverInfo: String
    /// `c_info`: the client node's `info`, its strings concatenated; empty when absent.
    public var clientInfo: String
    /// The server end's node.
    public var server: VlinkEnd
    /// The client end's node.
    public var client: VlinkEnd
    /// One half of a symmetric pair (neither end wrote `server;` nor `client;`).
    public var isSymmetric: Bool
    /// Which client of its server node this vlink serves (0, 1, … in tree order).
    public var cloneIndex: Int

    public init(
        name: String, link: Int, serverID: Int, clientID: Int, serverInfo: String = "", clientInfo: String = "",
        server: VlinkEnd, client: VlinkEnd, isSymmetric: Bool = false, cloneIndex: Int = 0
    ) {
        self.name = name
        self.link = link
        self.serverID = serverID
        self.clientID = clientID
        self.serverInfo = serverInfo
        self.clientInfo = clientInfo
        self.server = server
        self.client = client
        self.isSymmetric = isSymmetric
        self.cloneIndex = cloneIndex
    }

    /// The info this VM's end sees as its own (`s_info` for the server VM, else `c_info`).
    public func info(ofEndIn vmID: Int) -> String { vmID == serverID ? serverInfo : clientInfo }
}

/// A vlink end point: a node under `/vlm/vm@<id>/vdevs`.
public struct VlinkEnd: Sendable, Hashable {
    /// The node's path (`/vlm/vm@2/vdevs/vpipe@0`).
    public var nodePath: String
    /// The node's name (`vpipe@0`).
    public var nodeName: String
    public var location: SourceLocation?

    public init(nodePath: String, nodeName: String, location: SourceLocation? = nil) {
        self.nodePath = nodePath
        self.nodeName = nodeName
        self.location = location
    }
}
