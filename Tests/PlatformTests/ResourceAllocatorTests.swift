// SPDX-License-Identifier: Apache-2.0
import Platform
import Testing

@Suite("Resource labels (nk_pdev_alloc, nk_pmem_alloc, nk_pxirq_alloc)")
struct ResourceAllocatorTests {
    let platform = TestPlatform()

    @Test("the same label gives the same block to both ends and after a restart")
    func sameLabelSameBlock() {
        let server = platform.vm(2)
        let client = platform.vm(3)
        let plink = server.nk_vlink_lookup("vpipe", 0)
        let a = server.nk_pmem_alloc(plink, 0, 100)
        #expect(a != 0)
        #expect(client.nk_pmem_alloc(plink, 0, 100) == a)
        platform.supervisor.vmDidStop(2)
        platform.supervisor.vmDidStart(2, isRestart: true)
        #expect(platform.vm(2).nk_pmem_alloc(plink, 0, 100) == a)
        #expect(server.nk_pmem_alloc(plink, 1, 100) != a)
    }

    @Test("PMEM is page aligned and rounded up to pages")
    func pmemPages() {
        let vm = platform.vm(2)
        let plink = vm.nk_vlink_lookup("vpipe", 0)
        let a = vm.nk_pmem_alloc(plink, 0, 1)
        let b = vm.nk_pmem_alloc(plink, 1, 4097)
        let c = vm.nk_pmem_alloc(plink, 2, 10)
        #expect(a % NK_PAGE_SIZE == 0 && b % NK_PAGE_SIZE == 0)
        #expect(b == a + 4096)
        #expect(c == b + 8192)
        #expect(vm.nk_pmem_alloc(plink, 1, 8192) == b, "4097 rounds to 8192: the same label")
    }

    @Test("the same label with another size, osid or count gives 0")
    func mismatchFails() {
        let vm = platform.vm(3)
        let plink = vm.nk_vlink_lookup("vpipe", 0)
        #expect(vm.nk_pdev_alloc(plink, 0, 64) != 0)
        #expect(vm.nk_pdev_alloc(plink, 0, 65) == 0)
        #expect(vm.nk_pmem_alloc(plink, 0, 4096) != 0)
        #expect(vm.nk_pmem_alloc(plink, 0, 8192) == 0)
        let x = vm.nk_pxirq_alloc(plink, 0, 3, 2)
        #expect(x > NK_XIRQ_SYSCONF)
        #expect(vm.nk_pxirq_alloc(plink, 0, 3, 2) == x)
        #expect(vm.nk_pxirq_alloc(plink, 0, 2, 2) == 0)
        #expect(vm.nk_pxirq_alloc(plink, 0, 3, 1) == 0)
        #expect(vm.nk_pxirq_alloc(plink, 1, 3, 1) == x + 2, "contiguous ranges from the owner's xirq_free")
    }

    @Test("only the two ends of a vlink may allocate on it; bad vlinks and sizes fail")
    func onlyEnds() {
        let other = platform.vm(4)
        let server = platform.vm(2)
        let plink = other.nk_vlink_lookup("vpipe", 0)
        #expect(other.nk_pmem_alloc(plink, 0, 4096) == 0)
        #expect(other.nk_pdev_alloc(plink, 0, 16) == 0)
        #expect(other.nk_pxirq_alloc(plink, 0, 4, 1) == 0)
        #expect(server.nk_pmem_alloc(plink + 4, 0, 4096) == 0)
        #expect(server.nk_pmem_alloc(plink, 0, 0) == 0)
        #expect(server.nk_pxirq_alloc(plink, 0, 9, 1) == 0, "VM 9 does not exist")
        #expect(server.nk_pmem_alloc(plink, 5, 2 << 20) == 0, "larger than the pool")
    }

    @Test("PDEV blocks are repository addresses that nk_ptov maps for each VM")
    func pdevInRepository() {
        let server = platform.vm(2)
        let client = platform.vm(3)
        let plink = server.nk_vlink_lookup("vpipe", 0)
        let p = server.nk_pdev_alloc(plink, 0, 8)
        let sv = server.nk_ptov(p)
        let cv = client.nk_ptov(p)
        #expect(sv != cv, "each VM maps the repository at its own address")
        server.pointer(sv)!.store32(0xdead_beef)
        #expect(client.pointer(cv)!.load32() == 0xdead_beef)
        #expect(server.nk_xirq_alloc(4) == 0)
    }
}
