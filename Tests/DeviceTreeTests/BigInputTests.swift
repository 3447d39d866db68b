// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import PlatformTestSupport
import Testing

/// Inputs that once took quadratic time (a long property name, thousands of
/// labels on one node) compile to dtc's blob. Their speed is measured by
/// `Scripts/bench dt`, not here; the sizes stay where dtc copes (its parser
/// overflows past about 10,000 labels in a row).
@Suite(.enabled(if: DTC.shouldRun, DTC.skipReason))
struct BigInputTests {
    static func sameBlobAsDTC(_ source: String, symbols: Bool = false) throws {
        let ours = DTB.encode(try Source.compile(source, options: CompileOptions(generateSymbols: symbols)).tree)
        let theirs = try withTemporaryFile(Array(source.utf8), suffix: ".dts") { path in
            try DTC.run(["-q", "-I", "dts", "-O", "dtb", "-o", "-"] + (symbols ? ["-@"] : []) + [path])
        }
        #expect(theirs.status == 0, "\(theirs.standardError)")
        #expect(ours == theirs.standardOutput)
    }

    @Test func longPropertyNamesShareTailsAsDTC() throws {
        let long = String(repeating: "ab", count: 32 * 1024)
        let names = [long, "x" + long, String(long.dropFirst(7)), "b", "y" + long + "a", "a"]
        try Self.sameBlobAsDTC("/dts-v1/;\n/ {\n" + names.map { "\t\($0);\n" }.joined() + "};\n")
    }

    @Test(arguments: [false, true])
    func thousandsOfLabelsOnOneNode(symbols: Bool) throws {
        let labels = (0..<5000).map { "l\($0): " }.joined()
        let amendments = (0..<100).map { "m\($0): &l\($0 * 7) { };\n" }.joined()
        try Self.sameBlobAsDTC(
            "/dts-v1/;\n/ {\n\t\(labels)node { p = <&l4999>; };\n};\n" + amendments, symbols: symbols)
    }
}
