// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Testing

/// cpp's line markers (`# N "file" flags`), as dtc reads them, and the
/// malformed ones cpp never writes, refused with a position.
@Suite struct LineMarkerTests {
    @Test func unterminatedFileNameIsAnErrorAtTheMarker() {
        let error = Source.error("/dts-v1/;\n# 0 \"\n/ { p = \"x\"; };\n")
        #expect(error?.message == "line marker's file name does not end on its line")
        #expect(error?.location?.file == "main.dts")
        #expect(error?.location?.line == 2)
        #expect(error?.location?.column == 1)
    }

    @Test func unterminatedFileNameAtTheEndOfTheInput() {
        let error = Source.error("/dts-v1/;\n/ { };\n#line 3 \"a.dts")
        #expect(error?.message == "line marker's file name does not end on its line")
        #expect(error?.location?.line == 3)
    }

    @Test func textAfterTheFlagsIsAnError() {
        let error = Source.error("/dts-v1/;\n# 7 \"b.dts\" 1 3 p;\n/ { };\n")
        #expect(error?.message == "unexpected text after line marker")
        #expect(error?.location.map { [$0.line, $0.column] } == [2, 17])
    }

    @Test func markerZeroNeverGivesANegativeLine() {
        // cpp starts its output with `# 0 "file"`; an error at the end of the
        // input right after one is on line 0, not -1.
        let atEnd = Source.error("/dts-v1/;\n/ {\n# 0 \"x.dts\"")
        #expect(atEnd?.location?.file == "x.dts")
        #expect(atEnd.map { $0.location!.line >= 0 } == true, "\(String(describing: atEnd))")
        let next = Source.error("/dts-v1/;\n# 0 \"y.dts\"\n/ { p = <(1/0)>; };\n")
        #expect(next?.location?.file == "y.dts")
        #expect(next?.location?.line == 0)
    }

    @Test func carriageReturnsAndBlanksMayEndAMarker() throws {
        let error = Source.error("/dts-v1/;\r\n# 20 \"c.dts\" 2 \t\r\n/ { p = <(1/0)>; };\r\n")
        #expect(error?.location?.file == "c.dts")
        #expect(error?.location?.line == 20)
    }

    @Test func hashPropertyNamesAtTheStartOfALineAreNotMarkers() throws {
        let tree = try Source.tree("#address-cells = <1>;\n#size-cells = <0>;")
        #expect(tree.root.property(named: "#size-cells")?.value.bytes == .cells(0))
    }
}
