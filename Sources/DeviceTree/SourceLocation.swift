// SPDX-License-Identifier: Apache-2.0

/// A position in a device-tree source file (dtc's `struct srcpos`).
///
/// Lines and columns count from 1. `endLine`/`endColumn` mark the last
/// character of the construct (inclusive), as dtc prints `file:L.C-C`.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file name as the user gave it (or as an `/include/` resolved it).
    public var file: String
    public var line: Int
    public var column: Int
    public var endLine: Int
    public var endColumn: Int

    public init(file: String, line: Int, column: Int, endLine: Int? = nil, endColumn: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.endLine = endLine ?? line
        self.endColumn = endColumn ?? column
    }

    /// `file:line:col`, the prefix of every diagnostic.
    public var description: String { "\(file):\(line):\(column)" }
}
