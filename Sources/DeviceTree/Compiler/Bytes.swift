// SPDX-License-Identifier: Apache-2.0

/// Byte classification and small helpers for the lexer (ASCII only, as dtc's
/// character classes are).
enum Bytes {
    /// `[[:space:]]`: space, \t, \n, \v, \f, \r.
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    /// `[a-zA-Z_]`
    @inline(__always) static func isLabelStart(_ c: UInt8) -> Bool { isAlpha(c) || c == 0x5F }
    /// `[a-zA-Z0-9_]`
    @inline(__always) static func isLabelChar(_ c: UInt8) -> Bool { isAlpha(c) || isDigit(c) || c == 0x5F }

    /// dtc's `PROPNODECHAR`: `[a-zA-Z0-9,._+*#?@-]`.
    static let propNodeChars: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for c in UInt8(0)...UInt8(255) where isAlpha(c) || isDigit(c) { table[Int(c)] = true }
        for c in ",._+*#?@-".utf8 { table[Int(c)] = true }
        return table
    }()

    @inline(__always) static func isPropNodeChar(_ c: UInt8) -> Bool { propNodeChars[Int(c)] }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    static func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    static func hasPrefix(_ b: [UInt8], _ p: Int, _ prefix: [UInt8]) -> Bool {
        guard p + prefix.count <= b.count else { return false }
        for i in 0..<prefix.count where b[p + i] != prefix[i] { return false }
        return true
    }

    /// Index of the first occurrence of `needle` at or after `from`.
    static func find(_ needle: [UInt8], in b: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, from < b.count else { return nil }
        let first = needle[0]
        var i = from
        while i + needle.count <= b.count {
            if b[i] == first, hasPrefix(b, i, needle) { return i }
            i += 1
        }
        return nil
    }
}
