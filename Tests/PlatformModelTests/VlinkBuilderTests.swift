// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import PlatformModel
import PlatformTestSupport
import Testing

@Suite struct VlinkBuilderTests {
    @Test func serverAndClientMakeOneVlink() throws {
        let (t, server, client) = vpipePlatform()
        let built = Built(t)
        #expect(built.diagnostics.isEmpty)
        let vlink = try #require(built.spec?.vlinks.first)
        #expect(built.spec?.vlinks.count == 1)
        #expect(vlink.name == "vpipe" && vlink.link == 0)
        #expect(vlink.serverID == 2 && vlink.clientID == 3)
        #expect(vlink.serverInfo == "8K" && vlink.clientInfo == "")
        #expect(
            vlink.server
                == VlinkEnd(nodePath: "/vlm/vm@2/vdevs/vpipe@0", nodeName: "vpipe@0", location: server.location))
        #expect(vlink.client.nodePath == client.path)
        #expect(!vlink.isSymmetric)
        #expect(vlink.info(ofEndIn: 2) == "8K")
    }

    @Test func infoStringListsRunTogether() throws {
        let (t, server, _) = vpipePlatform()
        t.set("info", .strings(["16,,db,be", " bootargs:", " vbd2_dma=0"]), on: server)
        #expect(Built(t).spec?.vlinks.first?.serverInfo == "16,,db,be bootargs: vbd2_dma=0")
    }

    @Test func endsWithoutServerOrClientMakeASymmetricPair() throws {
        let t = TreeBuilder()
        let a = t.end("vbpipe@0", in: t.vm(2), label: "a", compatible: "vbpipe", info: ";16K")
        t.end("vbpipe@0", in: t.vm(4), compatible: "vbpipe", peer: a, info: ";8K")
        let spec = try #require(Built(t).spec)
        #expect(spec.vlinks.map(\.summary) == ["vbpipe 0 4->2", "vbpipe 0 2->4"])
        #expect(spec.vlinks.allSatisfy { $0.isSymmetric })
        #expect(spec.vlinks[0].serverInfo == ";16K" && spec.vlinks[0].clientInfo == ";8K")
        #expect(spec.vlinks[1].serverInfo == ";8K" && spec.vlinks[1].clientInfo == ";16K")
        #expect(spec.vlinks[1].server.nodePath == "/vlm/vm@4/vdevs/vbpipe@0")
    }

    @Test func oneSideSayingServerOrClientMakesOneWayLinks() throws {
        let t = TreeBuilder()
        let a = t.end("x@be", in: t.vm(2), label: "a", compatible: "vrpc", server: true)
        t.end("x@fe", in: t.vm(3), peer: a)
        let b = t.end("y@be", in: t.vm(2), label: "b", compatible: "vrpc")
        t.end("y@fe", in: t.vm(3), client: true, peer: b)
        #expect(Built(t).vlinkSummary == ["vrpc 0 3->2", "vrpc 1 3->2"])
    }

    @Test func everyClientOfAServerGetsItsOwnVlink() throws {
        let t = TreeBuilder()
        let server = t.end("vrtc@be", in: t.vm(2), label: "vrtc_be", compatible: "vrpc", server: true, info: "vrtc")
        t.set("#clone", .cells([2]), on: server)
        t.end("vrtc@fe", in: t.vm(3), client: true, peer: server, info: "vrtc")
        t.end("vrtc@fe", in: t.vm(4), client: true, peer: server, info: "vrtc")
        let spec = try #require(Built(t).spec)
        #expect(spec.vlinks.map(\.summary) == ["vrpc 0 3->2", "vrpc 1 4->2"])
        #expect(spec.vlinks.map(\.cloneIndex) == [0, 1])
    }

    @Test func cloneAutoTakesAnyNumberOfClients() throws {
        let t = TreeBuilder()
        let server = t.end(
            "hypevent@vproperty", in: t.vm(1), label: "hyp", compatible: "vl,hypevent.v1", server: true,
            info: "vproperty")
        t.set("#clone", .string("auto"), on: server)
        for id in 2...4 { t.end("hypevent@vproperty", in: t.vm(id), client: true, peer: server) }
        let built = Built(t)
        #expect(built.diagnostics.isEmpty)
        #expect(built.vlinkSummary == ["vl,hypevent.v1 0 2->1", "vl,hypevent.v1 1 3->1", "vl,hypevent.v1 2 4->1"])
    }

    @Test func cloneCountLimitsTheClients() throws {
        let t = TreeBuilder()
        let server = t.end("s", in: t.vm(2), label: "s", compatible: "vrpc", server: true)
        t.set("#clone", .cells([1]), on: server)
        t.end("c", in: t.vm(3), client: true, peer: server)
        let third = t.end("c", in: t.vm(4), client: true, peer: server)
        let error = try #require(Built(t).error)
        #expect(error.message.contains("#clone = <1>"))
        #expect(error.location == third.property(named: "peer-phandle")?.location)
    }

    @Test func rejectsABadCloneValue() throws {
        let (t, server, _) = vpipePlatform()
        t.set("#clone", .string("many"), on: server)
        #expect(try #require(Built(t).error).message.contains("#clone must be"))
    }

    @Test func numbersAreAssignedPerNameAroundTheGivenOnes() throws {
        let t = TreeBuilder()
        let vdevs2 = t.vm(2)
        let vdevs3 = t.vm(3)
        for (index, link) in ([nil, 1, nil, nil] as [UInt32?]).enumerated() {
            let server = t.end(
                "p\(index)", in: vdevs2, label: "p\(index)", compatible: "vpipe", server: true, link: link)
            t.end("p\(index)", in: vdevs3, client: true, peer: server)
        }
        let other = t.end("q", in: vdevs2, label: "q", compatible: "vbpipe")
        t.end("q", in: vdevs3, peer: other)
        #expect(
            Built(t).vlinkSummary == [
                "vpipe 0 3->2", "vpipe 1 3->2", "vpipe 2 3->2", "vpipe 3 3->2", "vbpipe 0 3->2", "vbpipe 0 2->3",
            ])
    }

    @Test func aClientMayGiveTheLinkNumber() throws {
        let (t, server, client) = vpipePlatform()
        server.properties.removeAll { $0.name == "link" }
        t.set("link", .cells([7]), on: client)
        #expect(Built(t).vlinkSummary == ["vpipe 7 3->2"])
        t.set("link", .cells([6]), on: server)
        #expect(try #require(Built(t).error).message.contains("differs from the server's link <6>"))
    }

    @Test func hypervisorServesVMClients() throws {
        let t = TreeBuilder()
        let server = t.end("h", in: t.vm(1), label: "h", compatible: "vl,hypevent.v1", server: true)
        t.end("h", in: t.vm(2), client: true, peer: server)
        let spec = try #require(Built(t).spec)
        #expect(spec.vlinks(ofVM: 2).map(\.serverID) == [1])
        #expect(spec.vms.map(\.id) == [2])
    }

    @Test func loopbackLinksStayInOneVM() throws {
        let t = TreeBuilder()
        let vdevs = t.vm(2)
        let server = t.end("vfence2@22_0", in: vdevs, label: "l", compatible: "vfence2", server: true)
        t.end("vfence2@22_1", in: vdevs, client: true, peer: server)
        #expect(Built(t).vlinkSummary == ["vfence2 0 2->2"])
    }

    @Test func lookupByNameFollowsRepositoryOrder() throws {
        let t = TreeBuilder()
        let a = t.end("a", in: t.vm(2), label: "a", compatible: "vpipe", server: true, link: 5)
        let b = t.end("b", in: t.vm(2), label: "b", compatible: "vpipe", server: true, link: 2)
        t.end("a", in: t.vm(3), client: true, peer: a)
        t.end("b", in: t.vm(3), client: true, peer: b)
        #expect(try #require(Built(t).spec).vlinks(named: "vpipe").map(\.link) == [5, 2])
    }
}
