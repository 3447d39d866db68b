// SPDX-License-Identifier: Apache-2.0
import Testing
import VDrivers

@Suite struct VPipeProcLineTests {
    @Test func vpipeHeaderAndColumnsAlign() {
        var stats = PipeStatistics()
        stats.opens = 1
        stats.reads = 2
        stats.readBytes = 3
        let line = VPipeProcLine(
            minor: 0, peer: 3, link: 0, enabled: true, server: true, openCount: 1, clientState: 2, serverState: 2,
            dataSize: 0xff8, statistics: stats, name: "vpipe0")
        #expect(VPipeProcLine.header == "Mi Pr Id EDU St Size Opns Reads ReadBytes- Wrtes WriteBytes Name")
        #expect(line.text == " 0  3  0 ER1 OO  ff8    1     2          3     0          0 vpipe0")
        // Every column ends where its header word ends.
        let header = VPipeProcLine.header
        #expect(line.text.count == header.count - "Name".count + "vpipe0".count)
    }
    @Test func vpipeClientLineWithOddStates() {
        let line = VPipeProcLine(
            minor: 12, peer: 2, link: 5, enabled: false, server: false, openCount: 0, clientState: 0, serverState: 9,
            dataSize: 0xffff8, statistics: PipeStatistics(), name: "sink")
        #expect(line.text == "12  2  5 .W0 F? ffff8    0     0          0     0          0 sink")
    }
}
