// SPDX-License-Identifier: Apache-2.0

/// A table of left-aligned columns separated by two blanks.
final class TextTable {
    private let header: [String]
    private var rows: [[String]] = []

    init(header: [String]) { self.header = header }

    func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        let lines = all.map { row in
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            return "  " + cells.joined(separator: "  ")
        }
        return (rows.isEmpty ? lines + ["  (none)"] : lines).joined(separator: "\n") + "\n"
    }
}

/// A JSON value, written compactly with its keys in the order given: the one
/// JSON writer of the project (`vlm check --json`, `vlm status --json`).
public indirect enum JSON: Sendable {
    case string(String)
    case number(Int)
    case fraction(Double)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    /// The value as JSON text (RFC 8259), without blanks.
    public var text: String {
        switch self {
        case .string(let value): Self.quote(value)
        case .number(let value): String(value)
        case .fraction(let value): String(value)
        case .bool(let value): value ? "true" : "false"
        case .null: "null"
        case .array(let items): "[" + items.map(\.text).joined(separator: ",") + "]"
        case .object(let members): "{" + members.map { Self.quote($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (RFC 8259 §7).
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
