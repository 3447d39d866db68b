// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import PlatformModel
import PlatformTestSupport
import Testing

@Suite struct VlinkDiagnosticsTests {
    @Test func peerPhandleToNoNode() throws {
        let (t, _, client) = vpipePlatform()
        let at = t.set("peer-phandle", .cells([99]), on: client)
        let built = Built(t)
        #expect(built.spec == nil)
        let error = try #require(built.error)
        #expect(error.message == "peer-phandle <99> points at no node")
        #expect(error.location == at)
    }

    @Test func peerPhandleToANodeThatIsNoVlinkEnd() throws {
        let (t, _, client) = vpipePlatform()
        let elsewhere = t.node("/chosen")
        let at = t.set("peer-phandle", t.reference(to: elsewhere), on: client)
        let error = try #require(Built(t).error)
        #expect(error.message.contains("points at /chosen, which is not a vlink end"))
        #expect(error.location == at)
    }

    @Test func peerPhandleToAnotherClient() throws {
        let (t, _, client) = vpipePlatform()
        let second = t.end("vpipe@1", in: t.vm(4), client: true, peer: client)
        let error = try #require(Built(t).error)
        #expect(error.message.contains("which is itself a client end"))
        #expect(error.location == second.property(named: "peer-phandle")?.location)
    }

    @Test func peerPhandleMustBeOneCell() throws {
        let (t, _, client) = vpipePlatform()
        t.set("peer-phandle", .string("vpipe_0"), on: client)
        #expect(try #require(Built(t).error).message.contains("peer-phandle must be one phandle"))
    }

    @Test func clientWithoutServer() throws {
        let t = TreeBuilder()
        t.vm(2)
        let lonely = t.end("vpipe@0", in: t.vm(3), client: true)
        let error = try #require(Built(t).error)
        #expect(error.message.contains("client end without a server"))
        #expect(error.location == lonely.property(named: "client")?.location)
    }

    @Test func sameNameAndLinkTwice() throws {
        let (t, _, _) = vpipePlatform()
        let again = t.end("vpipe@9", in: t.vm(4), label: "again", compatible: "vpipe", server: true, link: 0)
        t.end("vpipe@9", in: t.vm(3), client: true, peer: again)
        let error = try #require(Built(t).error)
        #expect(error.message == "vlink \"vpipe\" link 0 is already used by the vlink of /vlm/vm@2/vdevs/vpipe@0")
        #expect(error.location == again.property(named: "link")?.location)
    }

    @Test func unknownCompatibleIsAWarningAndTheVlinkExists() throws {
        let t = TreeBuilder()
        let server = t.end("s", in: t.vm(2), label: "s", compatible: "vgpu-arb-comm")
        t.end("c", in: t.vm(3), peer: server)
        let built = Built(t)
        #expect(built.errors.isEmpty)
        #expect(built.warnings.count == 1)
        #expect(built.warnings[0].message.contains("unknown vlink compatible \"vgpu-arb-comm\""))
        #expect(built.warnings[0].location == server.property(named: "compatible")?.location)
        #expect(built.warnings[0].description.contains(": warning: "))
        #expect(built.vlinkSummary.count == 2)
    }

    @Test func vi2cBusNamesAreKnown() {
        #expect(KnownVlinkNames.contains("vi2c5"))
        #expect(!KnownVlinkNames.contains("vi2c"))
        #expect(!KnownVlinkNames.contains("vi2cX"))
    }

    @Test func vlinkNamesFitNKDevVlink() throws {
        let t = TreeBuilder()
        let server = t.end("s", in: t.vm(2), label: "s", compatible: "a-very-long-vlink-name", server: true)
        t.end("c", in: t.vm(3), client: true, peer: server)
        #expect(try #require(Built(t).error).message.contains("longer than 15 characters"))
    }

    @Test func serverNeedsACompatible() throws {
        let t = TreeBuilder()
        let server = t.end("s", in: t.vm(2), label: "s", server: true)
        t.end("c", in: t.vm(3), client: true, peer: server)
        #expect(try #require(Built(t).error).message.contains("needs compatible"))
    }

    @Test func bothServerAndClientIsAnError() throws {
        let (t, server, _) = vpipePlatform()
        t.set("client", on: server)
        #expect(Built(t).errors.contains { $0.message.contains("either server; or client;") })
    }

    @Test func unusedEndsAndTyposAreWarnings() throws {
        let (t, _, _) = vpipePlatform()
        t.end("idle", in: t.vm(2), label: "idle", compatible: "vpipe", server: true)
        t.end("nothing", in: t.vm(2))
        let typo = t.end("typo", in: t.vm(3), client: true)
        t.set("peer-handle", .cells([1]), on: typo)
        let built = Built(t)
        let warnings = built.warnings.map(\.message)
        #expect(warnings.contains { $0.contains("no client refers to this server end") })
        #expect(warnings.contains { $0.contains("neither a vlink server") })
        #expect(warnings.contains { $0.contains("did you mean peer-phandle?") })
        #expect(built.errors.count == 1)  // the typo leaves a client without server
    }

    @Test func clientCompatibleDiffersIsAWarning() throws {
        let (t, _, client) = vpipePlatform()
        t.set("compatible", .string("vbpipe"), on: client)
        let built = Built(t)
        #expect(built.warnings.first?.message.contains("differs from the server's \"vpipe\"") == true)
        #expect(built.vlinkSummary == ["vpipe 0 3->2"])
    }

    @Test func referringEndSayingServerIsAnError() throws {
        let (t, _, client) = vpipePlatform()
        client.properties.removeAll { $0.name == "client" }
        t.set("server", on: client)
        #expect(try #require(Built(t).error).message.contains("remove server;"))
    }
}
