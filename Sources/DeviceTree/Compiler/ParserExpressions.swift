// SPDX-License-Identifier: Apache-2.0

/// Integer expressions: C precedence and 64-bit unsigned arithmetic, as the
/// `integer_*` rules of dtc 1.6.1 compute them (both sides of `?:`, `||` and
/// `&&` are always evaluated, shifts of 64 or more give 0).
extension Parser {
    typealias Value = (value: UInt64, location: SourceLocation)

    enum BinaryOperator {
        case or, and, bitOr, bitXor, bitAnd, equal, notEqual, less, greater, lessEqual, greaterEqual
        case shiftLeft, shiftRight, add, subtract, multiply, divide, modulo
    }

    /// The binary operator levels, loosest first.
    static let levels: [[(TokenKind, BinaryOperator)]] = [
        [(.logicalOr, .or)],
        [(.logicalAnd, .and)],
        [(.char(UInt8(ascii: "|")), .bitOr)],
        [(.char(UInt8(ascii: "^")), .bitXor)],
        [(.char(UInt8(ascii: "&")), .bitAnd)],
        [(.equal, .equal), (.notEqual, .notEqual)],
        [
            (.char(UInt8(ascii: "<")), .less), (.char(UInt8(ascii: ">")), .greater),
            (.lessEqual, .lessEqual), (.greaterEqual, .greaterEqual),
        ],
        [(.lshift, .shiftLeft), (.rshift, .shiftRight)],
        [(.char(UInt8(ascii: "+")), .add), (.char(UInt8(ascii: "-")), .subtract)],
        [
            (.char(UInt8(ascii: "*")), .multiply), (.char(UInt8(ascii: "/")), .divide),
            (.char(UInt8(ascii: "%")), .modulo),
        ],
    ]

    /// `integer_prim`: a literal, a character literal or `( expr )`.
    mutating func parsePrimary() throws(DeviceTreeError) -> Value {
        let location = token.location
        switch token.kind {
        case .literal(let v), .charLiteral(let v):
            try advance()
            return (v, location)
        case .char(UInt8(ascii: "(")):
            try enter()
            defer { depth -= 1 }
            try advance()
            let inner = try parseExpression()
            let end = try expect(")")
            return (inner.value, join(location, end))
        default:
            throw syntaxError()
        }
    }

    mutating func enter() throws(DeviceTreeError) {
        guard depth < Parser.maxDepth else { throw error("expression nested too deeply", at: token.location) }
        depth += 1
    }

    /// `integer_trinary: integer_or | integer_or '?' integer_expr ':' integer_trinary`.
    mutating func parseExpression() throws(DeviceTreeError) -> Value {
        let condition = try parseBinary(level: 0)
        guard isChar("?") else { return condition }
        try enter()
        defer { depth -= 1 }
        try advance()
        let yes = try parseExpression()
        _ = try expect(":")
        let no = try parseExpression()
        return (condition.value != 0 ? yes.value : no.value, join(condition.location, no.location))
    }

    mutating func parseBinary(level: Int) throws(DeviceTreeError) -> Value {
        guard level < Parser.levels.count else { return try parseUnary() }
        var left = try parseBinary(level: level + 1)
        while let op = Parser.levels[level].first(where: { $0.0 == token.kind })?.1 {
            try advance()
            let right = try parseBinary(level: level + 1)
            let location = join(left.location, right.location)
            left = (try apply(op, left.value, right.value, at: location), location)
        }
        return left
    }

    mutating func parseUnary() throws(DeviceTreeError) -> Value {
        let location = token.location
        guard case .char(let c) = token.kind, c == UInt8(ascii: "-") || c == UInt8(ascii: "~") || c == UInt8(ascii: "!")
        else { return try parsePrimary() }
        try enter()
        defer { depth -= 1 }
        try advance()
        let operand = try parseUnary()
        let span = join(location, operand.location)
        switch c {
        case UInt8(ascii: "-"): return (0 &- operand.value, span)
        case UInt8(ascii: "~"): return (~operand.value, span)
        default: return (operand.value == 0 ? 1 : 0, span)
        }
    }

    func apply(_ op: BinaryOperator, _ a: UInt64, _ b: UInt64, at location: SourceLocation) throws(DeviceTreeError)
        -> UInt64
    {
        func bool(_ x: Bool) -> UInt64 { x ? 1 : 0 }
        switch op {
        case .or: return bool(a != 0 || b != 0)
        case .and: return bool(a != 0 && b != 0)
        case .bitOr: return a | b
        case .bitXor: return a ^ b
        case .bitAnd: return a & b
        case .equal: return bool(a == b)
        case .notEqual: return bool(a != b)
        case .less: return bool(a < b)
        case .greater: return bool(a > b)
        case .lessEqual: return bool(a <= b)
        case .greaterEqual: return bool(a >= b)
        case .shiftLeft: return b < 64 ? a << b : 0
        case .shiftRight: return b < 64 ? a >> b : 0
        case .add: return a &+ b
        case .subtract: return a &- b
        case .multiply: return a &* b
        case .divide, .modulo:
            guard b != 0 else { throw error("division by zero", at: location) }
            return op == .divide ? a / b : a % b
        }
    }
}
