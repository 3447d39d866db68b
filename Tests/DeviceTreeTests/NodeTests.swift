// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Testing

@Suite struct NodeTests {
    @Test func pathJoinsNamesFromTheRoot() {
        let tree = DeviceTree()
        let vlm = Node(name: "vlm")
        let vm = Node(name: "vm@2")
        tree.root.append(vlm)
        vlm.append(vm)
        #expect(vm.path == "/vlm/vm@2")
        #expect(tree.node(atPath: "/vlm/vm@2") === vm)
        #expect(vm.unitAddress == "2")
        #expect(vm.baseName == "vm")
    }

    @Test func stringsDecodeAListAndRejectNonStrings() {
        #expect(PropertyValue(bytes: Array("a\0bc\0".utf8)).strings == ["a", "bc"])
        #expect(PropertyValue(bytes: [0, 0, 0, 1]).strings == nil)
        #expect(PropertyValue(bytes: [0, 0, 0, 1]).cells == [1])
    }
}
