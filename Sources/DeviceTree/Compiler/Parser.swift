// SPDX-License-Identifier: Apache-2.0

/// A recursive-descent equivalent of dtc 1.6.1's `dtc-parser.y`.
///
/// It builds the live tree as dtc's grammar actions do: amendments are merged
/// when they are read, deletions set flags, and labels and paths are looked up
/// in the tree as it stands at that point. The first error stops the parse.
struct Parser {
    var lexer: Lexer
    var token: Token
    var pending: [Token] = []
    var builder = TreeBuilder()
    var isPlugin = false
    var memoryReservations: [MemoryReservation] = []
    /// How deep nodes and parenthesised expressions may nest (bison's stack
    /// limit plays this role in dtc).
    static let maxDepth = 200
    var depth = 0

    init(lexer: Lexer) throws(DeviceTreeError) {
        self.lexer = lexer
        self.token = Token(kind: .eof, location: lexer.here())
        self.token = try self.lexer.next()
    }

    // MARK: Tokens

    mutating func advance() throws(DeviceTreeError) {
        token = pending.isEmpty ? try lexer.next() : pending.removeFirst()
    }

    /// The token after the current one.
    mutating func peek() throws(DeviceTreeError) -> Token {
        if pending.isEmpty { pending.append(try lexer.next()) }
        return pending[0]
    }

    func isChar(_ c: Character) -> Bool { token.kind == .char(c.asciiValue!) }

    func syntaxError() -> DeviceTreeError {
        DeviceTreeError(.error("syntax error: unexpected \(token.kind.display)", at: token.location))
    }

    mutating func expect(_ c: Character) throws(DeviceTreeError) -> SourceLocation {
        guard isChar(c) else { throw syntaxError() }
        let location = token.location
        try advance()
        return location
    }

    func error(_ message: String, at location: SourceLocation) -> DeviceTreeError {
        DeviceTreeError(.error(message, at: location))
    }

    // MARK: sourcefile: headers memreserves devicetree

    mutating func parseSourceFile() throws(DeviceTreeError) -> LiveNode {
        try parseHeaders()
        try parseMemoryReservations()
        try parseDeviceTree()
        guard token.kind == .eof else { throw syntaxError() }
        return builder.root!
    }

    /// `/dts-v1/;` with an optional `/plugin/;`, one or more times, all alike.
    mutating func parseHeaders() throws(DeviceTreeError) {
        var first: Bool?
        while token.kind == .v1 || first == nil {
            guard token.kind == .v1 else { throw syntaxError() }
            let start = token.location
            try advance()
            _ = try expect(";")
            var plugin = false
            if token.kind == .plugin {
                try advance()
                _ = try expect(";")
                plugin = true
            }
            if let first, first != plugin {
                throw error("header flags don't match earlier ones", at: start)
            }
            first = first ?? plugin
        }
        isPlugin = first ?? false
    }

    /// `[label:]… /memreserve/ address size;`
    mutating func parseMemoryReservations() throws(DeviceTreeError) {
        while true {
            var list = LabelList()
            while case .label(let l) = token.kind {
                _ = list.add(l)
                try advance()
            }
            let labels = list.live
            guard token.kind == .memreserve else {
                if !labels.isEmpty { throw syntaxError() }
                return
            }
            try advance()
            let address = try parsePrimary().value
            let size = try parsePrimary().value
            _ = try expect(";")
            memoryReservations.append(MemoryReservation(address: address, size: size, labels: labels))
        }
    }

    /// The top-level definitions: `/ {…};`, `&ref {…};`, `label: &ref {…};`,
    /// `/delete-node/ &ref;`, `/omit-if-no-ref/ &ref;`.
    mutating func parseDeviceTree() throws(DeviceTreeError) {
        if isChar("/") {
            let location = token.location
            try advance()
            builder.setRoot(try parseNodeDefinition(name: "", at: location))
        } else if case .ref(let ref) = token.kind {
            let location = token.location
            try advance()
            let body = try parseNodeDefinition(name: "", at: location)
            guard isPlugin else { throw error("label or path \(ref) not found", at: location) }
            builder.setRoot(LiveNode(name: "", location: location))
            builder.addOrphan(body, target: ref)
        } else {
            throw syntaxError()
        }
        while token.kind != .eof { try parseTopLevelItem() }
    }

    mutating func parseTopLevelItem() throws(DeviceTreeError) {
        let location = token.location
        switch token.kind {
        case .char(UInt8(ascii: "/")):
            try advance()
            let node = try parseNodeDefinition(name: "", at: location)
            builder.merge(node, into: builder.root!)
        case .label(let label):
            try advance()
            guard case .ref(let ref) = token.kind else { throw syntaxError() }
            let refLocation = token.location
            try advance()
            let node = try parseNodeDefinition(name: "", at: refLocation)
            guard let target = builder.node(byReference: ref) else {
                throw error("label or path \(ref) not found", at: refLocation)
            }
            builder.addLabel(label, to: target)
            builder.merge(node, into: target)
        case .ref(let ref):
            try advance()
            let node = try parseNodeDefinition(name: "", at: location)
            // In a plugin, dtc 1.6.1 always makes a fragment for `&{/path}`.
            if isPlugin, ref.utf8.first == UInt8(ascii: "/") {
                builder.addOrphan(node, target: ref)
            } else if let target = builder.node(byReference: ref) {
                builder.merge(node, into: target)
            } else if isPlugin {
                builder.addOrphan(node, target: ref)
            } else {
                throw error("label or path \(ref) not found", at: location)
            }
        case .deleteNode, .omitIfNoRef:
            let isDelete = token.kind == .deleteNode
            try advance()
            guard case .ref(let ref) = token.kind else { throw syntaxError() }
            let refLocation = token.location
            try advance()
            _ = try expect(";")
            guard let target = builder.node(byReference: ref) else {
                throw error("label or path \(ref) not found", at: refLocation)
            }
            if isDelete { target.delete() } else { target.omitIfUnused = true }
        default:
            throw syntaxError()
        }
    }
}
