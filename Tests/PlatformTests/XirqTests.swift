// SPDX-License-Identifier: Apache-2.0
import Dispatch
import Platform
import Synchronization
import Testing

/// Collects (handler tag, xirq) pairs in the order handlers ran.
final class CallLog: Sendable {
    let entries = Mutex<[String]>([])
    func add(_ s: String) { entries.withLock { $0.append(s) } }
    var all: [String] { entries.withLock { $0 } }
}

@Suite("Cross interrupts (nk_xirq_*)")
struct XirqTests {
    let platform = TestPlatform()

    func ownXirq(_ vm: NKDDI, id: NkResourceId = 0) -> NkXIrq {
        vm.nk_pxirq_alloc(vm.nk_vlink_lookup("vpipe", 0), id, vm.nk_id_get(), 1)
    }

    @Test("triggers coalesce and several handlers run once each, in attach order")
    func coalesceAndOrder() {
        let server = platform.vm(2)
        let client = platform.vm(3)
        let x = ownXirq(server)
        let log = CallLog()
        #expect(server.nk_xirq_attach(x, { c, x in log.add("a\(c as! Int):\(x)") }, 1) != 0)
        #expect(server.nk_xirq_attach(x, { c, x in log.add("b\(c as! Int):\(x)") }, 2) != 0)
        client.nk_xirq_trigger(x, 2)
        client.nk_xirq_trigger(x, 2)
        client.nk_xirq_trigger(x, 2)
        #expect(platform.doorbells[2]!.count == 1, "a trigger of a pending xirq does not ring again")
        #expect(server.dispatcher.drain() == 1)
        #expect(log.all == ["a1:\(x)", "b2:\(x)"])
    }

    @Test("a masked xirq stays pending and fires on unmask")
    func maskUnmask() {
        let server = platform.vm(2)
        let client = platform.vm(3)
        let x = ownXirq(server)
        let log = CallLog()
        _ = server.nk_xirq_attach(x, { _, _ in log.add("h") }, nil)
        server.nk_xirq_mask(x)
        client.nk_xirq_trigger(x, 2)
        client.nk_xirq_trigger(x, 2)
        #expect(server.dispatcher.drain() == 0)
        #expect(platform.supervisor.isPending(x, on: 2))
        let before = platform.doorbells[2]!.count
        server.nk_xirq_unmask(x)
        #expect(platform.doorbells[2]!.count == before + 1, "unmask of a pending xirq wakes the dispatcher")
        #expect(server.dispatcher.drain() == 1)
        #expect(log.all == ["h"])
        #expect(!platform.supervisor.isPending(x, on: 2))
    }

    @Test("attach accepts only this VM's xirqs; attach_masked and xirq_alloc fail")
    func attachRules() {
        let server = platform.vm(2)
        let client = platform.vm(3)
        let clientX = ownXirq(client)
        #expect(server.nk_xirq_attach(clientX, { _, _ in }, nil) == 0, "allocated to VM 3")
        #expect(server.nk_xirq_attach(NK_XIRQ_LIMIT - 1, { _, _ in }, nil) == 0, "not allocated")
        #expect(server.nk_xirq_attach(NK_XIRQ_SYSCONF, { _, _ in }, nil) != 0)
        #expect(client.nk_xirq_attach_masked(clientX, { _, _ in }, nil) == 0)
        #expect(client.nk_xirq_alloc(1) == 0)
        client.nk_xirq_affinity(clientX, 0b10)
        #expect(platform.supervisor.affinity(clientX, on: 3) == 0b10)
    }

    @Test("detach waits for the running handler to finish")
    func detachWaits() async {
        let server = platform.vm(2)
        let x = ownXirq(server)
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = Atomic<Bool>(false)
        let id = server.nk_xirq_attach(
            x,
            { _, _ in
                entered.signal()
                release.wait()
                finished.store(true, ordering: .releasing)
            }, nil)
        server.nk_xirq_trigger(x, 2)
        DispatchQueue.global().async { server.dispatcher.drain() }
        entered.wait()
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(100)) { release.signal() }
        server.nk_xirq_detach(id)
        let done = finished.load(ordering: .acquiring)
        #expect(done, "detach returned before the handler finished")
        server.nk_xirq_trigger(x, 2)
        #expect(server.dispatcher.drain() == 0, "no handler left: the xirq is disabled and stays pending")
    }

    @Test("a handler may detach itself without deadlock")
    func selfDetach() {
        let server = platform.vm(2)
        let x = ownXirq(server)
        let box = Atomic<UInt>(0)
        let log = CallLog()
        let id = server.nk_xirq_attach(
            x,
            { _, _ in
                log.add("once")
                server.nk_xirq_detach(box.load(ordering: .acquiring))
            }, nil)
        box.store(id, ordering: .releasing)
        server.nk_xirq_trigger(x, 2)
        server.dispatcher.drain()
        server.nk_xirq_trigger(x, 2)
        server.dispatcher.drain()
        #expect(log.all == ["once"])
    }

    @Test("sysconf: post reaches the peer's handshake xirq, else legacy SYSCONF; selfpost; detach")
    func sysconf() {
        let server = platform.vm(2)
        let client = platform.vm(3)
        let plink = server.nk_vlink_lookup("vpipe", 0)
        let log = CallLog()
        #expect(server.nk_sysconf_attach(plink, { _, x in log.add("s\(x)") }, nil) == 0)
        #expect(server.nk_sysconf_attach(plink, { _, _ in }, nil) < 0, "one handler per end")
        #expect(platform.vm(4).nk_sysconf_attach(plink, { _, _ in }, nil) < 0, "not an end")
        client.nk_sysconf_post(plink)
        #expect(server.dispatcher.drain() == 0, "post before attach does nothing")
        #expect(client.nk_sysconf_attach(plink, { _, x in log.add("c\(x)") }, nil) == 0)
        client.nk_sysconf_post(plink)
        #expect(server.dispatcher.drain() == 1)
        let serverX = platform.supervisor.handshakeXirq(0, server: true)
        #expect(serverX > NK_XIRQ_SYSCONF && log.all == ["s\(serverX)"])
        server.nk_sysconf_selfpost(plink)
        server.dispatcher.drain()
        client.nk_xirq_trigger(NK_XIRQ_SYSCONF, 2)
        server.dispatcher.drain()
        #expect(log.all == ["s\(serverX)", "s\(serverX)", "s\(NK_XIRQ_SYSCONF)"])
        client.nk_sysconf_detach(plink)
        server.nk_sysconf_post(plink)
        #expect(platform.supervisor.isPending(NK_XIRQ_SYSCONF, on: 3), "detached peer gets the legacy SYSCONF")
    }
}
