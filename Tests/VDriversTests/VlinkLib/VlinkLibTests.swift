// SPDX-License-Identifier: Apache-2.0
import Platform
import Synchronization
import Testing

@testable import VlinkLib

/// VLINK_LIB (manual lines 8845–9635) on two VMs over real shared memory: probe
/// selection and pairing, the driver states, the operation callbacks in the
/// order the handshake performs them, sessions, and a peer that dies and comes back.
@Suite(.serialized) struct VlinkLibTests {
    typealias R = Requests

    static let vlinks: [RepositoryInput.Vlink] = [
        .init(name: "vkit", link: 0, serverID: 2, clientID: 3),
        .init(name: "vkit", link: 1, serverID: 3, clientID: 2),
        .init(name: "vkit", link: 2, serverID: 2, clientID: 3),
        .init(name: "vsym", link: 0, serverID: 2, clientID: 3),
        .init(name: "vsym", link: 0, serverID: 3, clientID: 2),
        .init(name: "vsym", link: 5, serverID: 2, clientID: 3),  // no reverse
    ]

    /// A driver that records the operations of every vlink.
    final class Recorder: Sendable {
        let events = Mutex<[String]>([])
        func note(_ line: String) { events.withLock { $0.append(line) } }
        var lines: [String] { events.withLock { $0 } }

        func driver(_ name: String, _ flags: VlinkDrvType, _ nkddi: NKDDI, failInit: Int? = nil) -> VlinkDrv {
            VlinkDrv(
                name: name, flags: flags, nkddi: nkddi,
                vlink_init: { [self] vlink in
                    guard vlink.endpoint.link != failInit else { return VlinkReturn.ENOMEM }
                    for idx in VlinkOpIndex.allCases {
                        vlink.vlink_op_register(
                            idx,
                            { vlink, cookie in
                                self.note("vm\(vlink.id) link\(vlink.endpoint.link) \(idx) \(cookie as? String ?? "")")
                                return 0
                            }, "c")
                    }
                    return 0
                })
        }
    }

    @Test func probePicksTheEndsOfThisVMAndNumbersUnits() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let recorder = Recorder()
        let server = recorder.driver("vkit", .server, vms[2].nkddi)
        #expect(server.vlink_drv_probe() == 0)
        #expect(server.state == .probed)
        #expect(server.vlinks.map { $0.endpoint.link } == [0, 2])
        #expect(server.vlinks.map(\.unit) == [0, 1])
        #expect(server.vlinks.allSatisfy { $0.server && $0.sym_vlink == nil && $0.id == 2 && $0.id_peer == 3 })
        #expect(server.nr_units == 2 && server.nr_servers == 2 && server.nr_clients == 0)
        #expect(server.vlink_drv_probe() == VlinkReturn.EINVAL)  // twice

        let client = recorder.driver("vkit", .client, vms[2].nkddi)
        #expect(client.vlink_drv_probe() == 0)
        #expect(client.vlinks.map { $0.endpoint.link } == [1])
        #expect(client.nr_units == 1 && !client.vlinks[0].server)

        let both = recorder.driver("vkit", [.server, .client], vms[3].nkddi)
        #expect(both.vlink_drv_probe() == 0)
        #expect(both.vlinks.map { "\($0.server ? "s" : "c")\($0.endpoint.link)" } == ["c0", "s1", "c2"])
        #expect(both.nr_units == 3)
    }

    @Test func symmetricProbePairsReverseVlinksAndReportsTheRest() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let drv = Recorder().driver("vsym", .symmetric, vms[2].nkddi)
        #expect(drv.vlink_drv_probe() == VlinkReturn.EINVAL)  // link 5 has no reverse
        #expect(drv.state == .probed)
        let (server, client) = (drv.vlinks[0], drv.vlinks[1])
        #expect(drv.vlinks.count == 2)
        #expect(server.server && !client.server)
        #expect(server.sym_vlink === client && client.sym_vlink === server)
        #expect(server.id == client.id && server.id_peer == client.id_peer)  // line 9002
        #expect(drv.unpaired.map(\.link) == [5])
        #expect(drv.nr_units == 1)
    }

    @Test func startupRunsTheHandshakeAndTheOperationsInOrder() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let recorder = Recorder()
        let a = recorder.driver("vkit", .server, vms[2].nkddi, failInit: 2)
        let b = recorder.driver("vkit", .client, vms[3].nkddi)
        #expect(a.vlink_drv_probe() == 0 && b.vlink_drv_probe() == 0)
        #expect(a.vlink_drv_startup() == 0)
        #expect(a.state == .started && a.sysconf_id != 0)
        #expect(a.vlinks.map(\.state) == [.stopped, .clean])  // link 2's init failed
        #expect(a.vlinks[0].endpoint.mine == .reset)  // its peer is not there yet
        #expect(b.vlink_drv_startup() == 0)
        #expect(R.eventually { a.vlinks[0].state == .up && b.vlinks[0].state == .up })
        #expect(a.vlinks[1].endpoint.mine == .off)
        let vm2 = recorder.lines.filter { $0.hasPrefix("vm2 link0") }
        #expect(vm2 == ["vm2 link0 reset c", "vm2 link0 start c", "vm2 link0 up c"])

        a.vlink_drv_shutdown()
        #expect(a.state == .stopped && a.vlinks[0].endpoint.mine == .off)
        #expect(R.eventually { b.vlinks[0].state == .stopped })
        #expect(recorder.lines.contains("vm3 link0 abort c"))
        a.vlink_drv_cleanup()
        #expect(a.state == .clean && a.sysconf_id == 0 && a.vlinks.allSatisfy { $0.state == .clean })
        #expect(recorder.lines.contains("vm2 link0 cleanup c"))
    }

    @Test func startupStopsAtAFailingInit() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let drv = VlinkDrv(
            name: "vkit", flags: .server, nkddi: vms[2].nkddi, init: { _ in VlinkReturn.ENOMEM }, vlink_init: { _ in 0 }
        )
        #expect(drv.vlink_drv_startup() == VlinkReturn.EINVAL)  // not probed
        #expect(drv.vlink_drv_probe() == 0)
        #expect(drv.vlink_drv_startup() == VlinkReturn.ENOMEM)
        #expect(drv.state == .probed && drv.sysconf_id == 0)
        #expect(drv.vlinks.allSatisfy { $0.state == .clean })
    }

    @Test func aResetOperationThatReturnsNonZeroHoldsTheEndOff() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let ready = Atomic<Bool>(false)
        let drv = VlinkDrv(
            name: "vkit", flags: [.server, .onDemand], nkddi: vms[2].nkddi,
            vlink_init: { vlink in
                vlink.vlink_op_register(.reset) { _, _ in ready.load(ordering: .acquiring) ? 0 : VlinkReturn.EAGAIN }
            })
        #expect(drv.vlink_drv_probe() == 0 && drv.vlink_drv_startup() == 0)
        let vlink = drv.vlinks[0]
        #expect(vlink.endpoint.mine == .off && vlink.target == .stopped)  // onDemand: nothing yet
        #expect(!vlink.start())
        #expect(vlink.endpoint.mine == .off && vlink.target == .up)
        ready.store(true, ordering: .releasing)
        #expect(vlink.settle())
        #expect(vlink.endpoint.mine == .reset)
    }

    @Test func sessionsFollowTheVlink() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let recorder = Recorder()
        let a = recorder.driver("vkit", .server, vms[2].nkddi)
        let b = recorder.driver("vkit", .client, vms[3].nkddi)
        #expect(a.vlink_drv_probe() == 0 && b.vlink_drv_probe() == 0 && a.vlink_drv_startup() == 0)
        let aborts = Atomic<Int>(0)
        let (created, session) = a.vlinks[0].vlink_session_create("mine") { _ in
            aborts.add(1, ordering: .relaxed)
            return 0
        }
        let new = try #require(session)
        #expect(created == 0 && new.state == .new && new.private as? String == "mine")
        #expect(new.vlink_session_enter_and_test_alive() == -1)
        #expect(a.vlinks[0].users == 1)
        new.vlink_session_leave()
        #expect(a.vlinks[0].users == 0)

        #expect(b.vlink_drv_startup() == 0)
        #expect(R.eventually { new.state == .alive })
        #expect(new.vlink_session_enter_and_test_alive() == 0)
        new.vlink_session_leave()
        let late = try #require(a.vlinks[0].vlink_session_create().1)
        #expect(late.state == .alive)  // created while up

        vms.crash(3)  // the supervisor forces VM 3's ends OFF and sends SYSCONF
        #expect(R.eventually { new.state == .aborted && late.state == .aborted })
        #expect(aborts.load(ordering: .relaxed) == 1)
        #expect(new.vlink_session_enter_and_test_alive() == 1)
        new.vlink_session_leave()
        #expect(a.vlinks[0].endpoint.mine == .reset)  // back to RESET, waiting for the peer

        a.vlink_drv_shutdown()
        #expect(a.vlinks[0].vlink_session_create().0 == VlinkReturn.ENXIO)
        a.vlink_drv_cleanup()
        #expect(a.vlinks[0].vlink_session_create().0 == VlinkReturn.ENXIO)
    }

    @Test func sessionReferencesReleaseOnTheLastPut() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let a = Recorder().driver("vkit", .server, vms[2].nkddi)
        #expect(a.vlink_drv_probe() == 0 && a.vlink_drv_startup() == 0)
        let session = try #require(a.vlinks[0].vlink_session_create().1)
        session.vlink_session_get()
        #expect(session.refcount == 2)
        session.vlink_session_destroy()
        #expect(session.refcount == 1)
        session.vlink_session_put()
        #expect(session.refcount == 0)
        a.vlinks[0].vlink_sessions_cancel()  // released already: nothing to abort
        #expect(session.state == .new)
    }
}
