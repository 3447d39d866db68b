// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Testing

/// Ballooning configured by the tree and console focus moved at run time, both
/// in a real `vlm run` whose VM processes run NKDDI scripts.
@Suite("vlm run: ballooning and console focus", .timeLimit(.minutes(2)), .serialized, .enabled(if: VLMBinary.isBuilt))
struct RuntimeBalloonFocusTests {
    /// host (vm2) and peer (vm3) share a vlink no vdriver serves, so the first
    /// PMEM block `(vlink 0, id 0)` is `0x80000000`, the scripts' barrier word;
    /// solo (vm4) is not in the balloon. The region: 4 pages at PFN 0xc0000.
    /// Names of one length: `vlm run` pads the tags to the longest name.
    static let balloonPlatform = """
        /dts-v1/;
        / {
            vlm {
                vm2: vm@2 { label = "host"; vm2_vdevs: vdevs { }; };
                vm3: vm@3 { label = "peer"; vm3_vdevs: vdevs { }; };
                vm4: vm@4 { label = "solo"; };
                balloon { host = <2>; size = <0x4000>; vms = <3>; };
            };
        };
        &vm2_vdevs { s: vtest@0 { compatible = "vballoontest"; server; }; };
        &vm3_vdevs { vtest@0 { peer-phandle = <&s>; client; }; };
        """
    static let barrier = "0x80000000"

    @Test("NK_BALLOON_*: the host gives pages back, another VM takes them, exhaustion gives 0, outsiders are disabled")
    func balloonAcrossVMs() throws {
        try withTemporaryDirectory { dir in
            let host = [
                "pmem 0 0 4096", "balloon 0 0", "balloon 1 0", "balloon 2 0", "balloon 3 0", "balloon 4 1",
                "balloon 5 3 0xc0000 0xc0001 0xc0002", "add \(Self.barrier) 1", "waitword \(Self.barrier) 2",
                "balloon 5 1 0xc0000", "balloon 4 4", "conswrite host-done",
            ]
            let peer = [
                "pmem 0 0 4096", "balloon 0 0", "balloon 3 0", "waitword \(Self.barrier) 1", "balloon 4 2",
                "balloon 5 1 0xc0003", "add \(Self.barrier) 1", "conswrite peer-done",
            ]
            let solo = ["balloon 0 0", "balloon 4 1", "balloon 3 0"]
            let platform = try RunningPlatform(
                source: Self.balloonPlatform, in: dir, scripts: [2: host, 3: peer, 4: solo])
            platform.waitForOutput("host | host-done")
            platform.waitForOutput("solo | balloon 3 0 =>")
            let output = platform.waitForOutput("peer | peer-done")
            let h = lines(output, of: "host")
            let g = lines(output, of: "peer")
            let o = lines(output, of: "solo")

            #expect(
                h.contains("balloon 0 0 => \(NK_BALLOON_ENABLED)") && g.contains("balloon 0 0 => \(NK_BALLOON_ENABLED)")
            )
            #expect(h.contains("balloon 1 0 => 2"), "NK_BALLOON_HOST")
            #expect(h.contains("balloon 2 0 => \(0xC000_0000 / 4096)"), "NK_BALLOON_RGN_BASE in PFNs")
            #expect(h.contains("balloon 3 0 => 4") && g.contains("balloon 3 0 => 4"), "NK_BALLOON_RGN_SIZE")
            #expect(h.contains("balloon 4 1 => 0"), "the host holds every page: nothing to allocate")
            #expect(h.contains("balloon 5 3 0xc0000 0xc0001 0xc0002 => 3"))
            #expect(g.contains("balloon 4 2 => 2 0xc0000 0xc0001"), "the guest gets pages the host released")
            #expect(g.contains("balloon 5 1 0xc0003 => 0"), "a page the guest does not hold is not freed")
            #expect(h.contains("balloon 5 1 0xc0000 => 0"), "the page is the guest's now")
            #expect(h.contains("balloon 4 4 => 1 0xc0002"), "only one page is left: exhaustion after it")
            #expect(o.contains("balloon 0 0 => \(NK_BALLOON_DISABLED)"))
            #expect(o.contains("balloon 4 1 => 0") && o.contains("balloon 3 0 => 0"))
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("without a balloon node every VM gets NK_BALLOON_DISABLED")
    func balloonDisabledByDefault() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(), in: dir, scripts: [3: ["balloon 0 0", "balloon 4 1"]])
            let output = platform.waitForOutput("client | balloon 4 1 =>")
            #expect(lines(output, of: "client") == ["balloon 0 0 => \(NK_BALLOON_DISABLED)", "balloon 4 1 => 0"])
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("nk_prop_set of nk.focus from a guest moves typed input to the newly focused VM")
    func focusMovesAtRunTime() throws {
        try withTemporaryDirectory { dir in
            // Each consline waits up to 5 s for a typed line; the client keeps listening for 15 s.
            let scripts = [
                2: ["consline", "propsetb nk.focus 3", "propget nk.focus 1"],
                3: ["consline", "consline", "consline"],
            ]
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(), in: dir, scripts: scripts, withInput: true)
            try platform.input!.writeEnd.writeAll(Array("for-the-server\n".utf8))
            platform.waitForOutput("server | propget nk.focus 1 =>")
            try platform.input!.writeEnd.writeAll(Array("for-the-client\n".utf8))
            let output = platform.waitForOutput("client | consline => for-the-client")
            let server = lines(output, of: "server")
            let client = lines(output, of: "client")

            #expect(server.contains("consline => for-the-server"), "the first VM has the focus at boot")
            #expect(server.contains("propsetb nk.focus 3 => 1"), "nk_prop_set returns the size written")
            #expect(server.contains("propget nk.focus 1 => 1 3"))
            #expect(client.contains("consline => for-the-client"))
            #expect(
                !client.contains { $0.contains("for-the-server") } && !server.contains { $0.contains("for-the-client") }
            )
            #expect(try platform.stop() == .exited(0))
        }
    }
}
