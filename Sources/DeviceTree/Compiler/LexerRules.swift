// SPDX-License-Identifier: Apache-2.0

/// The lexer rules that need more than one byte of look-ahead.
extension Lexer {
    static let keywords: [(text: [UInt8], kind: TokenKind)] =
        ([

            ("/dts-v1/", .v1), ("/plugin/", .plugin), ("/memreserve/", .memreserve), ("/bits/", .bits),
            ("/delete-property/", .deleteProperty), ("/delete-node/", .deleteNode),
            ("/omit-if-no-ref/", .omitIfNoRef), ("/incbin/", .incbin),
        ] as [(String, TokenKind)]).map { (Array($0.0.utf8), $0.1) }

    /// Rules starting with `/`: keywords, comments, `/include/`. Returns a token,
    /// `.eof` as "skipped", or nil when `/` is just a character.
    mutating func lexSlash(_ b: [UInt8], _ p: Int) throws(DeviceTreeError) -> Token? {
        guard p + 1 < b.count else { return nil }
        if b[p + 1] == UInt8(ascii: "*") {
            guard let end = Bytes.find([UInt8(ascii: "*"), UInt8(ascii: "/")], in: b, from: p + 2) else { return nil }
            consume(to: end + 2)
            return Token(kind: .eof, location: here())
        }
        if b[p + 1] == UInt8(ascii: "/") {
            guard let newline = Bytes.find([0x0A], in: b, from: p + 2) else { return nil }
            consume(to: newline + 1)
            return Token(kind: .eof, location: here())
        }
        if Bytes.hasPrefix(b, p, Lexer.includeKeyword) {
            var q = p + Lexer.includeKeyword.count
            while q < b.count, Bytes.isSpace(b[q]) { q += 1 }
            if q < b.count, b[q] == UInt8(ascii: "\""), let end = stringEnd(b, q) {
                let start = here()
                consume(to: end)
                try pushInclude(Bytes.text(b[(q + 1)..<(end - 1)]), at: span(from: start))
                return Token(kind: .eof, location: here())
            }
        }
        for (text, kind) in Lexer.keywords where Bytes.hasPrefix(b, p, text) {
            // `/incbin/` is the one keyword dtc only knows in its default states.
            if kind == .incbin, state == .propNodeName || state == .byteString { return nil }
            let start = here()
            consume(to: p + text.count)
            switch kind {
            case .v1, .memreserve, .bits: beginDefault()
            case .deleteNode, .deleteProperty, .omitIfNoRef: state = .propNodeName
            default: break
            }
            return Token(kind: kind, location: span(from: start))
        }
        return nil
    }

    static let includeKeyword = Array("/include/".utf8)

    /// End (exclusive) of `"…"` at `p`: `\"([^\\"]|\\.)*\"`, or nil.
    func stringEnd(_ b: [UInt8], _ p: Int) -> Int? {
        var q = p + 1
        while q < b.count {
            switch b[q] {
            case UInt8(ascii: "\""): return q + 1
            case UInt8(ascii: "\\"):
                guard q + 1 < b.count, b[q + 1] != 0x0A else { return nil }
                q += 2
            default: q += 1
            }
        }
        return nil
    }

    /// End of `'…'` at `p` for `'([^']|\\')*'` (longest match), or nil.
    func charLiteralEnd(_ b: [UInt8], _ p: Int) -> Int? {
        var q = p + 1
        var lastEnd: Int?
        while q < b.count {
            if b[q] == UInt8(ascii: "'") {
                lastEnd = q + 1
                // A quote not escaped by a backslash can only end the literal.
                if !(q - 1 > p && b[q - 1] == UInt8(ascii: "\\")) { return q + 1 }
            }
            q += 1
        }
        return lastEnd
    }

    /// End of `([0-9]+|0[xX][0-9a-fA-F]+)(U|L|UL|LL|ULL)?` at `p` (a digit).
    func literalEnd(_ b: [UInt8], _ p: Int) -> Int {
        var q = p + 1
        if b[p] == UInt8(ascii: "0"), q + 1 < b.count, b[q] | 0x20 == UInt8(ascii: "x"), Bytes.hexValue(b[q + 1]) != nil
        {
            q += 2
            while q < b.count, Bytes.hexValue(b[q]) != nil { q += 1 }
        } else {
            while q < b.count, Bytes.isDigit(b[q]) { q += 1 }
        }
        for suffix in ["ULL", "UL", "LL", "U", "L"] where Bytes.hasPrefix(b, q, Array(suffix.utf8)) {
            return q + suffix.utf8.count
        }
        return q
    }

    /// `&label` and `&{/path}`.
    func lexReference(_ b: [UInt8], _ p: Int, _ offer: (Int, @autoclosure () -> TokenKind) -> Void) {
        var q = p + 1
        if q < b.count, Bytes.isLabelStart(b[q]) {
            while q < b.count, Bytes.isLabelChar(b[q]) { q += 1 }
            offer(q - p, .ref(Bytes.text(b[(p + 1)..<q])))
        } else if q + 1 < b.count, b[q] == UInt8(ascii: "{"), b[q + 1] == UInt8(ascii: "/") {
            q += 2
            while q < b.count, Bytes.isPropNodeChar(b[q]) || b[q] == UInt8(ascii: "/") { q += 1 }
            if q < b.count, b[q] == UInt8(ascii: "}") { offer(q + 1 - p, .ref(Bytes.text(b[(p + 2)..<q]))) }
        }
    }

    /// Opens an included file as dtc's `srcfile_relative_open` does: next to the
    /// including file first, then in each `-i` directory.
    mutating func pushInclude(_ name: String, at location: SourceLocation) throws(DeviceTreeError) {
        guard stack.count + 1 < Lexer.maxIncludeDepth else {
            throw DeviceTreeError(.error("includes nested too deeply", at: location))
        }
        let (path, bytes) = try Lexer.open(
            name, from: input.directory, reader: reader, includePaths: includePaths, at: location)
        stack.append(input)
        input = LexerInput(bytes: bytes, file: path, directory: Lexer.directory(of: path))
    }

    /// Finds `name` relative to `directory`, then in `includePaths`: the
    /// first path where something exists wins, as with dtc's `fopen`, so a
    /// directory or a device there is an error rather than skipped.
    static func open(
        _ name: String, from directory: String?, reader: any SourceFileReader, includePaths: [String],
        at location: SourceLocation?
    ) throws(DeviceTreeError) -> (String, [UInt8]) {
        func join(_ dir: String?, _ file: String) -> String {
            guard let dir, !file.hasPrefix("/") else { return file }
            return dir.hasSuffix("/") ? dir + file : dir + "/" + file
        }
        let candidates = [join(directory, name)] + (name.hasPrefix("/") ? [] : includePaths.map { join($0, name) })
        for path in candidates {
            switch reader.read(path) {
            case .success(let bytes): return (path, bytes)
            case .failure(.notFound): continue
            case .failure(let problem): throw DeviceTreeError(.error(describe(problem, path), at: location))
            }
        }
        throw DeviceTreeError(.error("couldn't open \"\(name)\": no such file", at: location))
    }

    private static func describe(_ problem: SourceFileProblem, _ path: String) -> String {
        switch problem {
        case .notFound: "couldn't open \"\(path)\": no such file"
        case .directory: "\(path) is a directory"
        case .notRegularFile: "\(path) is not a regular file"
        case .unreadable(let reason): "couldn't read \"\(path)\": \(reason)"
        }
    }
}
