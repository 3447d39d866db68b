// SPDX-License-Identifier: Apache-2.0
public import DeviceTree

/// Builds device trees in code, as the compiler would: every node and property
/// gets its own source line (`test.dts:N:1`), so tests can check where a
/// diagnostic points; references get phandles.
///
/// ```swift
/// let t = TreeBuilder()
/// let vdevs2 = t.vm(2)
/// let server = t.node("vpipe@0", in: vdevs2, labels: ["vpipe_0"])
/// t.set("compatible", .string("vpipe"), on: server)
/// ```
public final class TreeBuilder {
    public let tree = DeviceTree()
    public let file: String
    private var nextLine = 1
    private var nextPhandle: UInt32 = 1

    public init(file: String = "test.dts") {
        self.file = file
        tree.root.location = take()
    }

    /// The node at `path`, creating it and any missing parent (each on a new line).
    @discardableResult
    public func node(_ path: String, labels: [String] = []) -> Node {
        var current = tree.root
        for component in path.split(separator: "/") {
            current = current.child(named: String(component)) ?? node(String(component), in: current)
        }
        current.labels += labels
        return current
    }

    /// A new child `name` of `parent`.
    @discardableResult
    public func node(_ name: String, in parent: Node, labels: [String] = []) -> Node {
        let child = Node(name: name, labels: labels, location: take())
        parent.append(child)
        return child
    }

    /// Sets (or replaces) property `name` of `node`; returns its location.
    @discardableResult
    public func set(_ name: String, _ value: PropertyValue = PropertyValue(), on node: Node) -> SourceLocation {
        let location = take()
        let property = Property(name: name, value: value, location: location)
        if let index = node.properties.firstIndex(where: { $0.name == name }) {
            node.properties[index] = property
        } else {
            node.properties.append(property)
        }
        return location
    }

    /// `<&node>`: one cell holding the node's phandle (assigned on first use).
    public func reference(to node: Node) -> PropertyValue {
        if node.phandle == 0 {
            node.phandle = nextPhandle
            nextPhandle += 1
        }
        node.isReferenced = true
        var value = PropertyValue.cells([node.phandle])
        value.markers.append(Marker(offset: 0, kind: .phandleReference(node.labels.first ?? node.path)))
        return value
    }

    /// `/vlm/vm@<id>` with a `vdevs` child labelled `vm<id>_vdevs`; returns the vdevs node.
    @discardableResult
    public func vm(_ id: Int, label: String? = nil) -> Node {
        let vm = node("/vlm/vm@\(id)", labels: ["vm\(id)"])
        if let label { set("label", .string(label), on: vm) }
        return vm.child(named: "vdevs") ?? node("vdevs", in: vm, labels: ["vm\(id)_vdevs"])
    }

    /// A vlink end under `vdevs`: `compatible`, `server;`/`client;`, `peer-phandle`, `info`, `link` as given.
    @discardableResult
    public func end(
        _ name: String, in vdevs: Node, label: String? = nil, compatible: String? = nil, server: Bool = false,
        client: Bool = false, peer: Node? = nil, info: String? = nil, link: UInt32? = nil
    ) -> Node {
        let end = node(name, in: vdevs, labels: label.map { [$0] } ?? [])
        if let compatible { set("compatible", .string(compatible), on: end) }
        if let link { set("link", .cells([link]), on: end) }
        if server { set("server", on: end) }
        if let peer { set("peer-phandle", reference(to: peer), on: end) }
        if client { set("client", on: end) }
        if let info { set("info", .string(info), on: end) }
        return end
    }

    /// A `&hyp_property` child (`/vlm/properties/<name>`).
    @discardableResult
    public func hypProperty(_ name: String) -> Node {
        let container = tree.node(withLabel: "hyp_property") ?? node("/vlm/properties", labels: ["hyp_property"])
        return node(name, in: container)
    }

    private func take() -> SourceLocation {
        defer { nextLine += 1 }
        return SourceLocation(file: file, line: nextLine, column: 1)
    }
}

extension PropertyValue {
    /// `"text"`.
    public static func string(_ text: String) -> PropertyValue { strings([text]) }

    /// `"a", "b"`.
    public static func strings(_ list: [String]) -> PropertyValue {
        PropertyValue(bytes: list.flatMap { Array($0.utf8) + [0] }, markers: [Marker(offset: 0, kind: .type(.string))])
    }

    /// `<1 2>`, big-endian.
    public static func cells(_ cells: [UInt32]) -> PropertyValue {
        let bytes = cells.flatMap { cell in (0..<4).map { UInt8(truncatingIfNeeded: cell >> (24 - 8 * UInt32($0))) } }
        return PropertyValue(bytes: bytes, markers: [Marker(offset: 0, kind: .type(.cells32))])
    }

    /// `[00 ff]`.
    public static func byteString(_ bytes: [UInt8]) -> PropertyValue {
        PropertyValue(bytes: bytes, markers: [Marker(offset: 0, kind: .type(.bytes))])
    }
}
