// SPDX-License-Identifier: Apache-2.0

/// The labels of a node or property in dtc's order (newest first), with
/// dtc's `deleted` flags, indexed by name.
///
/// dtc's `add_label` scans the list for the name before it prepends, which
/// makes N labels on one node cost N²; the index makes each one O(1).
struct LabelList: Sequence {
    /// Oldest first: iteration reverses it into dtc's order.
    private var added: [LiveLabel] = []
    private var positions: [String: Int] = [:]

    /// dtc's `add_label`: undelete an existing one, or prepend. True when new.
    mutating func add(_ name: String) -> Bool {
        if let i = positions[name] {
            added[i].deleted = false
            return false
        }
        positions[name] = added.count
        added.append(LiveLabel(name: name))
        return true
    }

    /// Flags every label deleted (dtc's `delete_labels`).
    mutating func deleteAll() {
        for i in added.indices { added[i].deleted = true }
    }

    /// Whether `name` is here and not deleted.
    func isLive(_ name: String) -> Bool {
        positions[name].map { !added[$0].deleted } ?? false
    }

    var isEmpty: Bool { added.isEmpty }

    /// The names not deleted, in dtc's order.
    var live: [String] { filter { !$0.deleted }.map(\.name) }

    func makeIterator() -> ReversedCollection<[LiveLabel]>.Iterator { added.reversed().makeIterator() }
}
