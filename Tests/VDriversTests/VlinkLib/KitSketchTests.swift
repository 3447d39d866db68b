// SPDX-License-Identifier: Apache-2.0
import Dispatch
import Platform
import PlatformSys
import Synchronization
import Testing

@testable import VDrivers
@testable import VlinkLib

/// The driver kit fits more than pipes: a sketch of the next transport, a
/// VRPC-style call (VRPC(4D), manual lines 11033–11318) on VLINK_LIB. Each vlink
/// has one shared buffer in PMEM and two xirqs; the client writes a request,
/// rings the server and blocks until the reply xirq, or until the vlink goes
/// down (`-EAGAIN`, its session aborted). The server answers in its xirq handler
/// (a `direct` server). Not a product driver: the transports issue builds it.
@Suite(.serialized) struct KitSketchTests {
    typealias R = Requests

    /// One end of the sketch: server (uppercases requests) or client (calls).
    final class EchoEnd: Sendable {
        let drv: VlinkDrv
        let replies = Waiters()

        /// The client's waiting call, per vlink.
        final class Waiters: Sendable {
            let waiting = Mutex<[ObjectIdentifier: DispatchSemaphore]>([:])
        }

        init(nkddi: NKDDI, server: Bool) {
            let replies = self.replies
            drv = VlinkDrv(
                name: "vecho", flags: server ? .server : .client, nkddi: nkddi,
                vlink_init: { vlink in
                    let endpoint = vlink.endpoint
                    let nkddi = endpoint.nkddi
                    let paddr = nkddi.nk_pmem_alloc(endpoint.plink, 0, 4096)
                    let request = nkddi.nk_pxirq_alloc(endpoint.plink, 1, endpoint.record.s_id, 1)
                    let reply = nkddi.nk_pxirq_alloc(endpoint.plink, 0, endpoint.record.c_id, 1)
                    guard paddr != 0, request != 0, reply != 0,
                        let memory = nkddi.pointer(nkddi.nk_mem_map(paddr, 4096)),
                        let region = memory.region as? any RingMemory
                    else { return VlinkReturn.ENOMEM }
                    let buffer = EchoBuffer(memory: region, base: memory.offset, request: request, reply: reply)
                    vlink.private = buffer
                    if vlink.server {
                        _ = nkddi.nk_xirq_attach(
                            request,
                            { _, _ in
                                buffer.answer()
                                nkddi.nk_xirq_trigger(reply, vlink.id_peer)
                            }, nil)
                    } else {
                        _ = nkddi.nk_xirq_attach(
                            reply, { _, _ in replies.waiting.withLock { $0[ObjectIdentifier(vlink)] }?.signal() }, nil)
                    }
                    return 0
                })
            _ = drv.vlink_drv_probe()
            _ = drv.vlink_drv_startup()
        }

        /// `vrpc_call`: the request goes in place, the reply comes back in place.
        func call(_ bytes: [UInt8]) -> (Int32, [UInt8]) {
            let vlink = drv.vlinks[0]
            guard let buffer = vlink.private as? EchoBuffer else { return (VlinkReturn.ENXIO, []) }
            let wake = DispatchSemaphore(value: 0)
            guard
                let session = vlink.vlink_session_create(
                    nil,
                    { _ in
                        wake.signal()
                        return 0
                    }
                ).1
            else {
                return (VlinkReturn.ENXIO, [])
            }
            defer { session.vlink_session_destroy() }
            defer { session.vlink_session_leave() }
            guard session.vlink_session_enter_and_test_alive() == 0 else { return (VlinkReturn.EAGAIN, []) }
            replies.waiting.withLock { $0[ObjectIdentifier(vlink)] = wake }
            buffer.put(bytes)
            vlink.endpoint.nkddi.nk_xirq_trigger(buffer.request, vlink.id_peer)
            wake.wait()
            guard session.state == .alive else { return (VlinkReturn.EAGAIN, []) }
            return (0, buffer.take())
        }
    }

    /// The shared buffer: a length word, then the bytes.
    final class EchoBuffer: Sendable {
        let memory: any RingMemory
        let base: Int
        let request: NkXIrq
        let reply: NkXIrq

        init(memory: any RingMemory, base: Int, request: NkXIrq, reply: NkXIrq) {
            (self.memory, self.base, self.request, self.reply) = (memory, base, request, reply)
        }

        func put(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { memory.ringCopyIn(base + 4, from: $0) }
            memory.ringStore(base, UInt32(bytes.count))
        }

        func take() -> [UInt8] {
            let count = min(Int(memory.ringLoad(base)), 4092)
            return memory.ringWithBytes(base + 4, count: count) { Array($0) }
        }

        func answer() {
            put(take().map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 })
        }
    }

    @Test func aCallGoesToTheOtherVMsServerAndBackAndAbortsWhenItDies() throws {
        let vms = try TwoVMs(vlinks: [.init(name: "vecho", link: 0, serverID: 2, clientID: 3)])
        let server = EchoEnd(nkddi: vms[2].nkddi, server: true)
        let client = EchoEnd(nkddi: vms[3].nkddi, server: false)
        #expect(R.eventually { client.drv.vlinks[0].state == .up && server.drv.vlinks[0].state == .up })
        let (status, reply) = client.call(Array("hello, vm2".utf8))
        #expect(status == 0 && reply == Array("HELLO, VM2".utf8))

        vms.crash(2)  // the server's VM dies: the client's end aborts, calls say -EAGAIN
        #expect(R.eventually { client.drv.vlinks[0].state == .stopped })
        #expect(client.call(Array("anyone?".utf8)).0 == VlinkReturn.EAGAIN)

        try vms.boot(2)  // and comes back: the same PMEM buffer and xirqs (labels), a new kernel
        let again = EchoEnd(nkddi: vms[2].nkddi, server: true)
        #expect(R.eventually { client.drv.vlinks[0].state == .up && again.drv.vlinks[0].state == .up })
        let back = client.call(Array("back".utf8))
        #expect(back.0 == 0 && back.1 == Array("BACK".utf8))
    }
}
