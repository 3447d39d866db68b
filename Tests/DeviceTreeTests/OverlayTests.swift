// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Testing

@Suite struct OverlayTests {
    static let overlay = """
        /dts-v1/;
        /plugin/;
        &target { local: added { p = <&local &external>; }; };
        &{/path} { q; };
        """

    @Test func unresolvedAmendmentsBecomeFragments() throws {
        let tree = try Source.compile(Self.overlay).tree
        #expect(tree.isPlugin)
        #expect(tree.node(atPath: "/fragment@0")?.property(named: "target")?.value.bytes == .cells(0xFFFF_FFFF))
        #expect(tree.node(atPath: "/fragment@0/__overlay__/added") != nil)
        #expect(tree.node(atPath: "/fragment@1")?.property(named: "target-path")?.value.string == "/path")
    }

    @Test func fixupsListEveryUnresolvedReference() throws {
        let tree = try Source.compile(Self.overlay).tree
        let fixups = try #require(tree.node(atPath: "/__fixups__"))
        #expect(fixups.property(named: "target")?.value.strings == ["/fragment@0:target:0"])
        #expect(fixups.property(named: "external")?.value.strings == ["/fragment@0/__overlay__/added:p:4"])
        let local = tree.node(atPath: "/__local_fixups__/fragment@0/__overlay__/added")
        #expect(local?.property(named: "p")?.value.bytes == .cells(0))
    }

    @Test func symbolsListLabelsAndGivePhandles() throws {
        let tree = try Source.tree("a: b: n { }; m { };", options: CompileOptions(generateSymbols: true))
        let symbols = try #require(tree.node(atPath: "/__symbols__"))
        #expect(symbols.properties.map(\.name) == ["a", "b"])
        #expect(symbols.property(named: "a")?.value.string == "/n")
        #expect(tree.node(atPath: "/n")?.phandle == 1)
        #expect(tree.node(atPath: "/m")?.phandle == 0)
    }

    @Test func labelledAmendmentsInPluginsMergeLocally() throws {
        let tree = try Source.compile("/dts-v1/;\n/plugin/;\n/ { f: foo { }; };\n&f { x; };").tree
        #expect(tree.node(atPath: "/foo")?.property(named: "x") != nil)
        #expect(tree.node(atPath: "/fragment@0") == nil)
    }
}
