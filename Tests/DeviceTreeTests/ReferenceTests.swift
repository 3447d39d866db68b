// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Testing

@Suite struct ReferenceTests {
    @Test func pathReferencesAreSplicedAndMarkersShift() throws {
        let tree = try Source.tree("p = &n, \"x\", &{/node/sub}; n: node { sub { }; };")
        let property = try #require(tree.root.property(named: "p"))
        #expect(property.value.bytes == Array("/node\0x\0/node/sub\0".utf8))
        #expect(property.value.markers.contains(Marker(offset: 8, kind: .pathReference("/node/sub"))))
        #expect(tree.node(atPath: "/node")?.isReferenced == true)
    }

    @Test func phandleReferencesAreFilledAndMarked() throws {
        let tree = try Source.tree("p = <&b 7 &a>; a: a { }; b: b { };")
        #expect(tree.root.property(named: "p")?.value.bytes == .cells(1, 7, 2))
        #expect(
            tree.root.property(named: "p")?.value.markers.contains(Marker(offset: 0, kind: .phandleReference("b")))
                == true)
        #expect(tree.node(withLabel: "b")?.property(named: "phandle")?.value.bytes == .cells(1))
    }

    @Test func omitIfNoRefDropsOnlyUnreferencedNodes() throws {
        let tree = try Source.tree("p = <&kept>; /omit-if-no-ref/ kept: kept { }; /omit-if-no-ref/ gone { };")
        #expect(tree.node(atPath: "/kept") != nil)
        #expect(tree.node(atPath: "/gone") == nil)
    }

    @Test func labelsOnPropertiesAreNotNodeReferences() {
        let error = Source.error("/dts-v1/; / { l: q; p = <&l>; };")
        #expect(error?.check == "phandle_references")
    }

    @Test func forcedDuplicateNodeNamesLeaveReferencesUnresolved() throws {
        let result = try Source.compile(
            "/dts-v1/; / { p = <&n>; q = &n; n: n { }; x { }; x { }; };", options: CompileOptions(force: true))
        #expect(result.diagnostics.map(\.check) == ["duplicate_node_names"])
        #expect(result.tree.root.property(named: "p")?.value.bytes == .cells(0xFFFF_FFFF))
        #expect(result.tree.root.property(named: "q")?.value.bytes == [])
    }
}
