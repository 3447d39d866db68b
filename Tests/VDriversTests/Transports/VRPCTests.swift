// SPDX-License-Identifier: Apache-2.0
import Dispatch
import Platform
import Synchronization
import Testing
import VlinkLib

@testable import Transports

/// VRPC(4D) between two VMs over real shared memory and xirq dispatchers:
/// lookup over every end (`#clone` ends too), calls in place, direct and thread
/// servers, serialised calls, the busy call's timeout, a corrupt peer, and a
/// server VM that dies and comes back.
@Suite(.serialized) struct VRPCTests {
    typealias R = Requests

    static let vlinks: [RepositoryInput.Vlink] = [
        .init(name: "vrpc", link: 0, serverID: 2, clientID: 3, serverInfo: "vclk_ctrl,256", clientInfo: "vclk_ctrl"),
        .init(name: "vrpc", link: 1, serverID: 2, clientID: 3, serverInfo: "vclk_ctrl,256", clientInfo: "vclk_ctrl"),
        .init(name: "vrpc", link: 2, serverID: 3, clientID: 2, serverInfo: "vthermal", clientInfo: "vthermal"),
    ]

    /// An uppercasing server routine on `vrpc`'s data buffer.
    static func upper(_ vrpc: Vrpc) -> vrpc_call_t {
        { _, size in
            let data = vrpc.vrpc_data()
            data.storeBytes(data.loadBytes(count: Int(size)).map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 })
            return size
        }
    }

    /// Puts `text` in the buffer, calls, returns the status and the answer.
    static func call(_ vrpc: Vrpc, _ text: String) -> (Int32, String) {
        var size = vrpc_size_t(text.utf8.count)
        vrpc.vrpc_data().storeBytes(Array(text.utf8))
        let status = vrpc.vrpc_call(&size)
        return (
            status, status == 0 ? String(decoding: vrpc.vrpc_data().loadBytes(count: Int(size)), as: UTF8.self) : ""
        )
    }

    @Test func lookupFindsEveryEndOnceUntilReleased() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let vrpc2 = VRPC(nkddi: vms[2].nkddi)
        let first = try #require(vrpc2.vrpc_server_lookup("vclk_ctrl"))
        let second = try #require(vrpc2.vrpc_server_lookup("vclk_ctrl"))  // the clone end; the first is held
        #expect(first !== second && first.isServer && second.isServer)
        #expect(vrpc2.vrpc_server_lookup("vclk_ctrl") == nil)
        #expect(vrpc2.vrpc_server_lookup("vclk_ctrl", first) == nil)
        first.vrpc_release()
        #expect(vrpc2.vrpc_server_lookup("vclk_ctrl") === first)
        #expect(first.vrpc_maxsize() == 256 && first.vrpc_peer_id() == 3)
        #expect(vrpc2.vrpc_server_lookup("vthermal") == nil)  // VM 2 is its client
        let thermal = try #require(vrpc2.vrpc_client_lookup("vthermal"))
        #expect(thermal.vrpc_maxsize() == vrpc_size_t(VrpcInfo.defaultSize) && thermal.vrpc_peer_id() == 3)
        #expect(thermal.vrpc_server_open({ _, s in s }, nil, true) == VrpcReturn.EFAULT)  // a client end
    }

    @Test(arguments: [true, false]) func aCallReachesTheOtherVMsServerAndComesBackInPlace(direct: Bool) throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let (vrpc2, vrpc3) = (VRPC(nkddi: vms[2].nkddi), VRPC(nkddi: vms[3].nkddi))
        let server = try #require(vrpc2.vrpc_server_lookup("vclk_ctrl"))
        let client = try #require(vrpc3.vrpc_client_lookup("vclk_ctrl"))
        let readies = Atomic<Int>(0)
        let inside = Atomic<Int>(0)
        let overlaps = Atomic<Int>(0)
        #expect(client.vrpc_client_open({ cookie in readies.add(cookie as? Int ?? 0, ordering: .relaxed) }, 1) == 0)
        #expect(readies.load(ordering: .relaxed) == 0)  // the server is not open yet
        #expect(
            server.vrpc_server_open(
                { cookie, size in
                    if inside.add(1, ordering: .relaxed).newValue > 1 { overlaps.add(1, ordering: .relaxed) }
                    defer { inside.subtract(1, ordering: .relaxed) }
                    return Self.upper(server)(cookie, size)
                }, nil, direct) == 0)
        #expect(R.eventually { readies.load(ordering: .relaxed) == 1 })
        #expect(Self.call(client, "get rate 3") == (0, "GET RATE 3"))

        // Calls from several threads (each filling the buffer under its driver's own
        // lock, as a front end does) reach the server one at a time.
        let failures = Atomic<Int>(0)
        let frontEnd = Mutex(())
        let threads = (0..<4).map { t in
            Thread {
                for i in 0..<50 {
                    let answer = frontEnd.withLock { _ in Self.call(client, "t\(t) call \(i)") }
                    if answer != (0, "T\(t) CALL \(i)") { failures.add(1, ordering: .relaxed) }
                }
            }
        }
        for thread in threads { thread.join() }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(overlaps.load(ordering: .relaxed) == 0)
    }

    @Test func aRequestSizeTheBufferCannotHoldIsRefused() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let (vrpc2, vrpc3) = (VRPC(nkddi: vms[2].nkddi), VRPC(nkddi: vms[3].nkddi))
        let server = try #require(vrpc2.vrpc_server_lookup("vclk_ctrl"))
        let client = try #require(vrpc3.vrpc_client_lookup("vclk_ctrl"))
        let calls = Atomic<Int>(0)
        #expect(
            server.vrpc_server_open(
                { _, size in
                    calls.add(1, ordering: .relaxed)
                    return size
                }, nil, true) == 0)
        #expect(client.vrpc_client_open({ _ in }, nil) == 0)
        #expect(R.eventually { client.vlink.state == .up })
        var size: vrpc_size_t = 257
        #expect(client.vrpc_call(&size) == VrpcReturn.EFAULT)  // larger than the buffer: never sent

        // A corrupt client writes a request size beyond the buffer: refused, answered as such.
        client.block.store(VrpcBlock.reqSize, 1 << 30)
        client.block.store(VrpcBlock.request, 77)
        vms[3].nkddi.nk_xirq_trigger(client.peer, 2)
        #expect(R.eventually { server.refusedRequests == 1 && client.block.load(VrpcBlock.reply) == 77 })
        #expect(client.block.load(VrpcBlock.repSize) == UInt32.max && calls.load(ordering: .relaxed) == 0)
    }

    @Test func aResponseSizeTheBufferCannotHoldIsEFAULT() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let (vrpc2, vrpc3) = (VRPC(nkddi: vms[2].nkddi), VRPC(nkddi: vms[3].nkddi))
        let server = try #require(vrpc2.vrpc_server_lookup("vclk_ctrl"))
        let client = try #require(vrpc3.vrpc_client_lookup("vclk_ctrl"))
        let gate = DispatchSemaphore(value: 0)
        #expect(
            server.vrpc_server_open(
                { _, size in
                    gate.wait()
                    return size
                }, nil, false) == 0)
        #expect(client.vrpc_client_open({ _ in }, nil) == 0)
        #expect(R.eventually { client.vlink.state == .up })
        let status = Atomic<Int32>(1)
        let caller = Thread { status.store(Self.call(client, "hi").0, ordering: .relaxed) }
        #expect(R.eventually { client.block.load(VrpcBlock.request) == 1 })
        // A corrupt server answers with a size beyond the buffer.
        server.block.store(VrpcBlock.repSize, 1 << 20)
        server.block.store(VrpcBlock.reply, 1)
        vms[2].nkddi.nk_xirq_trigger(server.peer, 3)
        caller.join()
        #expect(status.load(ordering: .relaxed) == VrpcReturn.EFAULT)
        gate.signal()
    }

    @Test func aBusyCallTimesOutAndTheNextCallWaitsForTheLateReply() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let (vrpc2, vrpc3) = (VRPC(nkddi: vms[2].nkddi), VRPC(nkddi: vms[3].nkddi))
        let server = try #require(vrpc2.vrpc_server_lookup("vclk_ctrl"))
        let client = try #require(vrpc3.vrpc_client_lookup("vclk_ctrl"))
        let gate = DispatchSemaphore(value: 0)
        let slow = Atomic<Bool>(true)
        let upper = Self.upper(server)
        #expect(
            server.vrpc_server_open(
                { cookie, size in
                    if slow.exchange(false, ordering: .relaxed) { gate.wait() }
                    return upper(cookie, size)
                }, nil, false) == 0)
        #expect(client.vrpc_client_open({ _ in }, nil) == 0)
        #expect(R.eventually { client.vlink.state == .up })
        client.vrpc_data().storeBytes(Array("slow".utf8))
        var size: vrpc_size_t = 4
        #expect(client.vrpc_call_busy(&size, 20) == VrpcReturn.ETIMEDOUT)
        // The next call leaves the buffer alone (the timed-out request still owns
        // it) and asks for 2 bytes: it returns after the late reply to the first
        // request (4 bytes), with its own answer, never that late reply.
        let answer = Mutex<(Int32, vrpc_size_t)>((1, 0))
        let late = Thread {
            var next: vrpc_size_t = 2
            let status = client.vrpc_call(&next)
            answer.withLock { $0 = (status, next) }
        }
        gate.signal()  // the timed-out request completes in the server, then the next one runs
        late.join()
        #expect(answer.withLock { $0 } == (0, 2))
        #expect(client.vrpc_data().loadBytes(count: 2) == Array("SL".utf8))
        #expect(server.vrpc_server_open({ _, s in s }, nil, true) == VrpcReturn.EFAULT)  // already open
    }

    @Test func aCallEndsWithEAGAINWhenTheServersVMDiesAndWorksOnceItIsBack() throws {
        let vms = try TwoVMs(vlinks: Self.vlinks)
        let vrpc3 = VRPC(nkddi: vms[3].nkddi)
        let server = try #require(VRPC(nkddi: vms[2].nkddi).vrpc_server_lookup("vclk_ctrl"))
        let client = try #require(vrpc3.vrpc_client_lookup("vclk_ctrl"))
        let gate = DispatchSemaphore(value: 0)
        #expect(
            server.vrpc_server_open(
                { _, size in
                    gate.wait()
                    return size
                }, nil, false) == 0)
        let readies = Atomic<Int>(0)
        #expect(client.vrpc_client_open({ _ in readies.add(1, ordering: .relaxed) }, nil) == 0)
        #expect(R.eventually { readies.load(ordering: .relaxed) == 1 })
        let blocked = Atomic<Int32>(1)
        let caller = Thread { blocked.store(Self.call(client, "stuck").0, ordering: .relaxed) }
        #expect(R.eventually { client.block.load(VrpcBlock.request) != 0 })
        vms.crash(2)  // the supervisor forces VM 2's end OFF: the call is aborted
        caller.join()
        #expect(blocked.load(ordering: .relaxed) == VrpcReturn.EAGAIN)
        #expect(Self.call(client, "again").0 == VrpcReturn.EAGAIN)
        gate.signal()

        try vms.boot(2)  // a new kernel: the same block and xirqs (labels), a new server
        let again = try #require(VRPC(nkddi: vms[2].nkddi).vrpc_server_lookup("vclk_ctrl"))
        #expect(again.vrpc_server_open(Self.upper(again), nil, true) == 0)
        // `ready` runs again once the new server is up (the front end's cue to reopen),
        // and once more at the reopen if the server is up by then.
        #expect(client.vrpc_client_open({ _ in readies.add(1, ordering: .relaxed) }, nil) == 0)  // reopen
        #expect(R.eventually { readies.load(ordering: .relaxed) >= 2 })
        #expect(Self.call(client, "back") == (0, "BACK"))
    }
}
