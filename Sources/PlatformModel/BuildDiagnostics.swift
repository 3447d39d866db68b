// SPDX-License-Identifier: Apache-2.0
import DeviceTree

/// Collects the diagnostics of one build, each placed at the offending node or property.
struct BuildDiagnostics {
    private(set) var list: [Diagnostic] = []

    var hasErrors: Bool { list.contains { $0.severity == .error } }

    mutating func error(_ message: String, at node: Node, property name: String? = nil) {
        list.append(.error(message, at: Self.location(of: node, property: name)))
    }

    mutating func warning(_ message: String, at node: Node, property name: String? = nil) {
        list.append(.warning(message, at: Self.location(of: node, property: name)))
    }

    /// Where `node.name` was written, else where the node was.
    static func location(of node: Node, property name: String?) -> SourceLocation? {
        name.flatMap { node.property(named: $0)?.location } ?? node.location
            ?? node.parent.flatMap { location(of: $0, property: nil) }
    }
}

extension Property {
    /// The value as NUL-terminated strings, empty ones allowed; nil when it is not text.
    var stringList: [String]? {
        guard let last = value.bytes.last, last == 0 else { return nil }
        return value.bytes.dropLast().split(separator: 0, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// The strings of a string list run together: how `info` lists become one
    /// `s_info`/`c_info` string (the vevent and vbd2 examples, manual lines 7440, 6118).
    var joinedString: String? { stringList?.joined() }

    /// The value as exactly one 32-bit cell.
    var singleCell: UInt32? {
        guard let cells = value.cells, cells.count == 1 else { return nil }
        return cells[0]
    }

    /// True when the source wrote the value as `<cells>` (or `/bits/ 32 <…>`).
    var isWrittenAsCells: Bool {
        value.markers.contains { if case .type(.cells32) = $0.kind { true } else { false } }
    }
}

extension Node {
    /// The child called `name` (with or without unit address).
    func child(base name: String) -> Node? {
        children.first { $0.name == name } ?? children.first { $0.baseName == name }
    }
}
