// SPDX-License-Identifier: Apache-2.0

/// dtc's `duplicate_label` check: a label belongs to the first node carrying
/// it in tree order, else to the first property, else to the first value
/// marker; every other occurrence is an error.
extension Checker {
    /// Where a label is defined: a node, a property of a node, or a marker of one.
    struct LabelSite: Equatable {
        var node: ObjectIdentifier
        var property: ObjectIdentifier?
        var marker: Int?
    }

    mutating func runDuplicateLabels() {
        guard failed.isEmpty else { return }
        var onNodes: [String: LabelSite] = [:]
        var onProperties: [String: LabelSite] = [:]
        var onMarkers: [String: LabelSite] = [:]
        var order: [LiveNode] = []
        var stack = [root]
        while let node = stack.popLast() {
            order.append(node)
            for label in node.labels where !label.deleted && onNodes[label.name] == nil {
                onNodes[label.name] = LabelSite(node: ObjectIdentifier(node))
            }
            for property in node.properties where !property.deleted {
                let site = LabelSite(node: ObjectIdentifier(node), property: ObjectIdentifier(property))
                for label in property.labels where !label.deleted && onProperties[label.name] == nil {
                    onProperties[label.name] = site
                }
                for (i, marker) in property.value.markers.enumerated() {
                    if case .label(let l) = marker.kind, onMarkers[l] == nil {
                        onMarkers[l] = LabelSite(node: site.node, property: site.property, marker: i)
                    }
                }
            }
            for child in node.children.reversed() where !child.deleted { stack.append(child) }
        }
        let before = diagnostics.count
        func owner(_ label: String) -> LabelSite? { onNodes[label] ?? onProperties[label] ?? onMarkers[label] }
        for node in order {
            let id = ObjectIdentifier(node)
            for label in node.labels where !label.deleted && owner(label.name) != LabelSite(node: id) {
                fail("duplicate_label", node, "Duplicate label '\(label.name)'")
            }
            for property in node.properties where !property.deleted {
                let site = LabelSite(node: id, property: ObjectIdentifier(property))
                for label in property.labels where !label.deleted && owner(label.name) != site {
                    fail("duplicate_label", node, property, "Duplicate label '\(label.name)'")
                }
                for (i, marker) in property.value.markers.enumerated() {
                    if case .label(let l) = marker.kind,
                        owner(l) != LabelSite(node: id, property: site.property, marker: i)
                    {
                        fail("duplicate_label", node, property, "Duplicate label '\(l)'")
                    }
                }
            }
        }
        if diagnostics.count > before { failed.insert("duplicate_label") }
    }
}
