// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformTestSupport
import Testing

/// `vlm check` and `vlm graph`, run as the built binary on the repository's configs and fixtures.
@Suite(.timeLimit(.minutes(2)), .enabled(if: VLMBinary.isBuilt, "the vlm product is not built (swift build)"))
struct PlatformCommandTests {
    static let root = ConfigFixtures.packageRoot

    func vlm(_ arguments: [String]) throws -> ProcessOutcome {
        try VLMBinary.run(arguments, in: Self.root)
    }

    @Test func checkPrintsTablesOfAGoodPlatform() throws {
        let outcome = try vlm(["check", "Configs/vpipe.dts"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardError.isEmpty)
        let lines = outcome.outputText.split(separator: "\n")
        #expect(lines.first == "VMs")
        #expect(lines.contains { $0.hasPrefix("  2   reader") })
        #expect(lines.contains { $0.hasPrefix("  vpipe  0     2 (reader)  3 (writer)") })
        #expect(lines.contains("Properties"))
    }

    @Test func checkJSONHasVMsVlinksAndProperties() throws {
        let outcome = try vlm(["check", "--json", "Configs/demo.dts"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput)) as? [String: Any])
        let vms = try #require(root["vms"] as? [[String: Any]])
        #expect(vms.map { $0["id"] as? Int } == [2, 3, 4])
        #expect(vms.map { $0["restart"] as? String } == ["on-crash", "on-crash", "always"])
        let vlinks = try #require(root["vlinks"] as? [[String: Any]])
        #expect(vlinks.map { $0["name"] as? String } == ["vpipe", "vbpipe", "vbpipe"])
        #expect(vlinks.map { $0["server"] as? Int } == [3, 3, 4])
        let properties = try #require(root["properties"] as? [[String: Any]])
        #expect(properties.contains { $0["name"] as? String == "nk.panic-trigger" && $0["allowSet"] as? String == "*" })
    }

    @Test func checkWithoutConfigChecksTheEmbeddedDemo() throws {
        let outcome = try vlm(["check", "--json"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.outputText.contains("\"name\":\"producer\""))
    }

    @Test func checkRejectsABadPlatformWithItsPosition() throws {
        let outcome = try vlm(["check", "Tests/Fixtures/platform/vm-id-out-of-range.dts"])
        #expect(outcome.status == 2)
        #expect(outcome.outputText.isEmpty)
        #expect(
            outcome.standardError.hasPrefix(
                "Tests/Fixtures/platform/vm-id-out-of-range.dts:7:9: error: VM id 32 is outside 2…31"))
    }

    @Test func checkPrintsWarningsButSucceeds() throws {
        let outcome = try vlm(["check", "Tests/Fixtures/platform/unknown-compatible.dts"])
        #expect(outcome.status == 0)
        #expect(
            outcome.standardError.contains(
                "unknown-compatible.dts:13:9: warning: unknown vlink compatible \"vgpu-arb-comm\""))
        #expect(outcome.outputText.contains("vgpu-arb-comm"))
    }

    @Test func checkOfAMissingFileIsBadInput() throws {
        let outcome = try vlm(["check", "Configs/no-such-platform.dts"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("no-such-platform.dts"))
    }

    @Test func graphPrintsDOT() throws {
        let outcome = try vlm(["graph", "Configs/demo.dts"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.outputText.hasPrefix("digraph platform {"))
        #expect(outcome.outputText.contains("vm2 -> vm3 [label=\"vpipe 0\"];"))
        #expect(outcome.outputText.contains("vm4 -> vm3 [label=\"vbpipe 0\", style=dashed];"))
        #expect(outcome.outputText.contains("nk.panic-trigger"))
    }

    @Test(.enabled(if: ProcessRunner.which("dot") != nil, "Graphviz is not installed"))
    func graphDrawsSVGWithGraphviz() throws {
        let outcome = try vlm(["graph", "--format", "svg", "Configs/vrpc.dts"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.outputText.contains("<svg"))
        #expect(outcome.outputText.contains("vrpc 1"))
    }

    @Test func graphSaysHowToGetGraphvizWhenItIsMissing() throws {
        let outcome = try ProcessRunner.run(
            "/usr/bin/env", ["PATH=/nonexistent", VLMBinary.path, "graph", "--format", "svg", "Configs/vpipe.dts"],
            in: Self.root)
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("apt-get install graphviz"))
        #expect(outcome.outputText.isEmpty)
    }

    @Test func graphRejectsAnUnknownFormat() throws {
        #expect(try vlm(["graph", "--format", "png", "Configs/vpipe.dts"]).status == 2)
    }
}
