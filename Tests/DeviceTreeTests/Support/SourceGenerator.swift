// SPDX-License-Identifier: Apache-2.0
import PlatformTestSupport

/// Random device-tree sources for the randomized conformance test: small
/// name and label pools (so duplicates and dangling references happen),
/// every value form, expressions that may divide by zero or overflow, and
/// amendments and deletions.
struct SourceGenerator {
    var random: SplitMix64
    private var out = ""
    /// Node labels written so far: amendments mostly refer to one of them.
    private var defined: [String] = []
    private let labels = ["a", "b", "c", "d"]
    private let names = ["n", "m", "cpu@0", "cpu@1", "bus@10"]
    /// Rare names: some fail dtc's error checks (node_name_chars,
    /// node_name_format), some are the names of the generated nodes.
    private let badNames = ["n#1", "q?", "s*", "x@1@2", "@", "u@", "__symbols__", "__fixups__", "__local_fixups__"]
    private let paths = ["/n", "/m", "/n/m", "/cpu@0", "/bus@10/n", "/nowhere", "/", "//n", "/n/", "/cpu@0/m"]

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
    mutating func number(_ bound: UInt64) -> UInt64 { random.next() % bound }

    mutating func source() -> String {
        out = "/dts-v1/;\n"
        defined = []
        if chance(10) { out += "/plugin/;\n" }
        if chance(20) { out += "/memreserve/ 0x\(String(number(1 << 20), radix: 16)) \(number(4096));\n" }
        node(name: "/", depth: 0)
        for _ in 0..<number(3) { amendment() }
        return out
    }

    private mutating func node(name: String, depth: Int) {
        if depth > 0 && chance(10) { out += "/omit-if-no-ref/ " }
        if depth > 0 ? chance(40) : chance(2) { out += "\(label()): " }
        out += "\(name) {\n"
        body(depth: depth)
        out += "};\n"
    }

    private mutating func body(depth: Int) {
        for _ in 0..<number(4) { property() }
        if chance(10) { out += "/delete-property/ \(pick(["p0", "p1", "reg"]));\n" }
        if depth < 3 {
            for _ in 0..<number(depth == 0 ? 4 : 3) {
                node(name: chance(5) ? pick(badNames) : pick(names), depth: depth + 1)
            }
        }
        if chance(10) { out += "/delete-node/ \(pick(names));\n" }
    }

    private mutating func amendment() {
        switch number(7) {
        case 0: out += "/delete-node/ &\(target());\n"
        case 4:
            out += "/ {\n"
            body(depth: 1)
            out += "};\n"
        case 5: out += "/omit-if-no-ref/ &\(target());\n"
        case 6: out += "/delete-node/ &{\(pick(paths))};\n"
        case 1:
            out += "&{/\(pick(names))} {\n"
            body(depth: 2)
            out += "};\n"
        default:
            out += "\(chance(20) ? "\(label()): " : "")&\(target()) {\n"
            body(depth: 2)
            out += "};\n"
        }
    }

    private mutating func property() {
        if chance(10) { out += "\(pick(labels)): " }
        if chance(8) {
            specialProperty()
            return
        }
        out += pick(["p0", "p1", "reg", "compatible", "#address-cells"])
        if chance(15) {
            out += ";\n"
            return
        }
        out += " = "
        for index in 0..<(1 + number(3)) {
            if index > 0 { out += ", " }
            piece()
            if chance(4) { out += " \(pick(labels)):" }
        }
        out += ";\n"
    }

    /// Properties dtc's error checks look at: phandles (explicit, self- and
    /// cross-references, bad values), `name`, bad property names.
    private mutating func specialProperty() {
        switch number(5) {
        case 0, 1:
            out += "\(pick(["phandle", "linux,phandle"])) = "
            out += pick(["<1>", "<2>", "<0>", "<0xffffffff>", "<1 2>", "<&\(pick(labels))>", "\"x\""]) + ";\n"
        case 2: out += "name = \(pick(["\"n\"", "\"m\"", "\"cpu\"", "<1>", "\"\""]));\n"
        default: out += "\(pick(["p@1", "p#q", "p?", "a,b*"])) = <1>;\n"
        }
    }

    private mutating func piece() {
        switch number(6) {
        case 0: out += "\"\(pick(["", "x", "a\\tb", "\\x41\\101", "q\\\"", "\\0z"]))\""
        case 1: out += "[\(pick(["", "00", "0a 1b", "de ad be ef", "0102"]))]"
        case 2: out += chance(25) ? "&{\(pick(paths))}" : "&\(pick(labels))"
        case 3:
            let bits = pick([8, 16, 32, 64])
            out += "/bits/ \(bits) <\(cells(references: bits == 32 || chance(5)))>"
        default: out += "<\(cells())>"
        }
    }

    /// A label for a node; remembered for the amendments.
    private mutating func label() -> String {
        let name = pick(labels)
        defined.append(name)
        return name
    }

    /// The label an amendment refers to: mostly one that exists.
    private mutating func target() -> String {
        defined.isEmpty || chance(15) ? pick(labels) : pick(defined)
    }

    /// dtc allows references only in 32-bit arrays.
    private mutating func cells(references: Bool = true) -> String {
        (0..<number(4)).map { _ in (chance(5) ? "\(pick(labels)): " : "") + cell(references: references) }
            .joined(separator: " ")
    }

    private mutating func cell(references: Bool) -> String {
        switch number(references ? 5 : 4) + (references ? 0 : 1) {
        case 0: return chance(25) ? "&{\(pick(paths))}" : "&\(pick(labels))"
        case 1: return "(\(expression(depth: 0)))"
        case 2: return "'\(pick(["a", "\\n", "\\x7f", "\\0"]))'"
        default: return pick(["0", "1", "0x10", "4294967295", "0xffffffffffffffff", "(-1)", "017", "256"])
        }
    }

    private mutating func expression(depth: Int) -> String {
        if depth > 2 || chance(30) { return pick(["0", "1", "2", "7", "0x80000000", "-3", "64"]) }
        if chance(10) { return "\(pick(["-", "~", "!"]))\(expression(depth: depth + 1))" }
        if chance(10) {
            return "\(expression(depth: depth + 1)) ? \(expression(depth: depth + 1)) : \(expression(depth: depth + 1))"
        }
        let op = pick([
            "+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "&&", "||", "==", "!=", "<", ">", "<=", ">=",
        ])
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
