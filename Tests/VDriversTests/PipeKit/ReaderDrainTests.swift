// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformViews
import Testing

@testable import VDrivers
@testable import VlinkLib

/// The reader's end of a departed writer: the writer's last `c_idx` must be read
/// while the reader's end is still ON. Once the reader publishes OFF the writer
/// may reset `c_idx` to 0 at once (OFF→RESET only needs a peer that is not ON),
/// and a later read made the stale ring look full: phantom bytes, an end that
/// never drained and never reset, the next open hung (found by the vbpipe
/// reopen cycles end to end).
@Suite struct ReaderDrainTests {
    /// Ring memory whose writer resets `c_idx` the moment the reader's end is not ON,
    /// as a writer in another VM may.
    final class EagerWriterRing: RingMemory {
        let memory: LocalMemory
        let reader: VlinkEndpoint
        let cIdx: Int

        init(byteCount: Int, reader: VlinkEndpoint, cIdx: Int) {
            self.memory = LocalMemory(byteCount: byteCount)
            self.reader = reader
            self.cIdx = cIdx
        }

        var byteCount: Int { memory.byteCount }
        func ringLoad(_ offset: Int) -> UInt32 {
            offset == cIdx && reader.mine != .on ? 0 : memory.ringLoad(offset)
        }
        func ringStore(_ offset: Int, _ value: UInt32) { memory.ringStore(offset, value) }
        func ringCopyIn(_ offset: Int, from source: UnsafeRawBufferPointer) { memory.ringCopyIn(offset, from: source) }
        func ringWithBytes<R>(_ offset: Int, count: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
            memory.ringWithBytes(offset, count: count, body)
        }
    }

    @Test func theDepartedWritersLastIndexIsReadBeforeMyEndGoesOff() throws {
        let vms = try TwoVMs()
        let reading = try #require(vms[2].device("vpipe0").links.reading)
        let writing = try #require(vms[3].device("vpipe0").links.writing)
        let memory = EagerWriterRing(byteCount: 4096, reader: reading, cIdx: ExRingLayout.vpipe.cIdx)
        memory.ringStore(ExRingLayout.vpipe.sIdx, 5)  // 5 bytes were written and read
        memory.ringStore(ExRingLayout.vpipe.cIdx, 5)
        let ring = ExRing(memory: memory, base: 0, blockSize: 4096, layout: .vpipe)
        let vlink = Vlink(endpoint: reading, unit: 0)
        let channel = ReaderChannel(vlink: vlink, ring: ring, xirqs: PipeXirqs(own: 0, peer: 0), readAll: false)
        channel.registerOps()
        vlink.initialised(true)
        reading.setMine(.on)
        writing.setMine(.off)  // the writer left, with nothing unread
        vlink.start()  // runs the handshake: ON→OFF (ABORT captures c_idx), drained, →RESET
        #expect(reading.mine == .reset)
        let recorder = ReplyRecorder()
        _ = channel.submit(
            DeviceReadRequest(count: 100, flags: .accessMode(.readOnly, nonBlocking: true), responder: recorder))
        #expect(recorder.reply == .bytes([]))  // EOF, not stale bytes
    }
}
