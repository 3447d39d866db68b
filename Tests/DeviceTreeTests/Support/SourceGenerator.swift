// SPDX-License-Identifier: Apache-2.0

/// Random device-tree sources for the randomized conformance test: small
/// name and label pools (so duplicates and dangling references happen),
/// every value form, expressions that may divide by zero or overflow, and
/// amendments and deletions.
struct SourceGenerator {
    var random: SplitMix64
    private var out = ""
    private let labels = ["a", "b", "c", "d"]
    private let names = ["n", "m", "cpu@0", "cpu@1", "bus@10"]

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
    mutating func number(_ bound: UInt64) -> UInt64 { random.next() % bound }

    mutating func source() -> String {
        out = "/dts-v1/;\n"
        if chance(10) { out += "/plugin/;\n" }
        if chance(20) { out += "/memreserve/ 0x\(String(number(1 << 20), radix: 16)) \(number(4096));\n" }
        node(name: "/", depth: 0)
        for _ in 0..<number(3) { amendment() }
        return out
    }

    private mutating func node(name: String, depth: Int) {
        if depth > 0 && chance(10) { out += "/omit-if-no-ref/ " }
        if chance(40) { out += "\(pick(labels)): " }
        out += "\(name) {\n"
        body(depth: depth)
        out += "};\n"
    }

    private mutating func body(depth: Int) {
        for _ in 0..<number(4) { property() }
        if chance(10) { out += "/delete-property/ \(pick(["p0", "p1", "reg"]));\n" }
        if depth < 3 {
            for _ in 0..<number(depth == 0 ? 4 : 3) { node(name: pick(names), depth: depth + 1) }
        }
        if chance(10) { out += "/delete-node/ \(pick(names));\n" }
    }

    private mutating func amendment() {
        switch number(4) {
        case 0: out += "/delete-node/ &\(pick(labels));\n"
        case 1: out += "&{/\(pick(names))} {\n"; body(depth: 2); out += "};\n"
        default: out += "\(chance(20) ? "\(pick(labels)): " : "")&\(pick(labels)) {\n"; body(depth: 2); out += "};\n"
        }
    }

    private mutating func property() {
        if chance(10) { out += "\(pick(labels)): " }
        out += pick(["p0", "p1", "reg", "compatible", "#address-cells"])
        if chance(15) {
            out += ";\n"
            return
        }
        out += " = "
        for index in 0..<(1 + number(3)) {
            if index > 0 { out += ", " }
            piece()
        }
        out += ";\n"
    }

    private mutating func piece() {
        switch number(6) {
        case 0: out += "\"\(pick(["", "x", "a\\tb", "\\x41\\101", "q\\\"", "\\0z"]))\""
        case 1: out += "[\(pick(["", "00", "0a 1b", "de ad be ef", "123"]))]"
        case 2: out += "&\(pick(labels))"
        case 3: out += "/bits/ \(pick([8, 16, 32, 64])) <\(cells())>"
        default: out += "<\(cells())>"
        }
    }

    private mutating func cells() -> String {
        (0..<number(4)).map { _ in cell() }.joined(separator: " ")
    }

    private mutating func cell() -> String {
        switch number(5) {
        case 0: return "&\(pick(labels))"
        case 1: return "(\(expression(depth: 0)))"
        case 2: return "'\(pick(["a", "\\n", "\\x7f", "\\0"]))'"
        default: return pick(["0", "1", "0x10", "4294967295", "0xffffffffffffffff", "-1", "017", "256"])
        }
    }

    private mutating func expression(depth: Int) -> String {
        if depth > 2 || chance(30) { return pick(["0", "1", "2", "7", "0x80000000", "-3", "64"]) }
        if chance(10) { return "\(pick(["-", "~", "!"]))\(expression(depth: depth + 1))" }
        if chance(10) {
            return "\(expression(depth: depth + 1)) ? \(expression(depth: depth + 1)) : \(expression(depth: depth + 1))"
        }
        let op = pick(["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "&&", "||", "==", "!=", "<", ">", "<=", ">="])
        return "(\(expression(depth: depth + 1)) \(op) \(expression(depth: depth + 1)))"
    }
}

/// Small random edits of a corpus file: cut a span, duplicate a span,
/// insert a syntax character, swap two lines.
struct SourceMutator {
    static let syntax = Array("{};<>&:/\"[]=,@#\\0x'()".utf8)
    var random: SplitMix64

    mutating func mutate(_ source: [UInt8]) -> [UInt8] {
        var bytes = source
        for _ in 0..<(1 + random.next() % 3) where !bytes.isEmpty {
            let at = Int(random.next() % UInt64(bytes.count))
            let span = min(Int(random.next() % 8) + 1, bytes.count - at)
            switch random.next() % 4 {
            case 0: bytes.removeSubrange(at..<at + span)
            case 1: bytes.insert(contentsOf: bytes[at..<at + span], at: at)
            case 2: bytes.insert(Self.syntax[Int(random.next() % UInt64(Self.syntax.count))], at: at)
            default: bytes = swapLines(bytes)
            }
        }
        return bytes
    }

    private mutating func swapLines(_ bytes: [UInt8]) -> [UInt8] {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.count > 1 else { return bytes }
        let i = Int(random.next() % UInt64(lines.count))
        let j = Int(random.next() % UInt64(lines.count))
        lines.swapAt(i, j)
        return Array(lines.joined(separator: [UInt8(ascii: "\n")]))
    }
}
