// SPDX-License-Identifier: Apache-2.0

/// A label with dtc's `deleted` flag (deleted labels stay in the list).
struct LiveLabel {
    var name: String
    var deleted = false
}

/// A property while the tree is being built (dtc's `struct property`).
final class LiveProperty {
    var name: String
    var value: PropertyValue
    var labels = LabelList()
    var deleted = false
    var location: SourceLocation?

    init(name: String, value: PropertyValue, location: SourceLocation?, deleted: Bool = false) {
        self.name = name
        self.value = value
        self.location = location
        self.deleted = deleted
    }

    var liveLabels: [String] { labels.live }
}

/// A node while the tree is being built (dtc's `struct node`): deletions only
/// set flags, so that a later definition reuses the old position, as in dtc.
final class LiveNode {
    var name: String
    var labels = LabelList()
    var properties: [LiveProperty] = []
    var children: [LiveNode] = []
    weak var parent: LiveNode?
    var deleted = false
    var location: SourceLocation?
    var phandle: UInt32 = 0
    var omitIfUnused = false
    var isReferenced = false
    /// dtc's `build_node` sets `parent` only on live children, so a
    /// `/delete-node/ x;` marker has no parent, even once an amendment revives
    /// it (`merge_nodes` never sets it). `parent` here still links it for
    /// paths; this flag stands for dtc's missing link (see `dtcParent`).
    var parentUnlinked = false

    init(name: String, location: SourceLocation?) {
        self.name = name
        self.location = location
    }

    /// dtc's `add_label`: undelete an existing one, or prepend.
    func addLabel(_ label: String) -> Bool { labels.add(label) }

    func addChild(_ child: LiveNode) {
        child.parent = self
        children.append(child)
    }

    /// The first property of that name that is not deleted (dtc's `get_property`).
    func property(_ name: String) -> LiveProperty? {
        properties.first { !$0.deleted && $0.name == name }
    }

    /// The first child of that name that is not deleted (dtc's `get_subnode`).
    func child(_ name: String) -> LiveNode? {
        children.first { !$0.deleted && $0.name == name }
    }

    /// dtc's `delete_node`: flags the subtree, its properties and labels.
    func delete() {
        deleted = true
        for child in children where !child.deleted { child.delete() }
        for property in properties where !property.deleted { property.delete() }
        labels.deleteAll()
    }

    /// The parent as dtc's `node->parent` has it: nil for the root and for a
    /// revived `/delete-node/` marker.
    var dtcParent: LiveNode? { parentUnlinked ? nil : parent }

    var basenameLength: Int {
        var n = 0
        for c in name.utf8 {
            if c == UInt8(ascii: "@") { break }
            n += 1
        }
        return n
    }

    /// The full path as dtc's `fullpath` (`/` for the root).
    var fullPath: String {
        var parts: [String] = []
        var node: LiveNode? = self
        while let n = node, n.parent != nil {
            parts.append(n.name)
            node = n.parent
        }
        return "/" + parts.reversed().joined(separator: "/")
    }

    var liveLabels: [String] { labels.live }
}

extension LiveProperty {
    /// dtc's `delete_property`.
    func delete() {
        deleted = true
        labels.deleteAll()
    }
}
