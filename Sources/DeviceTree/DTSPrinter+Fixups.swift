// SPDX-License-Identifier: Apache-2.0

/// How an overlay (`/plugin/;`) is printed.
///
/// An overlay's `__fixups__` may name properties after paths
/// (`/path/to/node = "/:prop:0"` for `<&{/path/to/node}>`), which no source
/// can spell. When the tree's `__fixups__` and `__local_fixups__` are exactly
/// what the compiler generates from the references left in the tree (the same
/// entries, in order, as the last children of the root), the printer writes
/// `/plugin/;` and the references instead of those nodes, and compiling the
/// text generates them again. Otherwise the nodes are printed as they are,
/// without `/plugin/;`, as dtc prints them.
struct OverlayPlan {
    /// Print `/plugin/;` and unresolved references as `&ref`.
    var regeneratesFixups = false
    /// The generated nodes left out of the text.
    var omitted: Set<ObjectIdentifier> = []

    init(_ tree: DeviceTree, resolver: ReferenceResolver) {
        guard tree.isPlugin else { return }
        var fixups: [(name: String, value: [UInt8])] = []
        let local = ExpectedNode(name: "__local_fixups__")
        collectReferences(tree.root, resolver: resolver, fixups: &fixups, local: local)
        var expected: [(String, (Node) -> Bool)] = []
        if !fixups.isEmpty { expected.append(("__fixups__", { Self.matches($0, fixups) })) }
        if !local.children.isEmpty || !local.properties.isEmpty { expected.append(("__local_fixups__", local.matches)) }
        let tail = tree.root.children.suffix(expected.count)
        guard !expected.isEmpty, tail.count == expected.count,
            zip(tail, expected).allSatisfy({ $0.name == $1.0 && $1.1($0) })
        else { return }
        regeneratesFixups = true
        omitted = Set(tail.map(ObjectIdentifier.init))
    }

    /// dtc's `generate_fixups_tree` and `generate_local_fixups_tree`, in tree
    /// order: `ref = "path:prop:offset"` for each unresolved reference, a
    /// mirrored node holding the offsets of each resolved one.
    private func collectReferences(
        _ root: Node, resolver: ReferenceResolver, fixups: inout [(name: String, value: [UInt8])], local: ExpectedNode
    ) {
        var stack = [root]
        while let node = stack.popLast() {
            let components = node.path.split(separator: "/").map(String.init)
            for property in node.properties {
                for marker in property.value.markers {
                    guard case .phandleReference(let ref) = marker.kind else { continue }
                    if resolver.node(ref) == nil {
                        let entry = Array("\(node.path):\(property.name):\(marker.offset)".utf8) + [0]
                        if let index = fixups.firstIndex(where: { $0.name == ref }) {
                            fixups[index].value += entry
                        } else {
                            fixups.append((ref, entry))
                        }
                    } else {
                        local.descend(components).append(property.name, offset: marker.offset)
                    }
                }
            }
            stack.append(contentsOf: node.children.reversed())
        }
    }

    private static func matches(_ node: Node, _ fixups: [(name: String, value: [UInt8])]) -> Bool {
        node.children.isEmpty && node.labels.isEmpty && node.properties.count == fixups.count
            && zip(node.properties, fixups).allSatisfy { $0.name == $1.name && $0.value.bytes == $1.value }
    }
}

/// A node of the `__local_fixups__` tree the compiler would generate.
private final class ExpectedNode {
    let name: String
    var properties: [(name: String, value: [UInt8])] = []
    var children: [ExpectedNode] = []

    init(name: String) { self.name = name }

    func descend(_ components: [String]) -> ExpectedNode {
        components.reduce(self) { node, component in
            if let child = node.children.first(where: { $0.name == component }) { return child }
            let child = ExpectedNode(name: component)
            node.children.append(child)
            return child
        }
    }

    func append(_ property: String, offset: Int) {
        let cell: [UInt8] = (0..<4).map { UInt8(truncatingIfNeeded: offset >> (24 - 8 * $0)) }
        if let index = properties.firstIndex(where: { $0.name == property }) {
            properties[index].value += cell
        } else {
            properties.append((property, cell))
        }
    }

    func matches(_ node: Node) -> Bool {
        node.name == name && node.labels.isEmpty && node.properties.count == properties.count
            && zip(node.properties, properties).allSatisfy { $0.name == $1.name && $0.value.bytes == $1.value }
            && node.children.count == children.count
            && zip(node.children, children).allSatisfy { $1.matches($0) }
    }
}
