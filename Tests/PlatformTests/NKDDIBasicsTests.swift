// SPDX-License-Identifier: Apache-2.0
import Platform
import Testing

@Suite("NKDDI atomics, bit masks, addresses and vlinks")
struct NKDDIBasicsTests {
    let platform = TestPlatform()

    @Test("atomics act on shared words seen by the other VM")
    func atomics() {
        let a = platform.vm(2)
        let b = platform.vm(3)
        let plink = a.nk_vlink_lookup("vpipe", 0)
        let p = a.nk_pmem_alloc(plink, 0, 4096)
        let va = a.nk_mem_map(p, 4096)
        let vb = b.nk_mem_map(p, 4096)
        a.nk_atomic_add(va, 5)
        b.nk_atomic_sub(vb, 2)
        #expect(a.pointer(va)!.load32() == 3)
        #expect(b.nk_sub_and_test(vb, 3) == 0)
        #expect(a.nk_sub_and_test(va, 1) == UInt32.max)
        a.nk_atomic_set(va + 4, 0b1011)
        b.nk_atomic_clear(vb + 4, 0b0001)
        #expect(b.nk_clear_and_test(vb + 4, 0b0010) == 0b1000)
        #expect(a.nk_clear_and_test(va + 4, 0b1000) == 0)
        a.nk_mem_unmap(va, p, 4096)
    }

    @Test("bit2mask and mask2bit: bit 0 is the highest priority", arguments: [0, 1, 17, 31])
    func bits(bit: UInt32) {
        let vm = platform.vm(2)
        #expect(vm.nk_bit2mask(bit) == 1 << bit)
        #expect(vm.nk_mask2bit(vm.nk_bit2mask(bit) | 0x8000_0000) == bit)
    }

    @Test("nk_ptov(nk_vtop(p)) == p; vtop of a foreign address is 0; mem_map checks the range")
    func translation() {
        let vm = platform.vm(3)
        let plink = vm.nk_vlink_lookup(nil, 0)
        let v = vm.nk_ptov(plink)
        #expect(vm.nk_vtop(v) == plink)
        #expect(vm.nk_ptov(vm.nk_vtop(v + 12)) == v + 12)
        #expect(vm.nk_vtop(1234) == 0)
        let p = vm.nk_pmem_alloc(plink, 0, 8192)
        #expect(vm.nk_vtop(vm.nk_mem_map(p, 8192)) == p)
        #expect(vm.nk_mem_map(p, 2 << 20) == 0)
        #expect(vm.nk_mem_map(0x1000, 16) == 0)
    }

    @Test("nk_ptov of a non-repository address is a BUG()")
    func ptovBug() async {
        await #expect(processExitsWith: .failure) {
            _ = TestPlatform().vm(2).nk_ptov(0x10)
        }
    }

    @Test("vlink lookup walks repository order; nil enumerates all; records hold the manual's fields")
    func lookup() {
        let vm = platform.vm(2)
        let first = vm.nk_vlink_lookup("vpipe", 0)
        let second = vm.nk_vlink_lookup("vpipe", first)
        #expect(second > first && vm.nk_vlink_lookup("vpipe", second) == 0)
        var all: [NkPhAddr] = []
        var p = vm.nk_vlink_lookup(nil, 0)
        while p != 0 {
            all.append(p)
            p = vm.nk_vlink_lookup(nil, p)
        }
        #expect(all.count == 3 && all[0] == first && all[2] == second)
        #expect(vm.nk_vlink_lookup("vbd", 0) == 0)
        #expect(vm.nk_vlink_lookup(nil, first + 1) == 0, "not a vlink address")
        let rec = vm.pointer(vm.nk_ptov(all[1]))!
        #expect(rec.loadBytes(count: 5) == Array("veth\0".utf8))
        #expect(rec.advanced(by: 20).load32() == 3 && rec.advanced(by: 32).load32() == 2)
        let info = rec.advanced(by: 28).load32()
        #expect(vm.pointer(vm.nk_ptov(NkPhAddr(info)))!.loadBytes(count: 4) == Array("mac\0".utf8))
        rec.advanced(by: 24).store32(UInt32(NK_DEV_VLINK_ON))
        #expect(platform.supervisor.vlink(1).s_state == NK_DEV_VLINK_ON)
    }

    @Test("a stopped VM's vlink ends go OFF and its running peers are named for SYSCONF")
    func crashForcesOff() {
        let r = platform.supervisor
        for i in 0..<3 {
            r.setVlinkState(i, server: true, NK_DEV_VLINK_ON)
            r.setVlinkState(i, server: false, NK_DEV_VLINK_ON)
        }
        #expect(r.vmDidStop(3) == 1 << 2)
        #expect(r.vlinks.allSatisfy { ($0.s_id == 3 ? $0.s_state : $0.c_state) == NK_DEV_VLINK_OFF })
        #expect(r.vlinks.allSatisfy { ($0.s_id == 2 ? $0.s_state : $0.c_state) == NK_DEV_VLINK_ON })
        #expect(r.runState(3) == .stopped && r.runState(2) == .running)
    }
}
