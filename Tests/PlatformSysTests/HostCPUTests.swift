// SPDX-License-Identifier: Apache-2.0
@testable import PlatformSys
import Testing

/// `nk.cpus.online`'s mask from the kernel's CPU list format.
@Suite struct HostCPUTests {
    @Test func cpuListsBecomeMasks() {
        #expect(HostCPU.cpuListMask("0-1\n") == 0b11)
        #expect(HostCPU.cpuListMask("0,2-3,6") == 0b100_1101)
        #expect(HostCPU.cpuListMask("0-63") == .max)
        #expect(HostCPU.cpuListMask("3-1") == nil)
        #expect(HostCPU.cpuListMask("x") == nil)
    }

    @Test func theHostHasItsOnlineCPUsInTheMask() {
        #expect(HostCPU.onlineMask.nonzeroBitCount >= 1)
    }
}
