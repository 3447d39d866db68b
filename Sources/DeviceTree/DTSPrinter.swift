// SPDX-License-Identifier: Apache-2.0

/// Prints a tree as canonical `.dts` source (dtc's `treesource.c`).
///
/// The layout is dtc's `-O dts`: `/dts-v1/;`, the `/memreserve/` entries, then
/// the root, one tab per level, properties before children, a blank line
/// before each child. Values follow their type markers (`<cells>` with `&ref`,
/// `/bits/ N <…>`, `"strings"`, `[bytes]`, labels inside values); without
/// markers (a decoded blob) the type is guessed from the bytes as dtc guesses.
///
/// Compiling the output again gives the same blob: a reference is printed as
/// `&ref` only when it still resolves to the node whose phandle (or path) the
/// bytes hold, else the bytes are printed. `/plugin/;` is not printed (as
/// dtc does not): the fixup nodes are printed instead, so recompiling does not
/// generate them twice.
public enum DTSPrinter {
    /// The canonical source text of `tree`.
    ///
    /// - Parameter tree: any tree: compiled (with markers) or decoded from a blob.
    /// - Returns: the source, ending with a newline.
    public static func print(_ tree: DeviceTree) -> String {
        let resolver = ReferenceResolver(tree)
        var writer = SourceWriter(resolver: resolver, overlay: OverlayPlan(tree, resolver: resolver))
        writer.write(tree)
        return String(decoding: writer.out, as: UTF8.self)
    }
}

/// Accumulates the source text as bytes (names and values are byte strings).
struct SourceWriter {
    private(set) var out: [UInt8] = []
    let resolver: ReferenceResolver
    let overlay: OverlayPlan

    init(resolver: ReferenceResolver, overlay: OverlayPlan) {
        self.resolver = resolver
        self.overlay = overlay
    }

    mutating func write(_ tree: DeviceTree) {
        append(overlay.regeneratesFixups ? "/dts-v1/;\n/plugin/;\n\n" : "/dts-v1/;\n\n")
        for entry in tree.memoryReservations {
            for label in entry.labels { append("\(label): ") }
            append("/memreserve/\t0x\(hex(entry.address, digits: 16)) 0x\(hex(entry.size, digits: 16));\n")
        }
        writeNodes(tree.root)
        if tree.isRootDeleted { append("/delete-node/ &{/};\n") }
    }

    /// Nodes without recursion, so that deep trees cost no stack.
    private mutating func writeNodes(_ root: Node) {
        var stack: [(node: Node, next: Int)] = [(root, 0)]
        open(root, level: 0)
        while let top = stack.last {
            if top.next < top.node.children.count {
                let child = top.node.children[top.next]
                stack[stack.count - 1].next += 1
                if overlay.omitted.contains(ObjectIdentifier(child)) { continue }
                append("\n")
                open(child, level: stack.count)
                stack.append((child, 0))
            } else {
                stack.removeLast()
                indent(stack.count)
                append("};\n")
            }
        }
    }

    private mutating func open(_ node: Node, level: Int) {
        indent(level)
        for label in node.labels { append("\(label): ") }
        append(node.parent == nil && node.name.isEmpty ? "/" : node.name)
        append(" {\n")
        for property in node.properties {
            indent(level + 1)
            for label in property.labels { append("\(label): ") }
            append(property.name)
            var renderer = ValueRenderer(
                value: property.value, resolver: resolver, printsUnresolved: overlay.regeneratesFixups)
            out += renderer.render()
            append(";\n")
        }
    }

    private mutating func indent(_ level: Int) {
        out.append(contentsOf: repeatElement(UInt8(ascii: "\t"), count: level))
    }

    private mutating func append(_ text: String) { out.append(contentsOf: text.utf8) }
}

/// Finds the node a reference names, as the compiler resolved it: a path
/// (`/cpus/cpu@0`) by walking the tree, a label by the first node in tree
/// order that carries it.
struct ReferenceResolver {
    private let tree: DeviceTree
    private let labels: [String: Node]

    init(_ tree: DeviceTree) {
        self.tree = tree
        var labels: [String: Node] = [:]
        var stack = [tree.root]
        while let node = stack.popLast() {
            for label in node.labels where labels[label] == nil { labels[label] = node }
            stack.append(contentsOf: node.children.reversed())
        }
        self.labels = labels
    }

    func node(_ reference: String) -> Node? {
        reference.hasPrefix("/") ? tree.node(atPath: reference) : labels[reference]
    }

    /// True when `&reference` in a cell compiles back to `cell`: it resolves
    /// to a node with that phandle, or (in an overlay whose fixups the
    /// compiler regenerates) it resolves to nothing and the cell is `-1`.
    func reproduces(_ cell: UInt32, from reference: String, unresolvedAllowed: Bool) -> Bool {
        guard let node = node(reference) else { return unresolvedAllowed && cell == 0xFFFF_FFFF }
        return node.phandle == cell && cell != 0
    }
}

/// `value` in lower-case hex, zero-padded to at least `digits` digits.
func hex<T: BinaryInteger>(_ value: T, digits: Int) -> String {
    let text = String(value, radix: 16)
    return text.count >= digits ? text : String(repeating: "0", count: digits - text.count) + text
}
