// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformViews
import Synchronization
import Testing
import VDrivers
import VlinkLib

/// `ex_open` and `ex_release` are serialised by the device's `olock` (manual
/// lines 6696, 11007): a last close and the next first open of the same node,
/// served concurrently (a multi-threaded FUSE loop, a process that closes and
/// reopens at once), must not interleave.
@Suite(.serialized) struct PipeDeviceOpenCloseRaceTests {
    typealias R = Requests

    @Test func lastCloseRacingTheNextFirstOpenLeavesTheDeviceOpen() throws {
        let vms = try TwoVMs()
        let device = vms[2].device("vbpipe0")
        let reading = try #require(device.links.reading)
        let writing = try #require(device.links.writing)
        var held = R.open(device, .readWrite, nonBlocking: true)
        var misses = 0
        for _ in 0..<400 {
            let start = Atomic<Int>(0)
            let next = ReplyRecorder()
            let previous = held
            let closer = Thread {
                start.add(1, ordering: .sequentiallyConsistent)
                while start.load(ordering: .sequentiallyConsistent) < 2 {}
                previous.openedHandle?.release()
            }
            let opener = Thread {
                start.add(1, ordering: .sequentiallyConsistent)
                while start.load(ordering: .sequentiallyConsistent) < 2 {}
                device.open(DeviceOpenRequest(flags: .accessMode(.readWrite, nonBlocking: true), responder: next))
            }
            closer.join()
            opener.join()
            held = next
            // Open and alone (VM 3 never opens): my two ends wait at RESET; OFF only once closed.
            if device.openCount != 1 || reading.serverWord != NK_DEV_VLINK_RESET
                || writing.clientWord != NK_DEV_VLINK_RESET
            {
                misses += 1
            }
        }
        #expect(misses == 0)
    }
}
