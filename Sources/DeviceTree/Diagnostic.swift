// SPDX-License-Identifier: Apache-2.0

/// One message about a source: a syntax error, a failed check, a warning.
///
/// Rendered as `file:line:col: error: message` (or `warning:`), the form
/// compilers and editors understand. dtc's check name, when there is one,
/// is kept in `check` and printed in parentheses after the severity.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible, Error {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public var severity: Severity
    public var location: SourceLocation?
    public var message: String
    /// dtc's check name (`duplicate_node_names`), or nil for syntax errors.
    public var check: String?

    public init(_ severity: Severity, _ message: String, at location: SourceLocation?, check: String? = nil) {
        self.severity = severity
        self.message = message
        self.location = location
        self.check = check
    }

    public static func error(_ message: String, at location: SourceLocation?, check: String? = nil) -> Diagnostic {
        Diagnostic(.error, message, at: location, check: check)
    }

    public static func warning(_ message: String, at location: SourceLocation?, check: String? = nil) -> Diagnostic {
        Diagnostic(.warning, message, at: location, check: check)
    }

    public var description: String {
        let place = location.map { "\($0): " } ?? ""
        let checkName = check.map { " (\($0))" } ?? ""
        return "\(place)\(severity.rawValue)\(checkName): \(message)"
    }
}

/// Thrown when a source cannot be compiled; carries every diagnostic so far.
public struct DeviceTreeError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public init(_ diagnostic: Diagnostic) { self.diagnostics = [diagnostic] }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
