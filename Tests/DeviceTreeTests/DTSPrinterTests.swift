// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import PlatformTestSupport
import Testing

/// The canonical source printer: value typing from markers, dtc's guessing
/// without them, references, labels and escapes.
@Suite struct DTSPrinterTests {
    /// `/ { name = <value>; }` printed, the property line only (without indentation).
    func line(_ value: PropertyValue, in tree: DeviceTree = DeviceTree(), name: String = "p") -> String {
        tree.root.properties = [Property(name: name, value: value)]
        let text = DTSPrinter.print(tree)
        return String(text.split(separator: "\n").first { $0.hasPrefix("\t\(name)") }?.dropFirst() ?? "")
    }

    func value(_ bytes: [UInt8], _ markers: [(Int, Marker.Kind)] = []) -> PropertyValue {
        PropertyValue(bytes: bytes, markers: markers.map { Marker(offset: $0.0, kind: $0.1) })
    }

    @Test func emptyValueIsABareName() {
        #expect(line(value([])) == "p;")
    }

    @Test(arguments: [
        ([0, 0, 0, 1, 0, 0, 0, 2] as [UInt8], "p = <0x01 0x02>;"),
        (Array("a\0bc\0".utf8), "p = \"a\", \"bc\";"),
        ([1, 2, 3], "p = [01 02 03];"),
        ([0, 0, 0, 0], "p = <0x00>;"),  // more NULs than characters: not a string
        (Array("a\tb\0".utf8), "p = \"a\\tb\";"),
        ([0x80, 0], "p = [80 00];"),
    ])
    func untypedValuesAreGuessedAsDTCDoes(_ bytes: [UInt8], _ expected: String) {
        #expect(line(value(bytes)) == expected)
    }

    @Test func typedPiecesKeepTheirSourceForm() {
        let bytes: [UInt8] = [0, 1] + [0, 0, 0, 0, 0, 0, 0, 5] + Array("x\0".utf8) + [7, 0xAB]
        let markers: [(Int, Marker.Kind)] = [
            (0, .type(.cells16)), (2, .type(.cells64)), (10, .type(.string)), (12, .type(.cells8)),
            (13, .label("mid")),
        ]
        #expect(
            line(value(bytes, markers)) == "p = /bits/ 16 <0x01>, /bits/ 64 <0x05>, \"x\", /bits/ 8 <0x07 mid: 0xab>;")
    }

    @Test func labelsInsideAndAroundValues() {
        let markers: [(Int, Marker.Kind)] = [
            (0, .type(.cells32)), (0, .label("a")), (4, .label("b")), (8, .label("c")),
        ]
        #expect(line(value([0, 0, 0, 1, 0, 0, 0, 2], markers)) == "p = a: <0x01 b: 0x02> c:;")
    }

    @Test func referencesPrintAsReferencesWhenTheyStillResolve() {
        let tree = DeviceTree()
        let target = Node(name: "t@1", labels: ["t"])
        target.phandle = 1
        tree.root.append(target)
        let path = Array("/t@1\0".utf8)
        let bytes: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1] + path
        let markers: [(Int, Marker.Kind)] = [
            (0, .type(.cells32)), (0, .phandleReference("t")), (4, .phandleReference("gone")),
            (8, .phandleReference("/t@1")), (12, .pathReference("t")),
        ]
        #expect(line(value(bytes, markers), in: tree) == "p = <&t 0x02 &{/t@1}>, &t;")
    }

    @Test func stringEscapesReadBackAsTheSameBytes() throws {
        let raw: [UInt8] = Array("q\"b\\s\n\r\u{7}".utf8) + [0, 0x31, 0, 0x41, 0xFF, 0x01, 0]
        let text = line(value(raw, [(0, .type(.string))]))
        #expect(text == #"p = "q\"b\\s\n\r\a\x001\0A\xff\x01";"#)
    }

    @Test func rootMemreserveAndNodeLabelsFollowDTCLayout() {
        let tree = DeviceTree(memoryReservations: [MemoryReservation(address: 0x1000, size: 0x20, labels: ["r"])])
        tree.root.append(Node(name: "n@0", labels: ["l1", "l2"]))
        #expect(
            DTSPrinter.print(tree)
                == "/dts-v1/;\n\nr: /memreserve/\t0x0000000000001000 0x0000000000000020;\n/ {\n\n\tl1: l2: n@0 {\n\t};\n};\n"
        )
    }

    /// dtc reads every escape the printer writes back to the same bytes.
    @Test(.enabled(if: DTC.shouldRun, DTC.skipReason))
    func dtcCompilesEveryByteOfAStringBack() throws {
        let raw: [UInt8] = Array(1...255) + [0, 0x37, 0]
        let tree = DeviceTree()
        tree.root.properties = [Property(name: "p", value: value(raw, [(0, .type(.string))]))]
        let outcome = try DTC.compile(source: DTSPrinter.print(tree))
        #expect(outcome.standardOutput == DTB.encode(tree), "\(outcome.standardError)")
    }
}
