// SPDX-License-Identifier: Apache-2.0
import Platform
import Synchronization
import Testing

@testable import Transports

/// VMBOX (§7.1) between two VMs: a queue pair per peer on VSMQ, `on`/`off`
/// per peer, messages both ways, every callback on the instance's one thread.
@Suite(.serialized) struct VMBOXTests {
    typealias R = Requests

    static let vlinks: [RepositoryInput.Vlink] = [
        .init(name: "vbox", link: 0, serverID: 2, clientID: 3),  // VM 3 → VM 2
        .init(name: "vbox", link: 1, serverID: 3, clientID: 2),  // VM 2 → VM 3
    ]

    final class Events: Sendable {
        let lines = Mutex<[String]>([])
        func note(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    static func box(_ nkddi: NKDDI, _ events: Events, frontend: Bool) throws -> VMBOX {
        let (status, box) = VMBOX.vmbox_init(nkddi, "vbox", frontend, 32, 8)
        #expect(status == 0)
        let vmbox = try #require(box)
        vmbox.vmbox_cb_ops_register(
            vmbox_cb_ops_t(
                on: { _, vmid in events.note("on \(vmid)") }, off: { _, vmid in events.note("off \(vmid)") },
                receive: { _, vmid, vmq, msg in
                    events.note("from \(vmid): \(String(decoding: msg.load().prefix { $0 != 0 }, as: UTF8.self))")
                    _ = vmbox.vmbox_msg_free(vmq, msg)
                }), nil)
        return vmbox
    }

    @Test func aStarOfQueuePairsCarriesMessagesBothWays() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        #expect(VMBOX.vmbox_init(vms[2].nkddi, "vbox", false, 32, 6).0 == VsmqReturn.EINVAL)
        let (e2, e3) = (Events(), Events())
        let back = try Self.box(vms[2].nkddi, e2, frontend: false)
        #expect(back.vmbox_vms_mask() == 1 << 3)
        #expect(back.vmbox_msg_alloc(3).0 == -VsmqReturn.ENOTCONN)  // the front end is not there
        #expect(back.vmbox_msg_alloc(4).0 == -VsmqReturn.ENOTCONN)  // no vlink to VM 4
        let front = try Self.box(vms[3].nkddi, e3, frontend: true)
        #expect(R.eventually { e2.all.contains("on 3") && e3.all.contains("on 2") })
        for (box, peer, text) in [(front, UInt32(2), "hello back end"), (back, 3, "hello front end")] {
            let (status, vmq, msg) = box.vmbox_msg_alloc(peer)
            #expect(status == 0)
            try #require(msg).store(Array(text.utf8) + [0])
            #expect(box.vmbox_msg_send(try #require(vmq), try #require(msg)) == 0)
        }
        #expect(
            R.eventually { e2.all.contains("from 3: hello back end") && e3.all.contains("from 2: hello front end") })

        vms.crash(3)
        #expect(R.eventually { e2.all.contains("off 3") })
        #expect(back.vmbox_msg_alloc(3).0 == -VsmqReturn.ENOTCONN)
        back.vmbox_exit()
    }
}
