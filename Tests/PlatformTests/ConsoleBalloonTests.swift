// SPDX-License-Identifier: Apache-2.0
import Platform
import Testing

@Suite("Console history, console input and ballooning")
struct ConsoleBalloonTests {
    let platform = TestPlatform()

    @Test("cons_write appends to the history; getchar walks ordinals; boot ordinal splits reboots")
    func history() {
        let vm = platform.vm(2)
        vm.nk_cons_write(Array("before".utf8), 6)
        platform.supervisor.vmDidStop(2)
        platform.supervisor.vmDidStart(2, isRestart: true)
        vm.nk_cons_write(Array("after!xx".utf8), 6)
        #expect(vm.nk_cons_hist_boot_ordinal() == 6)
        var ord: UInt64 = 0
        var text: [UInt8] = []
        while true {
            let c = vm.nk_cons_hist_getchar(&ord)
            if c < 0 { break }
            text.append(UInt8(c))
        }
        #expect(String(decoding: text, as: UTF8.self) == "beforeafter!")
        #expect(ord == 12, "next ordinal, not yet written")
        #expect(platform.supervisor.consoleRead(2, from: 6).bytes == Array("after!".utf8))
    }

    @Test("the supervisor's append gives up while the VM holds its console lock, and writes once it is free")
    func supervisorAppendNeverWaits() {
        let lock = platform.supervisor.vmOffset(3) + RepositoryABI.VM.consLock
        platform.repoMemory.store32(lock, 3)  // VM 3 paused inside nk_cons_write
        #expect(!platform.supervisor.consoleAppend(3, Array("out\n".utf8)))
        #expect(platform.supervisor.consoleOrdinal(3) == 0, "nothing written")
        platform.supervisor.releaseLocks(heldBy: 3)  // reaped
        #expect(platform.supervisor.consoleAppend(3, Array("out\n".utf8)))
        #expect(platform.supervisor.consoleRead(3, from: 0).bytes == Array("out\n".utf8))
        #expect(platform.repoMemory.load32(lock) == 0, "released after the append")
    }

    @Test("console watchers: one bit per watching VM, taken once by whoever streams the output")
    func consoleWatchers() {
        platform.supervisor.watchConsole(2, by: 3)
        platform.supervisor.watchConsole(2, by: 4)
        platform.supervisor.watchConsole(4, by: 2)
        #expect(platform.supervisor.takeConsoleWatchers(2) == 0b11000)
        #expect(platform.supervisor.takeConsoleWatchers(2) == 0, "taken: watch again to wait again")
        #expect(platform.supervisor.takeConsoleWatchers(4) == 0b00100)
        platform.supervisor.watchConsole(9, by: 3)  // no such VM: ignored
        #expect(platform.supervisor.takeConsoleWatchers(9) == 0)
    }

    @Test("the history keeps the newest 8 KiB; older ordinals jump to the oldest kept")
    func wrap() {
        let vm = platform.vm(3)
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 5000)
        vm.nk_cons_write(chunk, 5000)
        vm.nk_cons_write([UInt8](repeating: UInt8(ascii: "b"), count: 5000), 5000)
        var ord: UInt64 = 0
        #expect(vm.nk_cons_hist_getchar(&ord) == Int32(UInt8(ascii: "a")))
        #expect(ord == 10000 - 8192 + 1)
        let all = platform.supervisor.consoleRead(3, from: 0)
        #expect(all.bytes.count == 8192 && all.next == 10000)
        #expect(all.bytes.suffix(5000).allSatisfy { $0 == UInt8(ascii: "b") })
    }

    @Test("cons_poll returns typed input in order, then -1")
    func poll() {
        #expect(platform.supervisor.consolePushInput(3, Array("ok".utf8)) == 2)
        let vm = platform.vm(3)
        #expect(vm.nk_cons_poll() == Int32(UInt8(ascii: "o")))
        #expect(vm.nk_cons_poll() == Int32(UInt8(ascii: "k")))
        #expect(vm.nk_cons_poll() == -1)
        #expect(platform.vm(2).nk_cons_poll() == -1)
    }

    @Test("ballooning is disabled without a balloon region")
    func balloonDisabled() {
        var pfns = [UInt32](repeating: 0, count: 4)
        let vm = platform.vm(2)
        #expect(vm.nk_balloon_ctrl(NK_BALLOON_STATUS, &pfns, 0) == NK_BALLOON_DISABLED)
        #expect(vm.nk_balloon_ctrl(NK_BALLOON_ALLOC, &pfns, 4) == 0)
    }

    @Test("with a balloon region: host frees pages, another VM allocates them, exhaustion gives 0")
    func balloonEnabled() {
        var input = TestPlatform.input
        input.balloon = .init(host: 2, pages: 4, vms: 1 << 3)
        let p = TestPlatform(input)
        let host = p.vm(2)
        let guest = p.vm(3)
        var pfns = [UInt32](repeating: 0, count: 4)
        #expect(guest.nk_balloon_ctrl(NK_BALLOON_STATUS, &pfns, 0) == NK_BALLOON_ENABLED)
        #expect(p.vm(4).nk_balloon_ctrl(NK_BALLOON_STATUS, &pfns, 0) == NK_BALLOON_DISABLED)
        #expect(guest.nk_balloon_ctrl(NK_BALLOON_HOST, &pfns, 0) == 2)
        let base = guest.nk_balloon_ctrl(NK_BALLOON_RGN_BASE, &pfns, 0)
        #expect(guest.nk_balloon_ctrl(NK_BALLOON_RGN_SIZE, &pfns, 0) == 4)
        #expect(guest.nk_balloon_ctrl(NK_BALLOON_ALLOC, &pfns, 2) == 0, "the host holds every page")
        var give: [UInt32] = [base, base + 1, base + 2]
        #expect(host.nk_balloon_ctrl(NK_BALLOON_FREE, &give, 3) == 3)
        #expect(guest.nk_balloon_ctrl(NK_BALLOON_ALLOC, &pfns, 4) == 3)
        #expect(Array(pfns.prefix(3)) == give)
        #expect(host.nk_balloon_ctrl(NK_BALLOON_ALLOC, &pfns, 1) == 0, "exhausted")
        #expect(host.nk_balloon_ctrl(NK_BALLOON_FREE, &give, 3) == 0, "not the host's any more")
    }
}
