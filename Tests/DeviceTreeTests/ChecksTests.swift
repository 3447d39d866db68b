// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Testing

@Suite struct ChecksTests {
    @Test(arguments: [
        ("a { }; a { };", "duplicate_node_names"),
        ("p; p;", "duplicate_property_names"),
        ("a@1@2 { };", "node_name_format"),
        ("p@1 = <1>;", "property_name_chars"),
        ("n { name = <1>; };", "name_is_string"),
        ("n { name = \"m\"; };", "name_properties"),
        ("l: a { }; l: b { };", "duplicate_label"),
        ("a { phandle = <1>; }; b { phandle = <1>; };", "explicit_phandles"),
        ("p = <&nowhere>;", "phandle_references"),
        ("p = &nowhere;", "path_references"),
    ])
    func errorChecksRefuseUnlessForced(_ body: String, _ check: String) throws {
        let source = "/dts-v1/; / { \(body) };"
        let error = Source.error(source)
        #expect(error?.check == check)
        #expect(error?.severity == .error)
        let forced = try Source.compile(source, options: CompileOptions(force: true))
        #expect(forced.diagnostics.first?.check == check)
    }

    @Test(arguments: [
        ("#address-cells = <1 2>;", "address_cells_is_cell", "/:#address-cells: property is not a single cell"),
        ("model = <1>;", "model_is_string", "/:model: property is not a string"),
        ("compatible = \"a\", <1>;", "compatible_is_string_list", "/:compatible: property is not a string list"),
        ("clock-names = <1>;", "names_is_string_list", "/:clock-names: property is not a string list"),
        ("a@1 { };", "unit_address_vs_reg", "/a@1: node has a unit name, but no reg or ranges property"),
        ("b { reg = <1>; };", "unit_address_vs_reg", "/b: node has a reg or ranges property, but no unit name"),
    ])
    func warningsAreReportedWithoutFailing(_ body: String, _ check: String, _ message: String) throws {
        let result = try Source.compile("/dts-v1/; / { \(body) };")
        #expect(result.diagnostics.map(\.check) == [check])
        #expect(result.diagnostics.first?.severity == .warning)
        #expect(result.diagnostics.first?.message == message)
    }

    @Test func aCorrectNamePropertyIsDropped() throws {
        let tree = try Source.tree("n@1 { name = \"n\"; };")
        #expect(tree.node(atPath: "/n@1")?.property(named: "name") == nil)
    }

    @Test func theFirstFailedCheckStopsTheLaterOnes() throws {
        let result = try Source.compile(
            "/dts-v1/; / { p; p; q = <&nowhere>; };", options: CompileOptions(force: true))
        #expect(result.diagnostics.compactMap(\.check) == ["duplicate_property_names"])
    }

    @Test func diagnosticsCarryTheNodeAndPlace() {
        let error = Source.error("/dts-v1/;\n/ {\n\tx { p = <&nowhere>; };\n};")
        #expect(
            error?.description
                == "main.dts:3:2: error (phandle_references): /x: Reference to non-existent node or label \"nowhere\"")
    }
}
