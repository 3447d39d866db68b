// SPDX-License-Identifier: Apache-2.0
import DeviceTree

/// A node under `/vlm/vm@<id>/vdevs`, read but not yet paired.
struct EndNode {
    let vmID: Int
    let node: Node
    /// The first `compatible` string: the vlink name when this is a server end.
    var compatible: String?
    /// `server;` was written.
    var saysServer = false
    /// `client;` was written.
    var saysClient = false
    /// `peer-phandle` was written (valid or not): this end refers to a server.
    var hasPeerPhandle = false
    /// `info`, its strings run together; empty when absent.
    var info = ""
    /// `link = <N>;`.
    var link: Int?
    /// `#clone`: nil absent, `.max` for `"auto"`, else the number of server end points.
    var clone: Int?

    init(vmID: Int, node: Node) {
        self.vmID = vmID
        self.node = node
    }

    var end: VlinkEnd { VlinkEnd(nodePath: node.path, nodeName: node.name, location: node.location) }
}

extension VlinkReader {
    /// Every child of every `vdevs` node of every VM, in tree order.
    mutating func collectEnds(_ vms: [VMNode]) -> [EndNode] {
        var ends: [EndNode] = []
        for vm in vms {
            for vdevs in vm.node.children where vdevs.baseName == "vdevs" {
                for node in vdevs.children { ends.append(read(node, in: vm.id)) }
            }
        }
        return ends
    }

    private mutating func read(_ node: Node, in vmID: Int) -> EndNode {
        var end = EndNode(vmID: vmID, node: node)
        end.saysServer = node.property(named: "server") != nil
        end.saysClient = node.property(named: "client") != nil
        end.hasPeerPhandle = node.property(named: "peer-phandle") != nil
        end.compatible = compatible(node)
        end.info = info(node)
        end.link = link(node)
        end.clone = clone(node)
        if end.saysServer && end.saysClient {
            diagnostics.error("a vlink end is either server; or client;, not both", at: node, property: "client")
        }
        if node.property(named: "peer-handle") != nil {
            diagnostics.warning(
                "unknown property peer-handle; did you mean peer-phandle?", at: node, property: "peer-handle")
        }
        return end
    }

    private mutating func compatible(_ node: Node) -> String? {
        guard let property = node.property(named: "compatible") else { return nil }
        guard let first = property.stringList?.first, !first.isEmpty else {
            diagnostics.error("compatible must be a string (the vlink name)", at: node, property: "compatible")
            return nil
        }
        return first
    }

    private mutating func info(_ node: Node) -> String {
        guard let property = node.property(named: "info"), !property.value.isEmpty else { return "" }
        guard let text = property.joinedString else {
            diagnostics.error("info must be a string or a list of strings", at: node, property: "info")
            return ""
        }
        return text
    }

    private mutating func link(_ node: Node) -> Int? {
        guard let property = node.property(named: "link") else { return nil }
        guard let cell = property.singleCell, cell <= Int32.max else {
            diagnostics.error("link must be one cell holding the link number (<0>)", at: node, property: "link")
            return nil
        }
        return Int(cell)
    }

    private mutating func clone(_ node: Node) -> Int? {
        guard let property = node.property(named: "#clone") else { return nil }
        if property.value.string == "auto" { return .max }
        if let cell = property.singleCell, cell > 0, cell <= Int32.max,
            property.value.string == nil || property.isWrittenAsCells
        {
            return Int(cell)
        }
        diagnostics.error(
            "#clone must be \"auto\" or a number of server end points (<2>)", at: node, property: "#clone")
        return nil
    }
}
