// SPDX-License-Identifier: Apache-2.0

/// Node bodies: `{ proplist subnodes };`.
extension Parser {
    /// `nodedef: '{' proplist subnodes '}' ';'`, named `name`.
    mutating func parseNodeDefinition(name: String, at location: SourceLocation) throws(DeviceTreeError) -> LiveNode {
        guard depth < Parser.maxDepth else { throw error("nodes nested too deeply", at: token.location) }
        depth += 1
        defer { depth -= 1 }
        _ = try expect("{")
        let node = LiveNode(name: name, location: location)
        var seenSubnode = false
        while !isChar("}") {
            let start = token.location
            var labels: [String] = []
            var omit = false
            while true {
                if case .label(let l) = token.kind {
                    labels.append(l)
                } else if token.kind == .omitIfNoRef {
                    omit = true
                } else {
                    break
                }
                try advance()
            }
            if !omit, try startsProperty() {
                if seenSubnode {
                    throw error("properties must precede subnodes", at: start)
                }
                let property = try parseProperty()
                for label in labels.reversed() { builder.addLabel(label, to: property) }
                node.properties.append(property)
            } else {
                let child = try parseSubnode()
                if omit { child.omitIfUnused = true }
                for label in labels.reversed() { builder.addLabel(label, to: child) }
                node.addChild(child)
                child.parentUnlinked = child.deleted  // dtc's build_node links live children only
                seenSubnode = true
            }
        }
        try advance()
        _ = try expect(";")
        return node
    }

    /// Whether the current token starts a `propdef` (after its labels).
    mutating func startsProperty() throws(DeviceTreeError) -> Bool {
        switch token.kind {
        case .deleteProperty:
            return true
        case .name:
            let next = try peek().kind
            return next == .char(UInt8(ascii: "=")) || next == .char(UInt8(ascii: ";"))
        default:
            return false
        }
    }

    /// `name = value;`, `name;` or `/delete-property/ name;`.
    mutating func parseProperty() throws(DeviceTreeError) -> LiveProperty {
        let start = token.location
        if token.kind == .deleteProperty {
            try advance()
            guard case .name(let name) = token.kind else { throw syntaxError() }
            try advance()
            let end = try expect(";")
            return LiveProperty(name: name, value: PropertyValue(), location: join(start, end), deleted: true)
        }
        guard case .name(let name) = token.kind else { throw syntaxError() }
        try advance()
        if isChar(";") {
            let end = token.location
            try advance()
            return LiveProperty(name: name, value: PropertyValue(), location: join(start, end))
        }
        _ = try expect("=")
        let value = try parsePropertyValue()
        let end = try expect(";")
        return LiveProperty(name: name, value: value, location: join(start, end))
    }

    /// `name { … };` or `/delete-node/ name;`.
    mutating func parseSubnode() throws(DeviceTreeError) -> LiveNode {
        let start = token.location
        if token.kind == .deleteNode {
            try advance()
            guard case .name(let name) = token.kind else { throw syntaxError() }
            try advance()
            let end = try expect(";")
            let node = LiveNode(name: name, location: join(start, end))
            node.deleted = true
            return node
        }
        guard case .name(let name) = token.kind else { throw syntaxError() }
        try advance()
        guard isChar("{") else { throw syntaxError() }
        return try parseNodeDefinition(name: name, at: start)
    }

    /// A location spanning `start` to the end of `end`.
    func join(_ start: SourceLocation, _ end: SourceLocation) -> SourceLocation {
        var location = start
        if end.file == start.file {
            location.endLine = end.endLine
            location.endColumn = end.endColumn
        }
        return location
    }
}
