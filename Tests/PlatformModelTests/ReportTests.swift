// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import PlatformModel
import PlatformTestSupport
import Testing

@Suite struct ReportTests {
    /// The vpipe platform with a name, an init program and the panic trigger.
    private func spec() throws -> PlatformSpec {
        let (t, _, _) = vpipePlatform()
        let vm2 = t.node("/vlm/vm@2")
        t.set("label", .string("server"), on: vm2)
        t.set("vl,init", .strings(["/bin/sh", "-c", "cat /dev/vpipe0 > \"out\""]), on: vm2)
        t.set("cpus", .cells([0, 1]), on: t.node("vcpus", in: vm2))
        let trigger = t.hypProperty("nk.panic-trigger")
        t.set("size", .cells([1]), on: trigger)
        t.set("value", .string("0"), on: trigger)
        t.set("allow-get", .string("*"), on: trigger)
        t.set("allow-set", .string("2,3"), on: trigger)
        return try #require(Built(t).spec)
    }

    private func object(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func jsonHasTheIssuesShape() throws {
        let json = PlatformReport.json(try spec())
        #expect(json.hasPrefix("{\"vms\":["))
        let root = try object(json)
        let vms = try #require(root["vms"] as? [[String: Any]])
        #expect(vms.count == 2)
        #expect(vms[0]["id"] as? Int == 2 && vms[0]["name"] as? String == "server")
        #expect(vms[0]["cpus"] as? [Int] == [0, 1] && vms[0]["restart"] as? String == "never")
        #expect(vms[0]["init"] as? [String] == ["/bin/sh", "-c", "cat /dev/vpipe0 > \"out\""])
        let vlinks = try #require(root["vlinks"] as? [[String: Any]])
        #expect(vlinks.count == 1)
        #expect(vlinks[0]["name"] as? String == "vpipe" && vlinks[0]["link"] as? Int == 0)
        #expect(vlinks[0]["server"] as? Int == 2 && vlinks[0]["client"] as? Int == 3)
        #expect(vlinks[0]["serverInfo"] as? String == "8K" && vlinks[0]["clientInfo"] as? String == "")
        let properties = try #require(root["properties"] as? [[String: Any]])
        let trigger = try #require(properties.first { $0["name"] as? String == "nk.panic-trigger" })
        #expect(trigger["size"] as? Int == 1 && trigger["value"] as? String == "0")
        #expect(trigger["allowGet"] as? String == "*" && trigger["allowSet"] as? String == "2,3")
        #expect(trigger["allowNotify"] as? String == "")
        #expect(properties.contains { $0["name"] as? String == "nk.vm.3.state.running" })
    }

    @Test func jsonKeepsKeysInTheIssuesOrder() throws {
        let json = PlatformReport.json(try spec())
        let vlink = try #require(json.split(separator: "\n").first { $0.contains("\"link\":") })
        #expect(
            vlink.hasPrefix(
                "{\"name\":\"vpipe\",\"link\":0,\"server\":2,\"client\":3,\"serverInfo\":\"8K\",\"clientInfo\":\"\""))
    }

    @Test func jsonEscapesControlCharacters() throws {
        var spec = try spec()
        spec.vms[0].name = "a\"b\\c\n\u{1}"
        let root = try object(PlatformReport.json(spec))
        #expect((root["vms"] as? [[String: Any]])?.first?["name"] as? String == "a\"b\\c\n\u{1}")
    }

    @Test func tablesListVMsVlinksAndProperties() throws {
        let text = PlatformReport.tables(try spec())
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "VMs")
        #expect(
            lines.contains {
                $0.hasPrefix("  2   server  0,1   never") && $0.hasSuffix("/bin/sh -c 'cat /dev/vpipe0 > \"out\"'")
            })
        #expect(lines.contains { $0.contains("vpipe") && $0.contains("2 (server)") && $0.contains("\"8K\"") })
        #expect(lines.contains { $0.hasPrefix("  nk.panic-trigger") && $0.contains("config") })
        #expect(lines.contains { $0.hasPrefix("  nk.vlm-dtb") && $0.contains("(live)") })
        #expect(
            lines.contains {
                $0.hasPrefix("  nk.features.all-str") && $0.contains("UART RAM_CONSOLE CPU_USAGE VDEV_VGIC_V2…")
            })
        #expect(lines.contains { $0.hasPrefix("  nk.version.build-date") && $0.contains(" \"\" ") })
    }

    @Test func propertyValuesPrintAsTextOrHex() {
        let text = PropertySpec(name: "a", size: 4, value: Array("ab".utf8) + [0], origin: .builtIn(.buildID))
        let binary = PropertySpec(name: "b", size: 4, value: [1, 0, 0xff, 0], origin: .builtIn(.focus))
        let unset = PropertySpec(name: "c", size: 4, origin: .builtIn(.focus))
        #expect(PropertyText.value(text) == "ab")
        #expect(PropertyText.value(binary) == "0x0100ff00")
        #expect(PropertyText.value(unset) == "(not set)")
        let empty = PropertySpec(name: "d", size: 1, value: [0], origin: .builtIn(.versionBuildDate))
        #expect(PropertyText.value(empty) == "")
    }

    @Test func graphDrawsOneArrowPerVlinkFromClientToServer() throws {
        let dot = PlatformGraph.dot(try spec())
        #expect(dot.hasPrefix("digraph platform {"))
        #expect(dot.contains("vm2 [label=\"VM 2\\nserver\\ncpus 0,1\"];"))
        #expect(dot.contains("vm3 -> vm2 [label=\"vpipe 0\"];"))
        #expect(dot.contains("nk.panic-trigger [1] = 0  get * set 2,3 notify none\\l"))
        #expect(!dot.contains("vm1 ["))
    }

    @Test func graphIsValidForGraphviz() throws {
        guard let dotTool = ProcessRunner.which("dot") else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vlm-graph-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("p.dot")
        try PlatformGraph.dot(try spec()).write(to: file, atomically: true, encoding: .utf8)
        let outcome = try ProcessRunner.run(dotTool, ["-Tsvg", file.path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.outputText.contains("<svg"))
        #expect(outcome.outputText.contains("vpipe 0"))
    }
}
