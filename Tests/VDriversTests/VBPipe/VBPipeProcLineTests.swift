// SPDX-License-Identifier: Apache-2.0
import Testing
import VDrivers

@Suite struct VBPipeProcLineTests {
    @Test func vbpipeLineLikeTheManualExample() {
        let line = VBPipeProcLine(
            minor: 0, peer: 2, link: 0, enabled: true, waitOnlyOnEmpty: false, openCount: 0, states: (0, 0, 0, 0),
            dataSize: 0xff0, statistics: PipeStatistics())
        #expect(VBPipeProcLine.header == "Mi Pr Id EaU Stat Size Opns Reads ReadBytes- Wrtes WriteBytes")
        #expect(line.text == " 0  2  0 E.0 FFFF  ff0    0     0          0     0          0")
        #expect(line.text.count == VBPipeProcLine.header.count)
        // The manual's example, alignment lost: the same fields in the same order.
        #expect(line.text.split(separator: " ") == "0 2 0 E.0 FFFF ff0 0 0 0 0 0".split(separator: " "))
    }
    @Test func vbpipeAFlagAndStates() {
        var stats = PipeStatistics()
        stats.writes = 1
        stats.writtenBytes = 1 << 40
        let line = VBPipeProcLine(
            minor: 3, peer: 4, link: 1, enabled: true, waitOnlyOnEmpty: true, openCount: 2, states: (2, 2, 1, 2),
            dataSize: 0x10, statistics: stats)
        #expect(line.text == " 3  4  1 Ea2 OORO   10    0     0          0     1 1099511627776")
    }
}
