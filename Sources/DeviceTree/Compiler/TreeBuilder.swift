// SPDX-License-Identifier: Apache-2.0

/// The live tree and its lookups: dtc's `merge_nodes`, `get_node_by_ref`,
/// `get_node_by_label`, `get_node_by_path` and `add_orphan_node`.
///
/// Labels are indexed once (label → nodes that ever carried it) so that a
/// reference costs a dictionary look-up and a walk to the root, not a walk
/// of the whole tree.
struct TreeBuilder {
    var root: LiveNode?
    var labelIndex: [String: [LiveNode]] = [:]
    var orphanCount = 0

    mutating func setRoot(_ node: LiveNode) {
        root = node
    }

    mutating func addLabel(_ label: String, to node: LiveNode) {
        if node.addLabel(label) { labelIndex[label, default: []].append(node) }
    }

    func addLabel(_ label: String, to property: LiveProperty) {
        _ = property.labels.add(label)
    }

    /// dtc's `merge_nodes`: `new` is folded into `old` and dropped.
    ///
    /// dtc recurses into a colliding child before it looks at the next one,
    /// so `x { … }; /delete-node/ x;` in one amendment merges `x` and then
    /// deletes it. The explicit stack keeps that order without recursion.
    mutating func merge(_ new: LiveNode, into old: LiveNode) {
        mergeOwnContent(new, into: old)
        var stack = [(new: new, old: old, next: 0)]
        while let top = stack.last {
            guard top.next < top.new.children.count else {
                stack.removeLast()
                continue
            }
            stack[stack.count - 1].next += 1
            let child = top.new.children[top.next]
            if child.deleted {
                top.old.children.first { $0.name == child.name }?.delete()  // dtc's delete_node_by_name
            } else if let existing = top.old.children.first(where: { $0.name == child.name }) {
                mergeOwnContent(child, into: existing)
                stack.append((child, existing, 0))
            } else {
                top.old.addChild(child)
            }
        }
    }

    /// The first half of dtc's `merge_nodes`: undelete, labels, properties.
    private mutating func mergeOwnContent(_ new: LiveNode, into old: LiveNode) {
        old.deleted = false
        for label in new.labels { addLabel(label.name, to: old) }
        for property in new.properties { mergeProperty(property, into: old) }
    }

    func mergeProperty(_ property: LiveProperty, into node: LiveNode) {
        if property.deleted {
            node.properties.first { $0.name == property.name }?.delete()
            return
        }
        guard let old = node.properties.first(where: { $0.name == property.name }) else {
            node.properties.append(property)
            return
        }
        for label in property.labels { addLabel(label.name, to: old) }
        old.value = property.value
        old.deleted = false
        old.location = property.location
    }

    // MARK: Look-ups

    /// dtc's `get_node_by_ref`: `/` or `/path`, else a label.
    func node(byReference ref: String) -> LiveNode? {
        guard let root else { return nil }
        if ref == "/" { return root }
        if ref.utf8.first == UInt8(ascii: "/") { return node(byPath: ref, from: root) }
        return node(byLabel: ref)
    }

    /// The first node in tree order carrying `label`, skipping deleted ones.
    func node(byLabel label: String) -> LiveNode? {
        guard let root, let candidates = labelIndex[label] else { return nil }
        let live = candidates.filter { node in
            node.labels.isLive(label) && isAttached(node, to: root)
        }
        if live.count <= 1 { return live.first }
        // Several live nodes share the label (a duplicate_label error): dtc takes the first in tree order.
        var stack = [root]
        while let node = stack.popLast() {
            if live.contains(where: { $0 === node }) { return node }
            stack += node.children.reversed().filter { !$0.deleted }
        }
        return nil
    }

    func isAttached(_ node: LiveNode, to root: LiveNode) -> Bool {
        var current: LiveNode? = node
        while let n = current {
            if n.deleted { return false }
            if n === root { return true }
            current = n.parent
        }
        return false
    }

    /// dtc's `get_node_by_path`: exact names, repeated slashes skipped.
    func node(byPath path: String, from start: LiveNode) -> LiveNode? {
        var node = start
        var rest = Substring(path)
        while true {
            if rest.isEmpty { return node.deleted ? nil : node }
            rest = rest.drop { $0 == "/" }
            let slash = rest.firstIndex(of: "/")
            let component = rest[..<(slash ?? rest.endIndex)]
            guard let child = node.children.first(where: { !$0.deleted && $0.name == component }) else { return nil }
            guard let slash else { return child }
            node = child
            rest = rest[rest.index(after: slash)...]
        }
    }

    /// dtc's `add_orphan_node`: an overlay fragment for a target not in this file.
    mutating func addOrphan(_ body: LiveNode, target ref: String) {
        var value = PropertyValue()
        let property: LiveProperty
        if ref.utf8.first == UInt8(ascii: "/") {
            value.markers.append(Marker(offset: 0, kind: .type(.string)))
            value.bytes = Array(ref.utf8) + [0]
            property = LiveProperty(name: "target-path", value: value, location: nil)
        } else {
            value.markers.append(Marker(offset: 0, kind: .phandleReference(ref)))
            value.bytes = [0xFF, 0xFF, 0xFF, 0xFF]
            property = LiveProperty(name: "target", value: value, location: nil)
        }
        body.name = "__overlay__"
        let fragment = LiveNode(name: "fragment@\(orphanCount)", location: body.location)
        orphanCount += 1
        fragment.properties.append(property)
        fragment.addChild(body)
        root!.addChild(fragment)
    }
}
