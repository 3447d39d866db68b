// SPDX-License-Identifier: Apache-2.0

/// Property values: strings, `< cells >`, `[ bytes ]`, `&ref`, `/incbin/`.
extension Parser {
    /// `propdata`: pieces separated by `,`, with labels anywhere between them.
    mutating func parsePropertyValue() throws(DeviceTreeError) -> PropertyValue {
        var value = PropertyValue()
        while true {
            try parseValueLabels(into: &value)
            try parseValuePiece(into: &value)
            try parseValueLabels(into: &value)
            guard isChar(",") else { return value }
            try advance()
        }
    }

    mutating func parseValueLabels(into value: inout PropertyValue) throws(DeviceTreeError) {
        while case .label(let l) = token.kind {
            value.markers.append(Marker(offset: value.bytes.count, kind: .label(l)))
            try advance()
        }
    }

    mutating func parseValuePiece(into value: inout PropertyValue) throws(DeviceTreeError) {
        switch token.kind {
        case .string(let bytes):
            value.markers.append(Marker(offset: value.bytes.count, kind: .type(.string)))
            value.bytes += bytes
            value.bytes.append(0)
            try advance()
        case .ref(let ref):
            value.markers.append(Marker(offset: value.bytes.count, kind: .pathReference(ref)))
            try advance()
        case .bits, .char(UInt8(ascii: "<")):
            try parseCells(into: &value)
        case .char(UInt8(ascii: "[")):
            try advance()
            value.markers.append(Marker(offset: value.bytes.count, kind: .type(.bytes)))
            while true {
                if case .byte(let b) = token.kind {
                    value.bytes.append(b)
                } else if case .label(let l) = token.kind {
                    value.markers.append(Marker(offset: value.bytes.count, kind: .label(l)))
                } else {
                    break
                }
                try advance()
            }
            _ = try expect("]")
        case .incbin:
            try parseIncbin(into: &value)
        default:
            throw syntaxError()
        }
    }

    /// `[/bits/ N] < cell… >` where a cell is a literal, `(expr)`, `&ref` or a label.
    mutating func parseCells(into value: inout PropertyValue) throws(DeviceTreeError) {
        var bits = 32
        if token.kind == .bits {
            try advance()
            guard case .literal(let n) = token.kind else { throw syntaxError() }
            guard n == 8 || n == 16 || n == 32 || n == 64 else {
                throw error("array elements must be 8, 16, 32 or 64-bits", at: token.location)
            }
            bits = Int(n)
            try advance()
        }
        _ = try expect("<")
        let type: ValueType = bits == 8 ? .cells8 : bits == 16 ? .cells16 : bits == 64 ? .cells64 : .cells32
        value.markers.append(Marker(offset: value.bytes.count, kind: .type(type)))
        while !isChar(">") {
            switch token.kind {
            case .label(let l):
                value.markers.append(Marker(offset: value.bytes.count, kind: .label(l)))
                try advance()
            case .ref(let ref):
                guard bits == 32 else {
                    throw error("references are only allowed in arrays with 32-bit elements", at: token.location)
                }
                value.markers.append(Marker(offset: value.bytes.count, kind: .phandleReference(ref)))
                value.bytes += [0xFF, 0xFF, 0xFF, 0xFF]
                try advance()
            default:
                let (cell, location) = try parsePrimary()
                if bits < 64 {
                    let mask: UInt64 = (1 << UInt64(bits)) - 1
                    if cell > mask, cell | mask != UInt64.max {
                        throw error("value out of range for \(bits)-bit array element", at: location)
                    }
                }
                appendInteger(cell, bits: bits, to: &value)
            }
        }
        try advance()
    }

    func appendInteger(_ v: UInt64, bits: Int, to value: inout PropertyValue) {
        var shift = bits - 8
        while shift >= 0 {
            value.bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift)))
            shift -= 8
        }
    }

    /// `/incbin/("file")` or `/incbin/("file", offset, length)`.
    mutating func parseIncbin(into value: inout PropertyValue) throws(DeviceTreeError) {
        try advance()
        _ = try expect("(")
        guard case .string(let nameBytes) = token.kind else { throw syntaxError() }
        let location = token.location
        try advance()
        var offset: UInt64 = 0
        var length = UInt64.max
        if isChar(",") {
            try advance()
            offset = try parsePrimary().value
            _ = try expect(",")
            length = try parsePrimary().value
        }
        _ = try expect(")")
        let name = Bytes.text(nameBytes.prefix { $0 != 0 }[...])
        let (_, contents) = try Lexer.open(
            name, from: lexer.input.directory, reader: lexer.reader, includePaths: lexer.includePaths, at: location)
        guard offset <= UInt64(Int64.max) else {
            throw error("couldn't seek to offset \(offset) in \"\(name)\"", at: location)
        }
        let start = Int(min(offset, UInt64(contents.count)))
        let end = start + Int(min(length, UInt64(contents.count - start)))
        value.bytes += contents[start..<end]
    }
}
