// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformSys
import PlatformTestSupport
import Testing

/// The transports across real VM processes of a `vlm run` (`vlm-testkit run`,
/// whose guests run the transports' test commands): `Configs/vrpc.dts`, one
/// back end in VM 2 with two `#clone` server ends, front ends in VM 3 and VM 4.
@Suite("vlm run: VRPC between VM processes", .timeLimit(.minutes(2)), .serialized, .enabled(if: VLMBinary.isBuilt))
struct TransportsTests {
    static var platform: String {
        get throws { try String(contentsOfFile: ConfigFixtures.packageRoot + "/Configs/vrpc.dts", encoding: .utf8) }
    }

    @Test("each front end's call reaches the back end's server and comes back; a restarted back end serves again")
    func vrpcAcrossProcesses() throws {
        try withTemporaryDirectory { dir in
            let running = try RunningPlatform(
                source: try Self.platform, in: dir,
                scripts: [
                    2: ["vrpcserve vclk_ctrl"], 3: ["vrpccall vclk_ctrl get rate"], 4: ["vrpccall vclk_ctrl vm4 here"],
                ])
            let output = running.waitForOutput("vrpccall vclk_ctrl vm4 here =>")
            _ = running.waitForOutput("vrpccall vclk_ctrl get rate =>")
            let all = running.consoleOutput()
            #expect(lines(all, of: "backend  ").contains("vrpcserve vclk_ctrl => 2"), "\(output)")
            #expect(lines(all, of: "frontend3").contains("vrpccall vclk_ctrl get rate => GET RATE"))
            #expect(lines(all, of: "frontend4").contains("vrpccall vclk_ctrl vm4 here => VM4 HERE"))

            // The back end stops; VM 3 restarts and calls again (waiting for a
            // server), and the back end comes back: the call goes through.
            #expect(try running.vlm(["stop", "2"]).status == .exited(0))
            #expect(try running.vlm(["restart", "3"]).status == .exited(0))
            #expect(try running.vlm(["start", "2"]).status == .exited(0))
            let calls3 = { lines(running.consoleOutput(), of: "frontend3").filter { $0.hasPrefix("vrpccall") } }
            #expect(waitUntil(timeout: .seconds(10)) { calls3().count >= 2 })
            let calls = lines(running.consoleOutput(), of: "frontend3").filter { $0.hasPrefix("vrpccall") }
            #expect(calls == ["vrpccall vclk_ctrl get rate => GET RATE", "vrpccall vclk_ctrl get rate => GET RATE"])
            #expect(try running.stop() == .exited(0))
        }
    }
}
