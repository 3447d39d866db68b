// SPDX-License-Identifier: Apache-2.0

/// A token of dtc's source language (the terminals of `dtc-parser.y`).
enum TokenKind: Equatable {
    case v1  // /dts-v1/
    case plugin  // /plugin/
    case memreserve  // /memreserve/
    case bits  // /bits/
    case deleteProperty  // /delete-property/
    case deleteNode  // /delete-node/
    case omitIfNoRef  // /omit-if-no-ref/
    case incbin  // /incbin/
    case label(String)  // name:
    case literal(UInt64)  // 42, 0x2a, 052
    case charLiteral(UInt64)  // 'a'
    case ref(String)  // &label or &{/path} (the path keeps its leading '/')
    case string([UInt8])  // "text", escapes already applied, without the NUL
    case byte(UInt8)  // two hex digits inside [ ]
    case name(String)  // a property or node name
    case lshift, rshift, lessEqual, greaterEqual, equal, notEqual, logicalAnd, logicalOr
    case char(UInt8)  // any other single character: / { } ; = < > [ ] , ( ) ? : etc.
    case eof

    /// How the token is shown in a syntax error.
    var display: String {
        switch self {
        case .v1: return "/dts-v1/"
        case .plugin: return "/plugin/"
        case .memreserve: return "/memreserve/"
        case .bits: return "/bits/"
        case .deleteProperty: return "/delete-property/"
        case .deleteNode: return "/delete-node/"
        case .omitIfNoRef: return "/omit-if-no-ref/"
        case .incbin: return "/incbin/"
        case .label(let l): return "label '\(l):'"
        case .literal(let v): return "integer \(v)"
        case .charLiteral: return "character literal"
        case .ref(let r): return r.hasPrefix("/") ? "reference '&{\(r)}'" : "reference '&\(r)'"
        case .string: return "string"
        case .byte: return "byte"
        case .name(let n): return "name '\(n)'"
        case .lshift: return "'<<'"
        case .rshift: return "'>>'"
        case .lessEqual: return "'<='"
        case .greaterEqual: return "'>='"
        case .equal: return "'=='"
        case .notEqual: return "'!='"
        case .logicalAnd: return "'&&'"
        case .logicalOr: return "'||'"
        case .char(let c):
            if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
            return "character 0x\(String(c, radix: 16))"
        case .eof: return "end of input"
        }
    }
}

/// A token with the place it was read from.
struct Token {
    var kind: TokenKind
    var location: SourceLocation
}
