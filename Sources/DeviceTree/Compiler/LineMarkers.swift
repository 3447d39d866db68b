// SPDX-License-Identifier: Apache-2.0

/// cpp's line markers (`# N "file" flags`), read as dtc's lexer reads them.
extension Lexer {
    /// A line marker at `p` (`#(line)?[ \t]+[0-9]+[ \t]+STRING([ \t]+[0-9]+)*`,
    /// dtc's rule): where its flags end, or nil when `p` does not start one.
    ///
    /// cpp writes a marker on a line of its own, so what dtc would take for
    /// one but cpp never writes is an error: a file name that does not end on
    /// the marker's line, or text after the flags.
    func lineMarkerEnd(_ b: [UInt8], _ p: Int) throws(DeviceTreeError) -> Int? {
        var q = p + 1
        if Bytes.hasPrefix(b, q, Array("line".utf8)) { q += 4 }
        func blanks() -> Bool {
            let s = q
            while q < b.count, b[q] == 0x20 || b[q] == 0x09 { q += 1 }
            return q > s
        }
        func digits() -> Bool {
            let s = q
            while q < b.count, Bytes.isDigit(b[q]) { q += 1 }
            return q > s
        }
        guard blanks(), digits(), blanks(), q < b.count, b[q] == UInt8(ascii: "\"") else { return nil }
        let newline = Bytes.find([0x0A], in: b, from: q) ?? b.count
        guard let end = stringEnd(b, q), end <= newline else {
            throw DeviceTreeError(.error("line marker's file name does not end on its line", at: here()))
        }
        q = end
        while true {
            let save = q
            guard blanks(), digits() else {
                q = save
                break
            }
        }
        let flagsEnd = q
        while q < newline, b[q] == 0x20 || b[q] == 0x09 || b[q] == 0x0D { q += 1 }
        guard q == newline else {
            let column = input.column + (q - p)
            throw DeviceTreeError(
                .error(
                    "unexpected text after line marker",
                    at: SourceLocation(file: input.file, line: input.line, column: column)))
        }
        return flagsEnd
    }

    /// Applies `# N "file"`: the next line is line N of `file` (the marker's
    /// newline is taken with it, so that no position is ever line N - 1).
    mutating func applyLineMarker(_ b: [UInt8], _ p: Int, _ end: Int) throws(DeviceTreeError) {
        let start = here()
        consume(to: end)
        let location = span(from: start)
        var q = p + 1
        while !Bytes.isDigit(b[q]) { q += 1 }
        var number = 0
        while Bytes.isDigit(b[q]) {
            number = min(number * 10 + Int(b[q] - 48), 1 << 40)
            q += 1
        }
        let open = Bytes.find([UInt8(ascii: "\"")], in: b, from: q)!
        let close = b[..<end].lastIndex(of: UInt8(ascii: "\""))!
        let name = try Escapes.decode(b[(open + 1)..<close], at: location)
        if name.contains(0) {
            throw DeviceTreeError(.error("nul in line number directive", at: location))
        }
        let newline = Bytes.find([0x0A], in: b, from: end) ?? b.count
        consume(to: min(newline + 1, b.count))
        input.file = Bytes.text(name[...])
        input.line = number
        input.column = 1
    }
}
