// SPDX-License-Identifier: Apache-2.0
import PlatformViews
import Synchronization
import Testing

@Suite struct ControlFileTests {
    @Test(arguments: ["3", "3\n", "  3 \n"])
    func integerAcceptsEchoOutput(_ text: String) throws {
        #expect(try ControlFile.integer(text) == 3)
    }

    @Test(arguments: ["", "\n", "x", "3 4", "3x"])
    func integerRefusesOtherTextWithEINVAL(_ text: String) {
        #expect(throws: ViewErrno.einval) { try ControlFile.integer(text) }
    }

    @Test func writeActsOnTheParsedValue() throws {
        let seen = Mutex<[Int]>([])
        let file = ControlFile { text throws(ViewErrno) in
            let value = try ControlFile.integer(text)
            seen.withLock { $0.append(value) }
        }
        try file.accept(Array("5\n".utf8))
        #expect(throws: ViewErrno.einval) { try file.accept(Array("five".utf8)) }
        #expect(seen.withLock { $0 } == [5])
    }

    @Test func readOnlyFileRefusesWritesWithEACCES() {
        let file = ControlFile(permissions: .readOnly, read: { [] }, write: { _ in })
        #expect(throws: ViewErrno.eacces) { try file.accept(Array("1".utf8)) }
    }

    @Test func invalidUTF8IsEINVAL() {
        let file = ControlFile { _ in }
        #expect(throws: ViewErrno.einval) { try file.accept([0xff, 0xfe]) }
    }

    @Test func writeOnlyFileIsNotReadable() {
        let file = ControlFile { _ in }
        #expect(!file.isReadable)
        #expect(throws: ViewErrno.eacces) { try file.snapshot() }
    }

    @Test func readableFileBuildsItsContent() throws {
        let file = ControlFile(read: { Array("2\n".utf8) }, write: { _ in })
        #expect(file.permissions == .readWrite)
        #expect(try file.snapshot().bytes == Array("2\n".utf8))
    }
}
