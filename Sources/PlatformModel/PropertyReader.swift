// SPDX-License-Identifier: Apache-2.0
import DeviceTree

/// Reads the hypervisor properties: the children of the `hyp_property` node
/// (`/vlm/properties`, VLX-PANIC-TRIGGER(4D), manual lines 13074–13082).
struct PropertyReader {
    var diagnostics: BuildDiagnostics
    /// The configured guest VM ids, to warn about permissions naming no VM.
    let vmIDs: Set<Int>

    /// The property nodes, in tree order.
    static func propertyNodes(_ tree: DeviceTree) -> [Node] {
        var containers: [Node] = []
        for container in [tree.node(withLabel: "hyp_property"), tree.node(atPath: "/vlm/properties")] {
            if let container, !containers.contains(where: { $0 === container }) { containers.append(container) }
        }
        return containers.flatMap(\.children)
    }

    mutating func read(_ nodes: [Node]) -> [PropertySpec] {
        var properties: [PropertySpec] = []
        for node in nodes {
            if let first = properties.first(where: { $0.name == node.name }),
                case .configuration(let path, _) = first.origin
            {
                diagnostics.error("property \(node.name) is defined twice (first at \(path))", at: node)
                continue
            }
            if let property = read(node) { properties.append(property) }
        }
        return properties
    }

    private mutating func read(_ node: Node) -> PropertySpec? {
        let value = value(node)
        var size = value?.count
        if let property = node.property(named: "size") {
            guard let cell = property.singleCell, cell <= Int32.max else {
                diagnostics.error("size must be one cell: the largest value in bytes", at: node, property: "size")
                return nil
            }
            size = Int(cell)
        }
        guard let size else {
            diagnostics.error("property \(node.name) needs size = <bytes>;", at: node)
            return nil
        }
        if let value, value.count > size {
            let written = node.property(named: "value") != nil ? "value" : "cell-value"
            diagnostics.error(
                "value of property \(node.name) is \(value.count) bytes, larger than its size <\(size)>",
                at: node, property: written)
        }
        return PropertySpec(
            name: node.name, size: size, value: value, allowGet: permission("allow-get", node),
            allowSet: permission("allow-set", node), allowNotify: permission("allow-notify", node),
            origin: .configuration(nodePath: node.path, location: node.location))
    }

    /// `value = "0";` → the string's bytes without its NUL (so `size = <1>` holds it);
    /// `value = <1>;` or `cell-value = <…>;` → 32-bit little-endian words; `[bytes]` as written.
    private mutating func value(_ node: Node) -> [UInt8]? {
        let text = node.property(named: "value")
        let cells = node.property(named: "cell-value")
        if text != nil && cells != nil {
            diagnostics.error("give either value or cell-value, not both", at: node, property: "cell-value")
        }
        if let cells {
            guard let words = cells.value.cells else {
                diagnostics.error("cell-value must be 32-bit cells", at: node, property: "cell-value")
                return nil
            }
            return Self.littleEndianWords(words)
        }
        guard let text else { return nil }
        if text.isWrittenAsCells, let words = text.value.cells { return Self.littleEndianWords(words) }
        if text.stringList != nil { return Array(text.value.bytes.dropLast()) }
        return text.value.bytes
    }

    static func littleEndianWords(_ words: [UInt32]) -> [UInt8] {
        words.flatMap { littleEndian(UInt64($0), bytes: 4) }
    }

    /// `"*"`, `"3"`, `"2,3"`, `"2", "3"`, `<2 3>`; absent or empty: nobody.
    private mutating func permission(_ name: String, _ node: Node) -> VMSet {
        guard let property = node.property(named: name), !property.value.isEmpty else { return .none }
        let tokens: [Substring]
        if property.isWrittenAsCells, let cells = property.value.cells {
            tokens = cells.map { Substring(String($0)) }
        } else if let strings = property.stringList {
            tokens = strings.joined(separator: ",").split { $0 == "," || $0 == " " || $0 == "\t" }
        } else {
            tokens = ["?"]
        }
        if tokens == ["*"] { return .all }
        let ids = tokens.compactMap { Int($0) }
        guard ids.count == tokens.count, ids.allSatisfy({ (1...31).contains($0) }) else {
            diagnostics.error("\(name) must be \"*\" or a list of VM ids 1…31 (\"2,3\")", at: node, property: name)
            return .none
        }
        for id in ids where id != PlatformLimits.hypervisorID && !vmIDs.contains(id) {
            diagnostics.warning("\(name) names VM \(id), which is not configured", at: node, property: name)
        }
        return .only(ids)
    }
}
