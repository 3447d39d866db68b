// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Testing

@Suite struct ParserTests {
    @Test func buildsNodesPropertiesAndLabelsWithLocations() throws {
        let tree = try Source.tree("a: b: vm@2 { c: status = \"okay\"; server; };")
        let vm = try #require(tree.node(atPath: "/vm@2"))
        #expect(vm.labels == ["a", "b"])
        #expect(vm.location?.line == 3)
        #expect(vm.property(named: "status")?.labels == ["c"])
        #expect(vm.property(named: "server")?.value.isEmpty == true)
        #expect(vm.property(named: "server")?.location?.column == 34)
    }

    @Test func valuesConcatenateWithTypesAndLabels() throws {
        let property = try #require(
            try Source.tree(#"p = "ab", <1>, [01 02], /bits/ 16 <3>, l: <4> e:;"#).root.property(named: "p"))
        #expect(property.value.bytes == Array("ab".utf8) + [0, 0, 0, 0, 1, 1, 2, 0, 3, 0, 0, 0, 4])
        #expect(property.value.markers.contains(Marker(offset: 11, kind: .label("l"))))
        #expect(property.value.markers.contains(Marker(offset: 15, kind: .label("e"))))
        #expect(property.value.markers.contains(Marker(offset: 9, kind: .type(.cells16))))
    }

    @Test func amendmentsMergeIntoLabelledAndPathNodes() throws {
        let result = try Source.compile(
            "/dts-v1/;\n/ { n: node { a = <1>; }; };\n&n { a = <2>; b; };\n&{/node} { c; };\nx: &n { d; };\n/ { e; };")
        let node = try #require(result.tree.node(atPath: "/node"))
        #expect(node.properties.map(\.name) == ["a", "b", "c", "d"])
        #expect(node.property(named: "a")?.value.bytes == .cells(2))
        #expect(node.labels == ["x", "n"])
        #expect(result.tree.root.property(named: "e") != nil)
    }

    @Test func deletionsRemoveNodesPropertiesAndLabels() throws {
        let tree = try Source.compile(
            "/dts-v1/;\n/ { n: node { a; b; }; m: other { }; keep { }; };\n&n { /delete-property/ a; };\n"
                + "/delete-node/ &m;\n/ { /delete-node/ keep; };"
        ).tree
        #expect(tree.node(atPath: "/node")?.properties.map(\.name) == ["b"])
        #expect(tree.node(atPath: "/other") == nil)
        #expect(tree.node(atPath: "/keep") == nil)
        #expect(tree.node(withLabel: "m") == nil)
    }

    @Test func aReinstatedNodeKeepsItsPlaceButNotItsOldContent() throws {
        let tree = try Source.compile(
            "/dts-v1/;\n/ { a { x; }; b { }; };\n/ { /delete-node/ a; };\n/ { a { y; }; };"
        ).tree
        #expect(tree.root.children.map(\.name) == ["a", "b"])
        #expect(tree.node(atPath: "/a")?.properties.map(\.name) == ["y"])
    }

    @Test func memoryReservationsAndBootCPUAreRead() throws {
        let tree = try Source.compile(
            "/dts-v1/;\n/memreserve/ 0x1000 0x200;\nr: /memreserve/ 0x4000 0x10;\n/ { cpus { cpu@3 { reg = <3>; }; }; };"
        ).tree
        #expect(
            tree.memoryReservations == [
                MemoryReservation(address: 0x1000, size: 0x200),
                MemoryReservation(address: 0x4000, size: 0x10, labels: ["r"]),
            ])
        #expect(tree.bootCPUID == 3)
    }

    @Test(arguments: [
        ("/ { };", "syntax error: unexpected '/'", 1, 1),
        ("/dts-v1/;\n/ { a = ; };", "syntax error: unexpected ';'", 2, 9),
        ("/dts-v1/;\n/ { n { }; p = <1>; };", "properties must precede subnodes", 2, 12),
        ("/dts-v1/;\n/ { };\n&missing { };", "label or path missing not found", 3, 1),
        ("/dts-v1/;\n/ { p = /bits/ 7 <1>; };", "array elements must be 8, 16, 32 or 64-bits", 2, 16),
        ("/dts-v1/;\n/ { p = /bits/ 8 <&n>; };", "references are only allowed in arrays with 32-bit elements", 2, 19),
    ])
    func syntaxErrorsStopAtTheFirstWithAPosition(_ text: String, _ message: String, _ line: Int, _ column: Int) {
        let error = Source.error(text)
        #expect(error?.message == message)
        #expect(error?.location?.line == line)
        #expect(error?.location?.column == column)
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "n {", count: 5000) + String(repeating: "};", count: 5000)
        #expect(Source.error("/dts-v1/; / { \(deep) };")?.message == "nodes nested too deeply")
        let parens = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        #expect(Source.error("/dts-v1/; / { p = <\(parens)>; };")?.message == "expression nested too deeply")
    }
}
