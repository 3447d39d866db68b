// SPDX-License-Identifier: Apache-2.0

/// Pieces shared by the `info` parsers of the vdrivers (vpipe, vbpipe, …).
///
/// What the real drivers do with malformed strings is not documented; vlm never
/// fails a device over its `info`: a field it cannot read takes its default and
/// the parser reports a warning, which the driver prints on the VM's console
/// (docs/decisions.md, "vpipe and vbpipe").
public enum InfoFields {
    /// A ring size: decimal digits with an optional `K` (×1024) or `M` (×1024²)
    /// suffix, either case. Nil for anything else, for 0, and above 1 GiB.
    public static func size(_ text: Substring) -> Int? {
        var digits = text
        var unit = 1
        switch text.last {
        case "K", "k":
            unit = 1 << 10
            digits = text.dropLast()
        case "M", "m":
            unit = 1 << 20
            digits = text.dropLast()
        default:
            break
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), digits.count <= 10,
            let value = Int(digits), value > 0, value <= (1 << 30) / unit
        else { return nil }
        return value * unit
    }

    /// A decimal number (a vbpipe minor), nil for anything else.
    public static func number(_ text: Substring, max: Int) -> Int? {
        guard !text.isEmpty, text.count <= 10, text.allSatisfy(\.isASCIIDigit), let value = Int(text),
            value <= max
        else { return nil }
        return value
    }

    /// A device name given with `name=`: one path component of at most 15 bytes
    /// (`char name[16]` of `ExDev`; longer names are cut). Nil when unusable.
    public static func deviceName(_ text: Substring) -> String? {
        let name = String(decoding: Array(text.utf8.prefix(15)), as: UTF8.self)
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.contains("\0"),
            !name.contains("\u{FFFD}")
        else { return nil }
        return name
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
