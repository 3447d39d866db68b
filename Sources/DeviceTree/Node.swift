// SPDX-License-Identifier: Apache-2.0

/// A node of the live tree (dtc's `struct node`).
///
/// A class, because the tree is built by amendments (`&label { … }`) that
/// reach nodes through labels and paths, and every node knows its parent.
public final class Node {
    /// Name with unit address: `vm@2`; the root's name is empty.
    public var name: String
    public var labels: [String]
    public var properties: [Property]
    public var children: [Node]
    public weak var parent: Node?
    /// Where the node was first defined.
    public var location: SourceLocation?
    /// The phandle assigned to the node, 0 when it has none.
    public var phandle: UInt32 = 0
    /// `/omit-if-no-ref/` was written on the node.
    public var omitIfNoRef = false
    /// Some reference in the tree points at this node.
    public var isReferenced = false

    public init(name: String, labels: [String] = [], location: SourceLocation? = nil) {
        self.name = name
        self.labels = labels
        self.properties = []
        self.children = []
        self.location = location
    }

    /// The part of the name before `@`.
    public var baseName: Substring { name.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)[0] }

    /// The unit address (after `@`), or nil.
    public var unitAddress: Substring? {
        guard let at = name.firstIndex(of: "@") else { return nil }
        return name[name.index(after: at)...]
    }

    /// The full path: `/`, `/vlm/vm@2`.
    public var path: String {
        guard let parent else { return "/" }
        let base = parent.path
        return base == "/" ? "/" + name : base + "/" + name
    }

    public func property(named name: String) -> Property? {
        properties.first { $0.name == name }
    }

    public func child(named name: String) -> Node? {
        children.first { $0.name == name }
    }

    /// Appends `child`, making this node its parent.
    public func append(_ child: Node) {
        child.parent = self
        children.append(child)
    }

    /// Every node of the subtree, this one first, in tree (pre-)order.
    public var subtree: [Node] {
        var result: [Node] = [self]
        for child in children { result += child.subtree }
        return result
    }
}
