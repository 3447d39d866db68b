import Testing

// SPDX-License-Identifier: Apache-2.0
@testable import PlatformSys

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

    @Test func theCurrentCPUIsAnOnlineOneAndAgreesWithProcfs() throws {
        #expect(HostCPU.onlineMask & (1 << UInt64(HostCPU.current)) != 0)
        // procfs's field 39 is where the thread last ran: equal unless it migrated
        // between the two reads, so one agreement in a few tries is required.
        let agreements = try (0..<20).filter { _ in
            let before = HostCPU.current
            let text = String(decoding: try FileSystem.readFile("/proc/thread-self/stat"), as: UTF8.self)
            let fields = text[text.index(after: text.lastIndex(of: ")")!)...].split(separator: " ")
            return Int(fields[36]) == before
        }
        #expect(!agreements.isEmpty)
    }
}
