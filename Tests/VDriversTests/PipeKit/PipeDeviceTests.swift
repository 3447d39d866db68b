// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformViews
import Testing
import VDrivers
import VlinkLib

/// vpipe and vbpipe devices of two VMs over real shared memory, driven through
/// the device-file protocol (recorded replies instead of FUSE).
@Suite(.serialized) struct PipeDeviceTests {
    typealias R = Requests

    /// Opens the vpipe pair: the reader (VM2) blocks until the writer (VM3) opens.
    func openPair(_ vms: TwoVMs) throws -> (reader: any DeviceFileHandle, writer: any DeviceFileHandle) {
        let reading = R.open(vms[2].device("vpipe0"), .readOnly)
        #expect(reading.reply == nil)  // blocked: no writer yet
        let writing = R.open(vms[3].device("vpipe0"), .writeOnly)
        #expect(R.await(writing) == .opened)
        #expect(R.await(reading) == .opened)
        return (try #require(reading.openedHandle), try #require(writing.openedHandle))
    }

    @Test func probeNamesMinorsAndProc() throws {
        let vms = try TwoVMs()
        #expect(vms[2].dev.childNames() == ["vpipe0", "tiny", "vbpipe0"])
        #expect(vms[3].dev.childNames() == ["vpipe0", "tiny", "vbpipe0"])
        guard case .seqFile(let proc) = try #require(vms[2].procNK.child(named: "vpipe")) else { return }
        let text = String(decoding: try proc.snapshot().bytes, as: UTF8.self)
        #expect(
            text == """
                Mi Pr Id EDU St Size Opns Reads ReadBytes- Wrtes WriteBytes Name
                 0  3  0 ER0 FF 1ff8    0     0          0     0          0 vpipe0
                 1  3  1 EW0 FF   20    0     0          0     0          0 tiny

                """)
        guard case .seqFile(let vb) = try #require(vms[3].procNK.child(named: "vbpipe")) else { return }
        #expect(
            String(decoding: try vb.snapshot().bytes, as: UTF8.self) == """
                Mi Pr Id EaU Stat Size Opns Reads ReadBytes- Wrtes WriteBytes
                 0  2  0 Ea0 FFFF  ff0    0     0          0     0          0

                """)
    }

    @Test func wrongDirectionIsEACCES() throws {
        let vms = try TwoVMs()
        #expect(R.open(vms[2].device("vpipe0"), .writeOnly).reply == .error(.eacces))
        #expect(R.open(vms[2].device("vpipe0"), .readWrite).reply == .error(.eacces))
        #expect(R.open(vms[3].device("vpipe0"), .readOnly).reply == .error(.eacces))
        #expect(vms[2].device("vpipe0").openCount == 0)
    }

    @Test func dataThenEndOfFileAfterTheWriterCloses() throws {
        let vms = try TwoVMs()
        let (reader, writer) = try openPair(vms)
        let (_, waiting) = R.read(reader, 100)
        #expect(waiting.reply == nil)  // blocks: nothing yet
        #expect(R.write(writer, Array("hi\n".utf8)).1.reply == .count(3))
        #expect(R.await(waiting) == .bytes(Array("hi\n".utf8)))
        _ = R.write(writer, Array("bye".utf8))
        writer.release()
        #expect(R.await(R.read(reader, 100).1) == .bytes(Array("bye".utf8)))
        #expect(R.await(R.read(reader, 100).1) == .bytes([]))  // EOF
        let line = VPipeProcLine(
            minor: 0, peer: 3, link: 0, enabled: true, server: true, openCount: 1, clientState: 0,
            serverState: vms[2].device("vpipe0").links.reading!.serverWord, dataSize: 0x1ff8,
            statistics: vms[2].device("vpipe0").statistics, name: "vpipe0")
        #expect(line.text.hasSuffix("    1     2          6     0          0 vpipe0"))
        #expect(vms[3].device("vpipe0").statistics.writes == 2)
        #expect(vms[3].device("vpipe0").statistics.writtenBytes == 6)
    }

    @Test func nonBlockingRulesOnATinyRing() throws {
        let vms = try TwoVMs()
        // "tiny": VM3 reads, VM2 writes, 32 data bytes.
        let reading = R.open(vms[3].device("tiny"), .readOnly, nonBlocking: true)
        let reader = try #require(reading.openedHandle)
        let writing = R.open(vms[2].device("tiny"), .writeOnly)
        let writer = try #require(R.await(writing) == .opened ? writing.openedHandle : nil)
        #expect(R.read(reader, 10, nonBlocking: true).1.reply == .error(.eagain))
        #expect(R.write(writer, [UInt8](repeating: 1, count: 20), nonBlocking: true).1.reply == .count(20))
        // 12 bytes of room: a small write that does not fit is all or nothing.
        #expect(R.write(writer, [UInt8](repeating: 2, count: 13), nonBlocking: true).1.reply == .error(.eagain))
        // A big write (> ring size) is partial.
        #expect(R.write(writer, [UInt8](repeating: 3, count: 40), nonBlocking: true).1.reply == .count(12))
        #expect(R.write(writer, [4], nonBlocking: true).1.reply == .error(.eagain))
        #expect(
            R.read(reader, 100, nonBlocking: true).1.reply
                == .bytes([UInt8](repeating: 1, count: 20) + [UInt8](repeating: 3, count: 12)))
    }

    @Test func blockingWriteWaitsForRoomAndEPIPEWhenTheReaderLeaves() throws {
        let vms = try TwoVMs()
        let reader = try #require(R.open(vms[3].device("tiny"), .readOnly, nonBlocking: true).openedHandle)
        let writing = R.open(vms[2].device("tiny"), .writeOnly)
        let writer = try #require(R.await(writing) == .opened ? writing.openedHandle : nil)
        let (_, big) = R.write(writer, [UInt8](repeating: 7, count: 50))
        #expect(big.reply == nil)  // 32 taken, waits for room
        #expect(R.await(R.read(reader, 100).1) == .bytes([UInt8](repeating: 7, count: 32)))
        #expect(R.await(big) == .count(50))
        let (_, blocked) = R.write(writer, [UInt8](repeating: 8, count: 60))
        reader.release()  // the reader closes: the waiting writer gets what was taken
        #expect(R.await(blocked) == .count(14))  // 18 bytes were still in the ring
        #expect(R.await(R.write(writer, [9]).1) == .error(.epipe))
    }

    @Test func interruptedReadAnswersEINTR() throws {
        let vms = try TwoVMs()
        let (reader, _) = try openPair(vms)
        let (request, recorder) = R.read(reader, 10)
        #expect(recorder.reply == nil)
        request.interrupt()
        #expect(recorder.reply == .error(.eintr))
        #expect(recorder.answeredFromInterrupt)
    }

    @Test func interruptedPartialTransfersReturnTheirBytesAndCountAsCalls() throws {
        let vms = try TwoVMs()
        // vbpipe without `a` (VM2): a read of 10 gathers 3 bytes and waits for more.
        let first = R.open(vms[2].device("vbpipe0"), .readWrite)
        let second = R.open(vms[3].device("vbpipe0"), .readWrite)
        #expect(R.await(second) == .opened && R.await(first) == .opened)
        let a = try #require(first.openedHandle)
        let b = try #require(second.openedHandle)
        let (read, reading) = R.read(a, 10)
        _ = R.write(b, Array("abc".utf8))
        #expect(Requests.eventually { vms[2].device("vbpipe0").statistics.readBytes == 3 })
        read.interrupt()
        #expect(reading.reply == .bytes(Array("abc".utf8)))
        #expect(vms[2].device("vbpipe0").statistics.reads == 1)
        // vpipe "tiny" (32 bytes): a write of 50 takes 32 and waits for room.
        _ = try #require(R.open(vms[3].device("tiny"), .readOnly, nonBlocking: true).openedHandle)
        let writing = R.open(vms[2].device("tiny"), .writeOnly)
        let writer = try #require(R.await(writing) == .opened ? writing.openedHandle : nil)
        let (write, written) = R.write(writer, [UInt8](repeating: 7, count: 50))
        #expect(written.reply == nil)
        write.interrupt()
        #expect(written.reply == .count(32))
        #expect(vms[2].device("tiny").statistics.writes == 1)
        #expect(vms[2].device("tiny").statistics.writtenBytes == 32)
    }

    @Test func interruptedOpenAnswersEINTRAndLeavesTheEndOff() throws {
        let vms = try TwoVMs()
        let recorder = ReplyRecorder()
        let request = DeviceOpenRequest(flags: .accessMode(.readOnly), responder: recorder)
        vms[2].device("vpipe0").open(request)
        #expect(recorder.reply == nil)
        request.interrupt()
        #expect(recorder.reply == .error(.eintr))
        #expect(vms[2].device("vpipe0").openCount == 0)
        #expect(vms[2].device("vpipe0").links.reading!.serverWord == NK_DEV_VLINK_OFF)
    }

    @Test func writerCrashGivesEOFAfterTheDataThenRestartReconnects() throws {
        let vms = try TwoVMs()
        let (reader, writer) = try openPair(vms)
        _ = R.write(writer, Array("partial".utf8))
        let (_, pending) = R.read(reader, 3)
        #expect(R.await(pending) == .bytes(Array("par".utf8)))
        vms.crash(3)
        #expect(R.await(R.read(reader, 100).1) == .bytes(Array("tial".utf8)))
        #expect(R.await(R.read(reader, 100).1) == .bytes([]))
        reader.release()
        try vms.boot(3)  // the restarted VM: same rings, fresh drivers
        let (reader2, writer2) = try openPair(vms)
        #expect(R.write(writer2, Array("again".utf8)).1.reply == .count(5))
        #expect(R.await(R.read(reader2, 100).1) == .bytes(Array("again".utf8)))
    }

    @Test func readerCrashGivesEPIPE() throws {
        let vms = try TwoVMs()
        let (_, writer) = try openPair(vms)
        vms.crash(2)
        #expect(Requests.eventually { R.write(writer, [1]).1.reply == .error(.epipe) })
    }

    @Test func vbpipeOpenIsARendezVousAndReadsWaitForAllBytesUnlessA() throws {
        let vms = try TwoVMs()
        let first = R.open(vms[2].device("vbpipe0"), .readWrite)
        #expect(first.reply == nil)
        let second = R.open(vms[3].device("vbpipe0"), .readWrite)
        #expect(R.await(second) == .opened && R.await(first) == .opened)
        let a = try #require(first.openedHandle)
        let b = try #require(second.openedHandle)
        // VM2 has no `a` flag: a read of 5 waits for all 5 bytes.
        let (_, full) = R.read(a, 5)
        _ = R.write(b, Array("abc".utf8))
        #expect(Requests.eventually(seconds: 0.2) { full.reply != nil } == false)
        _ = R.write(b, Array("de".utf8))
        #expect(R.await(full) == .bytes(Array("abcde".utf8)))
        // VM3 has `a`: a read returns what is there.
        _ = R.write(a, Array("xy".utf8))
        #expect(R.await(R.read(b, 10).1) == .bytes(Array("xy".utf8)))
        // Poll: VM3 can write; nothing to read.
        #expect(b.pollEvents() == .output)
        _ = R.write(a, [1])
        #expect(Requests.eventually { b.pollEvents() == [.output, .input] })
    }
}
