// SPDX-License-Identifier: Apache-2.0

/// The generated nodes: `__symbols__` (`-@`), `__fixups__` and
/// `__local_fixups__` (plugins), as dtc 1.6.1's `generate_*_tree` build them.
extension Checker {
    /// dtc's `build_root_node`: the existing child of the root, or a new last one.
    func generatedNode(_ name: String) -> LiveNode {
        if let existing = root.child(name) { return existing }
        let node = LiveNode(name: name, location: nil)
        root.addChild(node)
        return node
    }

    /// Live nodes in tree order.
    func liveNodes() -> [LiveNode] {
        var order: [LiveNode] = []
        var stack = [root]
        while let node = stack.popLast() {
            order.append(node)
            for child in node.children.reversed() where !child.deleted { stack.append(child) }
        }
        return order
    }

    /// `__symbols__`: one path string per label; labelled nodes get a phandle.
    mutating func buildSymbols() {
        let nodes = liveNodes()
        guard nodes.contains(where: { !$0.labels.isEmpty }) else { return }
        let symbols = generatedNode("__symbols__")
        var named = Set(symbols.properties.lazy.filter { !$0.deleted }.map(\.name))
        for node in nodes where !node.labels.isEmpty {
            for label in node.labels where !label.deleted {
                if !named.insert(label.name).inserted { continue }
                var value = PropertyValue(markers: [Marker(offset: 0, kind: .type(.string))])
                value.bytes = Array(node.fullPath.utf8) + [0]
                symbols.properties.append(LiveProperty(name: label.name, value: value, location: nil))
            }
            _ = phandles.phandle(for: node)
        }
    }

    /// `__fixups__` for unresolved `<&ref>` and `__local_fixups__` for resolved ones.
    mutating func buildFixups() {
        var unresolved: [(LiveNode, LiveProperty, Marker, String)] = []
        var resolved: [(LiveNode, LiveProperty, Marker)] = []
        for node in liveNodes() {
            for property in node.properties where !property.deleted {
                for marker in property.value.markers {
                    guard case .phandleReference(let ref) = marker.kind else { continue }
                    if builder.node(byReference: ref) == nil {
                        unresolved.append((node, property, marker, ref))
                    } else {
                        resolved.append((node, property, marker))
                    }
                }
            }
        }
        if !unresolved.isEmpty {
            let fixups = generatedNode("__fixups__")
            for (node, property, marker, ref) in unresolved {
                let entry = "\(node.fullPath):\(property.name):\(marker.offset)"
                append(Array(entry.utf8) + [0], as: .string, to: ref, in: fixups)
            }
        }
        guard !resolved.isEmpty else { return }
        let localFixups = generatedNode("__local_fixups__")
        for (node, property, marker) in resolved {
            // dtc's add_local_fixup_entry walks `parent` links and drops the
            // topmost name (the root's, or a revived marker's: see dtcParent).
            var path: [String] = []
            var walk: LiveNode? = node
            while let n = walk, let parent = n.dtcParent {
                path.append(n.name)
                walk = parent
            }
            var target = localFixups
            for name in path.reversed() {
                if let existing = target.child(name) {
                    target = existing
                } else {
                    let child = LiveNode(name: name, location: nil)
                    target.addChild(child)
                    target = child
                }
            }
            append(
                PhandleAllocator.cell(UInt32(truncatingIfNeeded: marker.offset)), as: .cells32, to: property.name,
                in: target)
        }
    }

    /// dtc's `append_to_property`.
    func append(_ bytes: [UInt8], as type: ValueType, to name: String, in node: LiveNode) {
        if let property = node.property(name) {
            property.value.markers.append(Marker(offset: property.value.bytes.count, kind: .type(type)))
            property.value.bytes += bytes
        } else {
            let value = PropertyValue(bytes: bytes, markers: [Marker(offset: 0, kind: .type(type))])
            node.properties.append(LiveProperty(name: name, value: value, location: nil))
        }
    }
}
