// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Testing

@Suite struct PhandleTests {
    @Test func explicitPhandlesAreKeptAndNewOnesSkipThem() throws {
        let tree = try Source.tree("p = <&a &b &c>; a: a { }; b: b { phandle = <1>; }; c: c { linux,phandle = <2>; };")
        #expect(tree.root.property(named: "p")?.value.bytes == .cells(3, 1, 2))
        #expect(tree.node(atPath: "/a")?.phandle == 3)
        #expect(tree.node(atPath: "/c")?.property(named: "phandle") == nil)
        #expect(tree.node(withPhandle: 2) === tree.node(atPath: "/c"))
    }

    @Test func phandlesFollowReferenceOrderInTheTree() throws {
        let tree = try Source.tree("x { p = <&z>; }; y { q = <&w &z>; }; w: w { }; z: z { };")
        #expect(tree.node(atPath: "/z")?.phandle == 1)
        #expect(tree.node(atPath: "/w")?.phandle == 2)
    }

    @Test func aSelfReferenceAllocatesAPhandle() throws {
        let tree = try Source.tree("n: n { phandle = <&n>; };")
        #expect(tree.node(atPath: "/n")?.property(named: "phandle")?.value.bytes == .cells(1))
    }

    @Test(arguments: [
        ("a { phandle = <1>; }; b { phandle = <1>; };", "duplicated phandle 0x1"),
        ("a { phandle = <0>; };", "bad value (0x0) in phandle property"),
        ("a { phandle = <0xffffffff>; };", "bad value (0xffffffff) in phandle property"),
        ("a { phandle = [01]; };", "bad length (1) phandle property"),
        ("a { phandle = <1>; linux,phandle = <2>; };", "mismatching 'phandle' and 'linux,phandle' properties"),
        ("x: x { }; a { phandle = <&x>; };", "phandle is a reference to another node"),
    ])
    func badExplicitPhandlesFailTheCheck(_ body: String, _ message: String) {
        let error = Source.error("/dts-v1/; / { \(body) };")
        #expect(error?.check == "explicit_phandles")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }
}
