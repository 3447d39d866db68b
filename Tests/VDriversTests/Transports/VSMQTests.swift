// SPDX-License-Identifier: Apache-2.0
import Platform
import Synchronization
import Testing
import VlinkLib

@testable import Transports

/// VSMQ (§7.2) between two VMs over real shared memory: lookup by name and
/// direction, online only when both ends are ready, early messages, full and
/// empty queues, a corrupt peer, and a receiver that dies and comes back.
@Suite(.serialized) struct VSMQTests {
    typealias R = Requests

    static let vlinks: [RepositoryInput.Vlink] = [
        .init(name: "vq", link: 0, serverID: 2, clientID: 3),  // VM 3 sends, VM 2 receives
        .init(name: "vq", link: 1, serverID: 3, clientID: 2),  // VM 2 sends, VM 3 receives
        .init(name: "vq", link: 2, serverID: 2, clientID: 3),
        .init(name: "loop", link: 0, serverID: 2, clientID: 2),  // loop back
    ]

    /// A started pair: VM 3 transmits on link 0, VM 2 receives.
    struct Pair {
        let vms: TwoVMs
        let (vsmq2, vsmq3): (VSMQ, VSMQ)
        let (tx, rx): (Vsmq, Vsmq)
        let sysconfs = Counter()
        let receives = Counter()

        init(queue: UInt32 = 4, startReceiver: Bool = true) throws {
            vms = try TwoVMs(vlinks: VSMQTests.vlinks)
            (vsmq2, vsmq3) = (VSMQ(nkddi: vms[2].nkddi), VSMQ(nkddi: vms[3].nkddi))
            tx = try #require(vsmq3.vsmq_lookup_tx("vq", 16, queue).1)
            rx = try #require(vsmq2.vsmq_lookup_rx("vq", 16, queue).1)
            let (s, r) = (sysconfs, receives)
            tx.vsmq_cb_register(vsmq_cb_ops_t(sysconf: { _ in s.add() }), nil)
            rx.vsmq_cb_register(vsmq_cb_ops_t(receive: { _ in r.add() }), nil)
            #expect(tx.vsmq_start() == 0)
            if startReceiver { #expect(rx.vsmq_start() == 0) }
        }
    }

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
        func add() { value.add(1, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }
    }

    @Test func lookupByNameAndDirection() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let vsmq2 = VSMQ(nkddi: vms[2].nkddi)
        #expect(vsmq2.vsmq_lookup_rx("vq", 16, 3).0 == VsmqReturn.EINVAL)  // not a power of two
        #expect(vsmq2.vsmq_lookup_rx("vq", 16, 0).0 == VsmqReturn.EINVAL)
        let first = try #require(vsmq2.vsmq_lookup_rx("vq", 16, 8).1)
        #expect(!first.isTransmitter && first.vsmq_peer_vmid() == 3 && first.vsmq_my_vmid() == 2)
        let second = try #require(vsmq2.vsmq_lookup_next(first).1)
        #expect(second.vlink.endpoint.link == 2 && second.queueSize == 8)
        let end = vsmq2.vsmq_lookup_next(second)
        #expect(end.0 == 0 && end.1 == nil)
        #expect(try #require(vsmq2.vsmq_lookup_tx("vq", 16, 8).1).vlink.endpoint.link == 1)
        let none = vsmq2.vsmq_lookup_tx("nothing", 16, 8)
        #expect(none.0 == 0 && none.1 == nil)
        // A loop-back vlink: both ends in this VM, one link id.
        let loopTX = try #require(vsmq2.vsmq_lookup_tx("loop", 8, 2).1)
        let loopRX = try #require(vsmq2.vsmq_lookup_rx("loop", 8, 2).1)
        #expect(loopTX !== loopRX && loopTX.vsmq_link_id() == loopRX.vsmq_link_id())
        #expect(loopTX.vsmq_start() == 0 && loopRX.vsmq_start() == 0)
        #expect(R.eventually { loopTX.vsmq_link_is_online() && loopRX.vsmq_link_is_online() })
        let msg = try #require(loopTX.vsmq_msg_allocate().1)
        msg.store([1, 2, 3])
        #expect(loopTX.vsmq_msg_send(msg) == 0)
        #expect(R.eventually { loopRX.vsmq_msg_receive().1?.load().prefix(3) == [1, 2, 3] })
    }

    @Test func messagesFlowOnlyOnlineAndTheQueueFillsAndEmpties() throws {
        let p = try Pair(queue: 4, startReceiver: false)
        #expect(p.tx.vsmq_msg_allocate().0 == VsmqReturn.ENOTCONN)  // the receiver is not ready
        #expect(!p.tx.vsmq_link_is_online())
        #expect(p.rx.vsmq_start() == 0)
        #expect(R.eventually { p.tx.vsmq_link_is_online() && p.rx.vsmq_link_is_online() })
        #expect(R.eventually { p.sysconfs.count >= 1 })  // the receiver's start reached the transmitter
        var sent: [VsmqMsg] = []
        for i in 0..<4 {
            let msg = try #require(p.tx.vsmq_msg_allocate().1)
            msg.store(Array("message \(i)".utf8))
            sent.append(msg)
        }
        #expect(p.tx.vsmq_msg_allocate().0 == VsmqReturn.EAGAIN)  // full
        #expect(p.rx.vsmq_msg_receive().0 == VsmqReturn.ENOMSG)  // allocated, not sent
        for msg in sent { #expect(p.tx.vsmq_msg_send(msg) == 0) }
        #expect(p.tx.vsmq_msg_send(sent[0]) == VsmqReturn.EINVAL)  // twice
        #expect(R.eventually { p.receives.count >= 1 })
        var received: [VsmqMsg] = []
        for i in 0..<4 {
            let msg = try #require(p.rx.vsmq_msg_receive().1)
            #expect(String(decoding: msg.load().prefix(9), as: UTF8.self) == "message \(i)")
            received.append(msg)
        }
        #expect(p.rx.vsmq_msg_receive().0 == VsmqReturn.ENOMSG)
        #expect(p.tx.vsmq_msg_allocate().0 == VsmqReturn.EAGAIN)  // received, not freed
        for msg in received { #expect(p.rx.vsmq_msg_free(msg) == 0) }
        #expect(p.rx.vsmq_msg_free(received[1]) == VsmqReturn.EINVAL)
        #expect(p.tx.vsmq_msg_allocate().0 == 0)
        #expect(p.tx.stats.messages == 4 && p.tx.stats.allocated == 5 && p.rx.stats.freed == 4)

        let files = p.vsmq2.procFiles()
        #expect(files.map(\.name) == ["vsmq-vq-rx-3.\(String(p.rx.vsmq_link_id(), radix: 16))"])
        let lines = try #require(files.first).text.split(separator: "\n")
        #expect(lines[0] == "Link Peer    Rx-Msg    Rx-Free    Rx-IRQ Rx-Sysconf Tx-Sysconf Reset Name")
        #expect(lines[1].hasPrefix("  0      3           4           4 ") && lines[1].hasSuffix(" vq"))
    }

    @Test func earlyMessagesArriveOnceTheReceiverIsReady() throws {
        let p = try Pair(startReceiver: false)
        #expect(p.tx.vsmq_msg_allocate().0 == VsmqReturn.ENOTCONN)
        let msg = try #require(p.tx.vsmq_msg_allocate_early().1)
        msg.store(Array("early".utf8))
        #expect(p.tx.vsmq_msg_send(msg) == VsmqReturn.ENOTCONN)
        #expect(p.tx.vsmq_msg_send_early(msg) == 0)
        #expect(p.rx.vsmq_msg_allocate_early().0 == VsmqReturn.ENOTCONN)  // not started
        #expect(p.rx.vsmq_start() == 0)
        #expect(R.eventually { p.rx.vsmq_link_is_online() })
        #expect(R.eventually { p.rx.vsmq_msg_receive().1?.load().prefix(5) == Array("early".utf8)[...] })
    }

    @Test func aCorruptPeerCounterIsRefused() throws {
        let p = try Pair()
        #expect(R.eventually { p.tx.vsmq_link_is_online() && p.rx.vsmq_link_is_online() })
        let ring = try #require(p.rx.state.withLock { $0.ring })
        ring.store(VsmqRing.sent, 4 + 1000)  // the transmitter claims 1004 messages in a queue of 4
        #expect(p.rx.vsmq_msg_receive().0 == VsmqReturn.EINVAL)
        #expect(p.rx.stats.refused == 1)
        ring.store(VsmqRing.sent, 0)
        ring.store(VsmqRing.freed, 77)  // the receiver claims to have freed what was never sent
        #expect(p.tx.vsmq_msg_allocate().0 == VsmqReturn.EINVAL)
    }

    @Test func aReceiverThatDiesIsOfflineAndTrafficResumesWhenItIsBack() throws {
        let p = try Pair()
        #expect(R.eventually { p.tx.vsmq_link_is_online() })
        let msg = try #require(p.tx.vsmq_msg_allocate().1)
        msg.store([42])
        #expect(p.tx.vsmq_msg_send(msg) == 0)
        let before = p.sysconfs.count
        p.vms.crash(2)
        #expect(
            R.eventually { !p.tx.vsmq_link_is_online() && p.sysconfs.count > before },
            "tx \(p.tx.vlink.endpoint.mine) peer \(String(describing: p.tx.vlink.endpoint.peerState)) state \(p.tx.vlink.state) sysconfs \(p.sysconfs.count) before \(before)"
        )
        #expect(p.tx.vsmq_msg_allocate().0 == VsmqReturn.ENOTCONN)

        try p.vms.boot(2)
        let rx = try #require(VSMQ(nkddi: p.vms[2].nkddi).vsmq_lookup_rx("vq", 16, 4).1)
        #expect(rx.vsmq_start() == 0)
        #expect(R.eventually { p.tx.vsmq_link_is_online() && rx.vsmq_link_is_online() })
        #expect(rx.vsmq_msg_receive().0 == VsmqReturn.ENOMSG)  // what was in flight is dropped, not delivered twice
        let again = try #require(p.tx.vsmq_msg_allocate().1)
        again.store([7])
        #expect(p.tx.vsmq_msg_send(again) == 0)
        #expect(R.eventually { rx.vsmq_msg_receive().1?.load().first == 7 })
        #expect(rx.vsmq_msg_receive().0 == VsmqReturn.ENOMSG)
        #expect(p.tx.stats.resets >= 2)  // the start and the peer's death
    }
}
