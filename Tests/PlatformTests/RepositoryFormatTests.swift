// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformModel
import Testing

@Suite("Repository.format from a PlatformSpec")
struct RepositoryFormatTests {
    static let spec: PlatformSpec = {
        let vms = [VMSpec(id: 2, name: "server"), VMSpec(id: 3, name: "client")]
        let end = VlinkEnd(nodePath: "/vlm/vm@2/vdevs/vpipe@0", nodeName: "vpipe@0")
        let vlinks = [
            VlinkSpec(name: "vpipe", link: 0, serverID: 2, clientID: 3, serverInfo: "8K", server: end, client: end),
            VlinkSpec(name: "vl,hypevent.v1", link: 0, serverID: 1, clientID: 3, server: end, client: end),
        ]
        let custom = PropertySpec(
            name: "nk.panic-trigger", size: 1, value: Array("0".utf8), allowGet: .all, allowSet: .only([3]),
            allowNotify: .all, origin: .configuration(nodePath: "/vlm/properties/nk.panic-trigger", location: nil))
        return PlatformSpec(
            vms: vms, vlinks: vlinks, properties: PlatformBuilder.builtInProperties(for: vms) + [custom])
    }()

    @Test("vlinks, permissions, built-ins and blobs reach the repository")
    func adapter() {
        let input = RepositoryInput(
            spec: Self.spec, blobs: ["nk.vlm-dtb": [0xd0, 0x0d, 0xfe, 0xed]], pmemSize: 1 << 20)
        let platform = TestPlatform(input)
        let r = platform.supervisor
        #expect(r.vlinks.map(\.name) == ["vpipe", "vl,hypevent.v1"])
        #expect(r.vlinks[1].s_id == 1 && r.infoString(r.vlinks[0].s_info) == "8K")
        #expect(r.lastID == 3)
        let vm2 = platform.vm(2)
        let vm3 = platform.vm(3)
        #expect(vm2.nk_prop_set("nk.panic-trigger", [0x31], 1) == NK_PROP_PERMISSION)
        #expect(vm3.nk_prop_set("nk.panic-trigger", [0x31], 1) == 1)
        var buf = [UInt8](repeating: 0, count: 8)
        #expect(vm2.nk_prop_get("nk.vlm-dtb", &buf, 8) == 4 && buf[0] == 0xd0)
        #expect(vm2.nk_prop_get("nk.focus", &buf, 1) == 1 && buf[0] == 2)
        var major: UInt32 = 0
        var minor: UInt32 = 0
        #expect(vm2.nk_hv_version_get(&major, &minor) == 0, "nk.version.api is added when the model lacks it")
        #expect(vm2.nk_prop_set("nk.vm.3.bootcomplete", [1], 1) == NK_PROP_PERMISSION)
        #expect(vm3.nk_prop_set("nk.vm.3.bootcomplete", [1], 1) == 1)
    }
}
