// SPDX-License-Identifier: Apache-2.0
import PlatformTestSupport

/// Seeded mutations of a `.dts` source for the config fuzz test: byte flips,
/// insertions of tokens of the language (and of cpp's line markers), cuts,
/// truncation, duplication of spans and swaps of lines.
struct DTSMutator {

    static let tokens: [[UInt8]] = [
        "{", "}", ";", "<", ">", "&", "&{/", ":", "/", "\"", "[", "]", "=", ",", "@", "#", "\\", "0x", "'", "(",
        ")", "\n", "-", "?", "*", "/include/ \"", "/incbin/(\"", "/delete-node/ ", "/delete-property/ ",
        "/memreserve/ ", "/dts-v1/;", "/plugin/;", "/bits/ 64 ", "/bits/ 8 ", "/omit-if-no-ref/ ", "\n# 1 \"x.dts\"\n",
        "\n# 0 \"", "\n#line 4294967296 \"y\" 1 3\n", "lbl: ", "&lbl", "&vm2", "0xffffffffffffffff", "(1/0)", "<<",
        ">>",
        "18446744073709551616", "/*", "*/", "//", "= <", "= \"", "= [00 ", "vm@2 { ", "vlm,", "vl,", "reg = <2>;",
        "compatible = \"vpipe\";", "phandle = <1>;", "#address-cells = <3>;", "status = \"disabled\";", "\u{0}",
        "\u{FF}",
    ].map { Array($0.utf8) }

    var random: SplitMix64

    /// A copy of `source` with one to four mutations.
    mutating func mutate(_ source: [UInt8]) -> [UInt8] {
        var bytes = source
        for _ in 0...random.below(4) {
            let at = random.below(bytes.count + 1)
            let span = min(random.below(16) + 1, bytes.count - at)
            switch random.below(8) {
            case 0 where at < bytes.count: bytes[at] ^= UInt8(1 << random.below(8))
            case 1, 2: bytes.insert(contentsOf: Self.tokens[random.below(Self.tokens.count)], at: at)
            case 3: bytes.removeSubrange(at..<at + span)
            case 4: bytes.removeSubrange(at...)
            case 5: bytes.insert(contentsOf: bytes[at..<at + span], at: at)
            case 6: bytes.insert(contentsOf: Array(bytes[at..<at + span]), at: random.below(bytes.count + 1))
            default: bytes = swapLines(bytes)
            }
        }
        return bytes
    }

    private mutating func swapLines(_ bytes: [UInt8]) -> [UInt8] {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.count > 1 else { return bytes }
        lines.swapAt(random.below(lines.count), random.below(lines.count))
        return Array(lines.joined(separator: [UInt8(ascii: "\n")]))
    }
}
