// SPDX-License-Identifier: Apache-2.0

/// Renders one property value: ` = <0x01>, "text", [ab cd]` (or nothing for
/// an empty value).
///
/// The value is cut into groups at its type markers (and at path references);
/// each group is printed in its type when its bytes fit that type, else as
/// `[bytes]`. Labels are printed at their offsets (moved to the next element
/// boundary when they fall inside an element).
struct ValueRenderer {
    private let bytes: [UInt8]
    private let resolver: ReferenceResolver
    /// Print references that resolve to nothing as `&ref` (an overlay whose
    /// fixups the compiler regenerates), not as their bytes.
    private let printsUnresolved: Bool
    private var labels: [(offset: Int, name: String)] = []
    private var nextLabel = 0
    private var types: [(offset: Int, type: ValueType)] = []
    private var phandles: [Int: String] = [:]
    private var paths: [Int: String] = [:]
    private var out: [UInt8] = []

    init(value: PropertyValue, resolver: ReferenceResolver, printsUnresolved: Bool = false) {
        bytes = value.bytes
        self.resolver = resolver
        self.printsUnresolved = printsUnresolved
        for marker in value.markers where (0...bytes.count).contains(marker.offset) {
            switch marker.kind {
            case .label(let name): labels.append((marker.offset, name))
            case .type(let type): types.append((marker.offset, type))
            case .phandleReference(let ref): phandles[marker.offset] = ref
            case .pathReference(let ref): paths[marker.offset] = ref
            }
        }
        labels = stableSorted(labels)
        types = stableSorted(types)
    }

    mutating func render() -> [UInt8] {
        if bytes.isEmpty && labels.isEmpty { return [] }
        append(" = ")
        if bytes.isEmpty {
            let bracketed = types.last?.type == .bytes
            append(bracketed ? "[" : "<")
            emitLabels(upTo: 0)
            append(bracketed ? "]" : ">")
            return out
        }
        let groups = self.groups()
        for (index, group) in groups.enumerated() {
            if index > 0 { append(", ") }
            emitLabels(upTo: group.range.lowerBound)
            write(group)
        }
        for label in labels[nextLabel...] { append(" \(label.name):") }
        return out
    }

    // MARK: Groups

    private enum GroupKind {
        case typed(ValueType)
        case guessed(ValueType)
        case path(String)
    }
    private struct Group {
        var range: Range<Int>
        var kind: GroupKind
    }

    private func groups() -> [Group] {
        var cuts = Set(types.map(\.offset) + paths.keys + [0])
        for (offset, ref) in paths {
            if let length = validPathLength(ref, at: offset) { cuts.insert(offset + length) }
        }
        let starts = cuts.filter { $0 < bytes.count }.sorted()
        return starts.indices.map { i in
            let range = starts[i]..<(i + 1 < starts.count ? starts[i + 1] : bytes.count)
            return Group(range: range, kind: kind(of: range))
        }
    }

    private func kind(of range: Range<Int>) -> GroupKind {
        if let ref = paths[range.lowerBound], validPathLength(ref, at: range.lowerBound) == range.count {
            return .path(ref)
        }
        guard let type = types.last(where: { $0.offset <= range.lowerBound })?.type else {
            return .guessed(guessType(range))
        }
        return .typed(type)
    }

    /// The length of the path (with its NUL) at `offset` when the bytes hold
    /// exactly the path `ref` resolves to now.
    private func validPathLength(_ ref: String, at offset: Int) -> Int? {
        guard let node = resolver.node(ref) else { return nil }
        let path = Array(node.path.utf8) + [0]
        guard offset + path.count <= bytes.count, bytes[offset..<offset + path.count].elementsEqual(path) else {
            return nil
        }
        return path.count
    }

    private mutating func write(_ group: Group) {
        let range = group.range
        switch group.kind {
        case .path(let ref):
            append(ref.hasPrefix("/") ? "&{\(ref)}" : "&\(ref)")
        case .typed(.string) where bytes[range.upperBound - 1] == 0:
            writeStrings(range, breakAtEveryNUL: false)
        case .guessed(.string):
            writeStrings(range, breakAtEveryNUL: true)
        case .typed(.cells8), .guessed(.cells8):
            writeCells(range, width: 1)
        case .typed(.cells16) where range.count % 2 == 0:
            writeCells(range, width: 2)
        case .typed(.cells32) where range.count % 4 == 0, .guessed(.cells32):
            writeCells(range, width: 4)
        case .typed(.cells64) where range.count % 8 == 0:
            writeCells(range, width: 8)
        default:
            writeBytes(range)
        }
    }

    private mutating func writeCells(_ range: Range<Int>, width: Int) {
        append(width == 4 ? "<" : "/bits/ \(width * 8) <")
        for offset in stride(from: range.lowerBound, to: range.upperBound, by: width) {
            if offset > range.lowerBound {
                append(" ")
                emitLabels(upTo: offset)
            }
            let cell = bytes[offset..<offset + width].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if width == 4, let ref = phandles[offset],
                resolver.reproduces(UInt32(cell), from: ref, unresolvedAllowed: printsUnresolved)
            {
                append(ref.hasPrefix("/") ? "&{\(ref)}" : "&\(ref)")
            } else {
                append("0x\(hex(cell, digits: 2))")
            }
        }
        emitInnerLabels(before: range.upperBound)
        append(">")
    }

    private mutating func writeBytes(_ range: Range<Int>) {
        append("[")
        for offset in range {
            if offset > range.lowerBound {
                append(" ")
                emitLabels(upTo: offset)
            }
            append(hex(bytes[offset], digits: 2))
        }
        emitInnerLabels(before: range.upperBound)
        append("]")
    }

    /// Labels strictly inside the group's last element, which cannot be
    /// printed there: they go just before the closing bracket.
    private mutating func emitInnerLabels(before end: Int) {
        guard nextLabel < labels.count, labels[nextLabel].offset < end else { return }
        append(" ")
        emitLabels(upTo: end - 1)
    }

    // MARK: Labels

    /// Prints `name: ` for every label not yet printed at or before `offset`.
    private mutating func emitLabels(upTo offset: Int) {
        while nextLabel < labels.count, labels[nextLabel].offset <= offset {
            append("\(labels[nextLabel].name): ")
            nextLabel += 1
        }
    }

    mutating func append(_ text: String) { out.append(contentsOf: text.utf8) }
    mutating func append(_ raw: [UInt8]) { out.append(contentsOf: raw) }
}

private func stableSorted<T>(_ items: [(offset: Int, T)]) -> [(offset: Int, T)] {
    items.enumerated().sorted { ($0.element.offset, $0.offset) < ($1.element.offset, $1.offset) }.map(\.element)
}

extension ValueRenderer {
    /// Strings as literals. A typed group keeps embedded NULs inside one
    /// literal (`"a\0b"`) unless a label sits after one; a guessed group prints
    /// each NUL-terminated piece as its own literal (`"a", "b"`).
    fileprivate mutating func writeStrings(_ range: Range<Int>, breakAtEveryNUL: Bool) {
        var start = range.lowerBound
        var offset = range.lowerBound
        while offset < range.upperBound {
            let isEnd = offset == range.upperBound - 1
            let breaks = bytes[offset] == 0 && (isEnd || breakAtEveryNUL || labelStarts(at: offset + 1))
            if breaks {
                if start > range.lowerBound {
                    append(", ")
                    emitLabels(upTo: start)
                }
                writeLiteral(start..<offset)
                start = offset + 1
            }
            offset += 1
        }
    }

    private func labelStarts(at offset: Int) -> Bool {
        labels[nextLabel...].contains { $0.offset == offset }
    }

    /// One `"…"` literal of `range` (without its terminating NUL), escaped so
    /// that dtc's lexer reads back the same bytes.
    private mutating func writeLiteral(_ range: Range<Int>) {
        append("\"")
        for offset in range {
            let byte = bytes[offset]
            switch byte {
            case 0x07: append("\\a")
            case 0x08: append("\\b")
            case 0x09: append("\\t")
            case 0x0A: append("\\n")
            case 0x0B: append("\\v")
            case 0x0C: append("\\f")
            case 0x0D: append("\\r")
            case UInt8(ascii: "\\"): append("\\\\")
            case UInt8(ascii: "\""): append("\\\"")
            case 0:
                // `\0` followed by an octal digit would read as one octal escape.
                let next = offset + 1 < range.upperBound ? bytes[offset + 1] : 0
                append((0x30...0x37).contains(next) ? "\\x00" : "\\0")
            case 0x20...0x7E: append([byte])
            default: append("\\x\(hex(byte, digits: 2))")
            }
        }
        append("\"")
    }

    /// dtc's `guess_value_type`: a string list when every byte is printable
    /// (or NUL), the last byte is NUL, NULs do not outnumber the rest and no
    /// label sits inside a string; else cells when the length and the labels
    /// allow; else bytes.
    fileprivate func guessType(_ range: Range<Int>) -> ValueType {
        let slice = bytes[range]
        let nuls = slice.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
        let printable = slice.allSatisfy { $0 == 0 || (0x20...0x7E).contains($0) || (0x07...0x0D).contains($0) }
        let inside = labels.filter { $0.offset > range.lowerBound && $0.offset < range.upperBound }
        let labelInsideString = inside.contains { bytes[$0.offset - 1] != 0 }
        let labelInsideCell = inside.contains { ($0.offset - range.lowerBound) % 4 != 0 }
        if slice.last == 0, printable, nuls <= slice.count - nuls, !labelInsideString { return .string }
        if slice.count % 4 == 0, !labelInsideCell { return .cells32 }
        return .bytes
    }
}
