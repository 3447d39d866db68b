// SPDX-License-Identifier: Apache-2.0

/// One file being read: its bytes, the read position and the position shown
/// in diagnostics (which `#line` markers may change).
struct LexerInput {
    var bytes: [UInt8]
    var position = 0
    /// The name shown in diagnostics (changed by line markers).
    var file: String
    /// The directory of the file as opened, for relative `/include/`s (nil: none).
    var directory: String?
    var line = 1
    var column = 1
}

/// The tokenizer, a byte-level equivalent of dtc 1.6.1's `dtc-lexer.l`.
///
/// Like flex it takes the longest match among the rules active in the current
/// start state (`INITIAL`, `V1`, `PROPNODENAME`, `BYTESTRING`) and, for ties,
/// the first rule. `/include/` is handled here, as dtc does, by pushing files.
struct Lexer {
    enum State { case initial, v1, propNodeName, byteString }

    var input: LexerInput
    var stack: [LexerInput] = []
    var state = State.initial
    let reader: any SourceFileReader
    let includePaths: [String]
    /// dtc's `MAX_SRCFILE_DEPTH`.
    static let maxIncludeDepth = 200

    init(file: String, bytes: [UInt8], reader: any SourceFileReader, includePaths: [String]) {
        self.input = LexerInput(bytes: bytes, file: file, directory: Lexer.directory(of: file))
        self.reader = reader
        self.includePaths = includePaths
    }

    /// dtc's `BEGIN_DEFAULT()`.
    mutating func beginDefault() { state = .v1 }

    /// The next token; throws on lexical errors and failed includes.
    mutating func next() throws(DeviceTreeError) -> Token {
        while true {
            let bytes = input.bytes
            let p = input.position
            guard p < bytes.count else {
                if let outer = stack.popLast() {
                    input = outer
                    continue
                }
                return Token(kind: .eof, location: here())
            }
            if let token = try lexOne(bytes, p) { return token }
        }
    }

    /// Lexes at `p`; nil when something was skipped (space, comment, include, line marker).
    private mutating func lexOne(_ b: [UInt8], _ p: Int) throws(DeviceTreeError) -> Token? {
        let c = b[p]
        if Bytes.isSpace(c) {
            var q = p + 1
            while q < b.count, Bytes.isSpace(b[q]) { q += 1 }
            consume(to: q)
            return nil
        }
        if c == UInt8(ascii: "#"), p == 0 || b[p - 1] == 0x0A, let end = try lineMarkerEnd(b, p) {
            try applyLineMarker(b, p, end)
            return nil
        }
        if c == UInt8(ascii: "/"), let token = try lexSlash(b, p) { return token.kind == .eof ? nil : token }
        var best = 0
        var kind = TokenKind.eof
        func offer(_ length: Int, _ k: @autoclosure () -> TokenKind) {
            if length > best {
                best = length
                kind = k()
            }
        }
        if c == UInt8(ascii: "\""), let end = stringEnd(b, p) {
            offer(end - p, .string([]))
        }
        if Bytes.isLabelStart(c) {
            var q = p + 1
            while q < b.count, Bytes.isLabelChar(b[q]) { q += 1 }
            if q < b.count, b[q] == UInt8(ascii: ":") { offer(q + 1 - p, .label(Bytes.text(b[p..<q]))) }
        }
        if state == .v1, Bytes.isDigit(c) {
            offer(literalEnd(b, p) - p, .literal(0))
        }
        if c == UInt8(ascii: "'"), let end = charLiteralEnd(b, p) { offer(end - p, .charLiteral(0)) }
        if c == UInt8(ascii: "&") { lexReference(b, p, offer) }
        if state == .byteString {
            if p + 1 < b.count, Bytes.hexValue(c) != nil, Bytes.hexValue(b[p + 1]) != nil {
                offer(2, .byte(Bytes.hexValue(c)! << 4 | Bytes.hexValue(b[p + 1])!))
            }
            if c == UInt8(ascii: "]") { offer(1, .char(c)) }
        }
        if state == .propNodeName {
            var q = c == UInt8(ascii: "\\") ? p + 1 : p
            let start = q
            while q < b.count, Bytes.isPropNodeChar(b[q]) { q += 1 }
            if q > start { offer(q - p, .name(Bytes.text(b[start..<q]))) }
        }
        if p + 1 < b.count, let op = Lexer.operators[UInt16(c) << 8 | UInt16(b[p + 1])] { offer(2, op) }
        if c != 0x0A { offer(1, .char(c)) }
        return try finish(kind, b, p, best)
    }

    /// Turns the winning match into a token and moves past it.
    private mutating func finish(_ kind: TokenKind, _ b: [UInt8], _ p: Int, _ length: Int) throws(DeviceTreeError)
        -> Token
    {
        let start = here()
        consume(to: p + length)
        let location = span(from: start)
        var kind = kind
        switch kind {
        case .string:
            kind = .string(try Escapes.decode(b[(p + 1)..<(p + length - 1)], at: location))
        case .literal:
            kind = .literal(try Escapes.integerLiteral(b[p..<(p + length)], at: location))
        case .charLiteral:
            kind = .charLiteral(try Escapes.charLiteral(b[(p + 1)..<(p + length - 1)], at: location))
        case .char(let c):
            if c == UInt8(ascii: "]"), state == .byteString { beginDefault() }
            if c == UInt8(ascii: "[") { state = .byteString }
            if c == UInt8(ascii: "{") || c == UInt8(ascii: ";") { state = .propNodeName }
        case .name:
            beginDefault()
        default:
            break
        }
        return Token(kind: kind, location: location)
    }

    static let operators: [UInt16: TokenKind] = {
        func key(_ a: Character, _ b: Character) -> UInt16 { UInt16(a.asciiValue!) << 8 | UInt16(b.asciiValue!) }
        return [
            key("<", "<"): .lshift, key(">", ">"): .rshift, key("<", "="): .lessEqual,
            key(">", "="): .greaterEqual, key("=", "="): .equal, key("!", "="): .notEqual,
            key("&", "&"): .logicalAnd, key("|", "|"): .logicalOr,
        ]
    }()

    // MARK: Positions

    /// The current position as a one-character location.
    func here() -> SourceLocation {
        SourceLocation(file: input.file, line: input.line, column: input.column)
    }

    /// A location from `start` to the character before the current position.
    func span(from start: SourceLocation) -> SourceLocation {
        var end = start
        end.endLine = input.line
        end.endColumn = max(input.column - 1, 1)
        if end.endLine == start.line, end.endColumn < start.column { end.endColumn = start.column }
        return end
    }

    /// Moves to `end`, counting lines and columns as dtc's `srcpos_update` does.
    mutating func consume(to end: Int) {
        let b = input.bytes
        var line = input.line
        var column = input.column
        var i = input.position
        while i < end {
            if b[i] == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
            i += 1
        }
        input.position = end
        input.line = line
        input.column = column
    }

    /// The directory part of a path, or nil when it has no `/` (dtc's `get_dirname`).
    static func directory(of path: String) -> String? {
        let bytes = Array(path.utf8)
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        return slash == 0 ? "/" : Bytes.text(bytes[..<slash])
    }
}
