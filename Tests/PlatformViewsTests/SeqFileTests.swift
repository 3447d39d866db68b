// SPDX-License-Identifier: Apache-2.0
import PlatformViews
import Synchronization
import Testing

@Suite struct SeqFileTests {
    @Test func snapshotIsBuiltAtOpenAndStaysFixed() throws {
        let counter = Mutex(0)
        let file = SeqFile(text: { "n=\(counter.withLock { $0 })\n" })
        let first = try file.snapshot()
        counter.withLock { $0 = 7 }
        #expect(first.bytes == Array("n=0\n".utf8))
        #expect(try file.snapshot().bytes == Array("n=7\n".utf8))
    }

    @Test func readsAtOffsetsFromTheSnapshot() {
        let snapshot = ViewSnapshot(Array("abcdef".utf8))
        #expect(Array(snapshot.read(offset: 0, count: 4)) == Array("abcd".utf8))
        #expect(Array(snapshot.read(offset: 4, count: 4)) == Array("ef".utf8))
        #expect(snapshot.read(offset: 6, count: 4).isEmpty)
        #expect(snapshot.read(offset: 99, count: 4).isEmpty)
    }

    @Test func sizePolicyZeroReportsNothingAndExactTheLength() {
        #expect(SeqFile(text: { "12345" }).reportedSize() == 0)
        #expect(SeqFile(size: .exact, text: { "12345" }).reportedSize() == 5)
    }

    @Test func renderErrorIsTheOpenError() {
        let file = SeqFile { () throws(ViewErrno) -> [UInt8] in throw .enxio }
        #expect(throws: ViewErrno.enxio) { try file.snapshot() }
    }
}
