// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import Testing

/// Every primitive driven from real VM processes (`vlm-testkit nkddi-probe`) over one
/// repository in POSIX shared memory, with eventfd doorbells. The first PMEM
/// block (label `(vlink 0, id 0)`) is always `0x80000000`; its first word is the
/// barrier the scripts count on with `nk_atomic_add` and wait on.
@Suite("NKDDI across VM processes", .timeLimit(.minutes(2)), .serialized)
struct CrossProcessNKDDITests {
    static let barrier = "0x80000000"

    @Test("identity, vlink records, resource labels, address translation and atomics")
    func resourcesAndAtomics() throws {
        let platform = try ProbePlatform()
        let common = [
            "id", "last", "running", "lookup vpipe", "lookup *", "pmem 0 0 100", "pdev 0 0 64", "pxirq 0 0 3 2",
            "pxirq 0 1 2 1", "pmem 0 0 8192", "pdev 0 0 65", "pxirq 0 1 3 1", "xalloc 4",
        ]
        let out = try platform.run([
            (
                2,
                common + [
                    "vlinkstate 0 s 1", "add \(Self.barrier) 1", "waitword \(Self.barrier) 2",
                    "add 0x80000004 0x10", "set 0x80000008 0x6", "ptov 0x40001000", "map 0x80000000 4096",
                    "bit2mask 5", "mask2bit 0x30", "add \(Self.barrier) 1",
                ]
            ),
            (
                3,
                common + [
                    "add \(Self.barrier) 1", "waitword \(Self.barrier) 3", "vlink 0", "vlink 1",
                    "subtest 0x80000004 0x10", "cleartest 0x80000008 0x2", "cleartest 0x80000008 0x4",
                    "sub 0x80000004 1",
                ]
            ),
            (4, ["pmem 0 0 100", "pdev 0 9 16", "pxirq 0 9 4 1"]),
        ])
        let s = out[2]!
        let c = out[3]!
        #expect(s.result("id") == "2" && c.result("id") == "3")
        #expect(s.result("last") == "4" && s.result("running") == "0x1c")
        #expect(s.result("lookup vpipe")?.split(separator: " ").count == 2)
        #expect(s.result("lookup *")?.split(separator: " ").count == 3)
        for cmd in ["pmem", "pdev", "pxirq"] {
            #expect(s.results(cmd) == c.results(cmd), "\(cmd): same label, same result")
        }
        #expect(s.results("pmem") == ["0x80000000", "0x0"], "100 rounds to one page; 8192 is another size → 0")
        #expect(s.results("pdev")[1] == "0x0" && s.results("pxirq")[2] == "0")
        #expect(s.results("pxirq")[0] == "33" && s.results("pxirq")[1] == "33", "xirqs owned by 3, then by 2")
        #expect(s.result("xalloc") == "0")
        #expect(out[4]!.map { $0.split(separator: " ").last! } == ["0x0", "0x0", "0"], "VM 4 is no end of vlink 0")
        #expect(c.result("vlink 0") == "vpipe link=0 s=2/1 c=3/0 s_info=8K", "the server's RESET seen by the client")
        #expect(c.result("vlink 1") == "veth link=0 s=3/0 c=2/0 s_info=mac")
        #expect(c.result("subtest 0x80000004 0x10") == "0x0")
        #expect(c.results("cleartest") == ["0x4", "0x0"])
        #expect(c.result("sub 0x80000004 1") == "0xffffffff")
        #expect(s.result("ptov 0x40001000")?.hasSuffix("roundtrip=true") == true)
        #expect(s.result("map 0x80000000 4096") == "ok vtop=0x80000000")
        #expect(s.result("bit2mask 5") == "0x20" && s.result("mask2bit 0x30") == "4")
        #expect(platform.repository.vlink(0).s_state == NK_DEV_VLINK_RESET)
    }

    @Test("xirqs: coalesced while masked, fire on unmask, handlers in order, detach")
    func xirqs() throws {
        let platform = try ProbePlatform()
        let out = try platform.run([
            (
                2,
                [
                    "pmem 0 0 4096", "pxirq 0 1 2 1", "attach 33 a", "attach 33 b", "mask 33", "affinity 33 0x2",
                    "add \(Self.barrier) 1", "waitword \(Self.barrier) 2", "sleep 50", "unmask 33", "waitirq b 1",
                    "sleep 50", "detach a", "add \(Self.barrier) 1", "waitword \(Self.barrier) 4", "waitirq b 2",
                    "sleep 50",
                    "attachmasked 33",
                ]
            ),
            (
                3,
                [
                    "pmem 0 0 4096", "waitword \(Self.barrier) 1", "trigger 33 2", "trigger 33 2", "trigger 33 2",
                    "add \(Self.barrier) 1", "waitword \(Self.barrier) 3", "trigger 33 2", "add \(Self.barrier) 1",
                ]
            ),
        ])
        let s = out[2]!
        // "sleep 50" runs after VM 3's three triggers and before the unmask (whose
        // handlers may print before the unmask line itself).
        let masked = try #require(s.firstIndex(of: "sleep 50 => ok"))
        let early = s[..<masked].filter { $0.hasPrefix("irq") }
        #expect(early.isEmpty, "no handler ran while masked")
        #expect(
            s.filter { $0.hasPrefix("irq") } == ["irq a 33", "irq b 33", "irq b 33"], "coalesced, in order, a detached")
        #expect(s.result("waitirq b") == "ok" && s.result("attachmasked") == "0")
        #expect(platform.repository.affinity(33, on: 2) == 2)
    }

    @Test("detach waits for the handler another VM's trigger started; later triggers stay pending")
    func detachWaitsForRunningHandler() throws {
        let platform = try ProbePlatform()
        let out = try platform.run([
            (
                2,
                [
                    "pmem 0 0 4096", "pxirq 0 1 2 1", "attachslow 33 S 300", "add \(Self.barrier) 1", "waitirq S 1",
                    "detach S", "add \(Self.barrier) 1",
                ]
            ),
            (
                3,
                [
                    "pmem 0 0 4096", "waitword \(Self.barrier) 1", "trigger 33 2", "waitword \(Self.barrier) 2",
                    "trigger 33 2",
                ]
            ),
        ])
        let s = out[2]!
        let done = try #require(s.firstIndex(of: "irq S done"), "\(s)")
        let detached = try #require(s.firstIndex(of: "detach S => ok"))
        #expect(s.firstIndex(of: "waitirq S 1 => ok")! < done, "detach was called while the handler slept")
        #expect(done < detached, "nk_xirq_detach returned only after the running handler finished")
        #expect(s.filter { $0.hasPrefix("irq S 33") }.count == 1)
        #expect(platform.repository.isPending(33, on: 2), "no handler left: the second trigger stays pending")
        #expect(!platform.repository.isEnabled(33, on: 2))
    }

    @Test(
        "sysconf: selfpost reaches the own handshake xirq; after the peer's detach, post falls back to NK_XIRQ_SYSCONF")
    func sysconfSelfpostAndDetach() throws {
        let platform = try ProbePlatform()
        let b = Self.barrier
        let out = try platform.run([
            (
                2,
                [
                    "pmem 0 0 4096", "sysattach 0 hs", "add \(b) 1", "waitword \(b) 2", "sysselfpost 0", "waitirq hs 1",
                    "add \(b) 1", "waitword \(b) 4", "syspost 0",
                ]
            ),
            (3, ["pmem 0 0 4096", "sysattach 0 hc", "add \(b) 1", "waitword \(b) 3", "sysdetach 0", "add \(b) 1"]),
        ])
        let serverX = platform.repository.handshakeXirq(0, server: true)
        #expect(serverX > NK_XIRQ_SYSCONF)
        #expect(out[2]!.filter { $0.hasPrefix("irq ") } == ["irq hs \(serverX)"], "selfpost: the own handler, once")
        #expect(!out[3]!.contains { $0.hasPrefix("irq ") }, "selfpost does not reach the peer")
        #expect(platform.repository.handshakeXirq(0, server: false) == 0, "the detached end has no handshake xirq")
        #expect(platform.repository.isPending(NK_XIRQ_SYSCONF, on: 3), "post to a detached peer: legacy SYSCONF")
    }

    @Test("properties, SYSCONF notification, per-vlink handshake xirqs, lifecycle, console, balloon")
    func propertiesSysconfConsole() throws {
        let platform = try ProbePlatform()
        platform.repository.consolePushInput(3, Array("k".utf8))
        let out = try platform.run([
            (
                2,
                [
                    "pmem 0 0 4096", "attach 32 sys", "sysattach 0 hs", "add \(Self.barrier) 1",
                    "waitword \(Self.barrier) 2", "waitirq sys 1", "waitirq hs 2", "propget test.shared 8",
                ]
            ),
            (
                3,
                [
                    "pmem 0 0 4096", "sysattach 0 hc", "add \(Self.barrier) 1", "waitword \(Self.barrier) 2",
                    "propset test.shared xyz", "syspost 0", "propget test.private 4", "propget nope 4",
                    "propset test.private 1",
                    "version", "stop 4", "start 3", "suspend 2", "resume 2", "conswrite hello", "conshist", "conspoll",
                    "conspoll", "balloon 0 0", "propenum",
                ]
            ),
        ])
        let s = out[2]!
        let c = out[3]!
        #expect(s.result("propget test.shared 8") == "3 120,121,122")
        #expect(s.result("waitirq hs") == "ok" && s.result("waitirq sys") == "ok")
        #expect(s.contains("irq hs 33"), "the client's post reached the server's own handshake xirq")
        #expect(c.result("propset test.shared") == "3")
        #expect(c.result("propget test.private 4") == "\(NK_PROP_PERMISSION)")
        #expect(c.result("propget nope 4") == "\(NK_PROP_UNKNOWN)")
        #expect(c.result("propset test.private") == "\(NK_PROP_PERMISSION)")
        #expect(c.result("version") == "0 9.0")
        #expect(c.results("hypercall") == ["stop(vm: 4)", "restart(vm: 3)", "suspend(vm: 2)", "resume(vm: 2)"])
        #expect(c.result("conshist") == "hello|")
        #expect(c.results("conspoll") == ["107", "-1"])
        #expect(c.result("balloon 0") == "\(NK_BALLOON_DISABLED)")
        #expect(c.result("propenum")?.contains("test.shared:0xc000000c:8") == true)
        #expect(platform.repository.consoleRead(3, from: 0).bytes == Array("hello\n".utf8))
    }

    @Test("concurrent allocations from two processes never overlap; shared labels agree")
    func concurrentAllocations() throws {
        let platform = try ProbePlatform()
        func script(_ base: Int) -> [String] {
            (0..<60).flatMap { i in ["pmem 2 \(base + i) 4096", "pdev 2 \(base + i) 24", "pmem 2 \(i % 5) 4096"] }
        }
        let out = try platform.run([(2, script(100)), (3, script(200))])
        // (label id, result) of every "pmem 2 ID 4096" line.
        func pmem(_ lines: [String], own: Bool) -> [String] {
            lines.filter { $0.hasPrefix("pmem 2 ") }.compactMap { line in
                let words = line.split(separator: " ")
                return (Int(words[2])! >= 100) == own ? String(words.last!) : nil
            }
        }
        let own = pmem(out[2]!, own: true) + pmem(out[3]!, own: true)
        #expect(own.count == 120 && Set(own).count == 120 && !own.contains("0x0"), "distinct labels, distinct blocks")
        let pdev = out[2]!.results("pdev") + out[3]!.results("pdev")
        #expect(Set(pdev).count == 120 && !pdev.contains("0x0"))
        let shared2 = pmem(out[2]!, own: false)
        let shared3 = pmem(out[3]!, own: false)
        #expect(
            shared2 == shared3 && Set(shared2).count == 5 && Set(shared2).isDisjoint(with: own), "labels 0…4 shared")
    }

    @Test("a restarted VM process finds its persistent resources again")
    func restartPersistence() throws {
        let platform = try ProbePlatform()
        let first = try platform.run([(2, ["conswrite boot1", "pmem 0 5 8192", "add 0x80000000 42", "pxirq 0 3 2 2"])])[
            2]!
        platform.repository.vmDidStop(2)
        platform.repository.vmDidStart(2, isRestart: true)
        let second = try platform.run([
            (
                2,
                [
                    "pmem 0 5 8192", "load 0x80000000", "pxirq 0 3 2 2", "pmem 0 5 4096",
                    "bootord", "conswrite boot2", "conshist",
                ]
            )
        ])[2]!
        #expect(first.result("pmem 0 5") == "0x80000000" && second.result("pmem 0 5 8192") == "0x80000000")
        #expect(second.result("load 0x80000000") == "0x2a")
        #expect(second.result("pxirq 0 3 2") == first.result("pxirq 0 3 2"))
        #expect(second.result("pmem 0 5 4096") == "0x0")
        #expect(second.result("bootord") == "6" && second.result("conshist") == "boot2|")
        #expect(platform.repository.restarts(2) == 1)
    }
}

@Suite("xirq round trips across VM processes", .timeLimit(.minutes(2)))
struct XirqRoundTripTests {
    @Test("ping/pong: 200 round trips between two VM processes complete")
    func pingPong() throws {
        let platform = try ProbePlatform()
        let out = try platform.run([
            (3, ["pxirq 0 0 3 1", "pong 33 33 2", "pmem 0 0 4096", "add 0x80000000 1", "waitword 0x80000000 2"]),
            (2, ["pxirq 0 1 2 1", "pmem 0 0 4096", "waitword 0x80000000 1", "ping 33 33 3 200", "add 0x80000000 1"]),
        ])
        let ping = try #require(out[2]!.result("ping"))
        #expect(ping.hasPrefix("200 round trips"), "\(ping)")
    }
}
