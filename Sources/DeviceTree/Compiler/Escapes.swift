// SPDX-License-Identifier: Apache-2.0

/// String escapes, integer and character literals, as dtc 1.6.1 reads them
/// (`data_copy_escape_string`, `get_escape_char`, `strtoull(…, 0)`).
enum Escapes {
    /// The bytes of a string body with escapes applied (no terminating NUL).
    static func decode(_ s: ArraySlice<UInt8>, at location: SourceLocation) throws(DeviceTreeError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            i += 1
            if c == UInt8(ascii: "\\"), i < s.endIndex {
                out.append(try escape(s, &i, at: location))
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// One escape; `i` is just after the backslash.
    static func escape(_ s: ArraySlice<UInt8>, _ i: inout Int, at location: SourceLocation) throws(DeviceTreeError)
        -> UInt8
    {
        let c = s[i]
        switch c {
        case UInt8(ascii: "a"):
            i += 1
            return 0x07
        case UInt8(ascii: "b"):
            i += 1
            return 0x08
        case UInt8(ascii: "t"):
            i += 1
            return 0x09
        case UInt8(ascii: "n"):
            i += 1
            return 0x0A
        case UInt8(ascii: "v"):
            i += 1
            return 0x0B
        case UInt8(ascii: "f"):
            i += 1
            return 0x0C
        case UInt8(ascii: "r"):
            i += 1
            return 0x0D
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            return UInt8(truncatingIfNeeded: strtol(s, &i, window: 3, radix: 8) ?? 0)
        case UInt8(ascii: "x"):
            i += 1
            guard let value = strtol(s, &i, window: 2, radix: 16) else {
                throw DeviceTreeError(.error("\\x used with no following hex digits", at: location))
            }
            return UInt8(truncatingIfNeeded: value)
        default:
            i += 1
            return c
        }
    }

    /// C `strtol` over at most `window` bytes (stopping at NUL, as `strncpy` does):
    /// leading blanks, a sign, then digits. Nil when no digit was read.
    static func strtol(_ s: ArraySlice<UInt8>, _ i: inout Int, window: Int, radix: Int) -> Int? {
        var end = i
        while end < s.endIndex, end - i < window, s[end] != 0 { end += 1 }
        var q = i
        while q < end, Bytes.isSpace(s[q]) { q += 1 }
        var negative = false
        if q < end, s[q] == UInt8(ascii: "-") || s[q] == UInt8(ascii: "+") {
            negative = s[q] == UInt8(ascii: "-")
            q += 1
        }
        var value = 0
        let digitsStart = q
        while q < end, let d = Bytes.hexValue(s[q]), Int(d) < radix {
            value = value * radix + Int(d)
            q += 1
        }
        guard q > digitsStart else { return nil }
        i = q
        return negative ? -value : value
    }

    /// An integer literal as `strtoull(text, &end, 0)` reads it, with dtc's checks.
    static func integerLiteral(_ text: ArraySlice<UInt8>, at location: SourceLocation) throws(DeviceTreeError) -> UInt64
    {
        var i = text.startIndex
        var radix: UInt64 = 10
        if text[i] == UInt8(ascii: "0") {
            radix = 8
            if i + 1 < text.endIndex, text[i + 1] | 0x20 == UInt8(ascii: "x") {
                radix = 16
                i += 2
            }
        }
        var value: UInt64 = 0
        var overflow = false
        while i < text.endIndex, let d = Bytes.hexValue(text[i]), UInt64(d) < radix {
            let (m, o1) = value.multipliedReportingOverflow(by: radix)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            overflow = overflow || o1 || o2
            value = a
            i += 1
        }
        let shown = Bytes.text(text)
        if text[i...].contains(where: { $0 != UInt8(ascii: "U") && $0 != UInt8(ascii: "L") }) {
            throw DeviceTreeError(.error("bad integer literal '\(shown)'", at: location))
        }
        if overflow {
            throw DeviceTreeError(.error("integer literal '\(shown)' out of range", at: location))
        }
        return value
    }

    /// The value of a character literal body (between the quotes).
    static func charLiteral(_ body: ArraySlice<UInt8>, at location: SourceLocation) throws(DeviceTreeError) -> UInt64 {
        let bytes = try decode(body, at: location)
        guard let first = bytes.first else {
            throw DeviceTreeError(.error("empty character literal", at: location))
        }
        guard bytes.count == 1 else {
            throw DeviceTreeError(.error("character literal has \(bytes.count) characters instead of 1", at: location))
        }
        return UInt64(first)
    }
}
