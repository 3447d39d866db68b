// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import PlatformTestSupport
import Testing

/// The back end against dtc's blobs, independent of our parser: decoding and
/// re-encoding a dtc blob gives the same bytes, and printing a decoded blob
/// gives source that dtc compiles to the same bytes.
@Suite(.enabled(if: DTC.shouldRun, DTC.skipReason))
struct DTBRoundTripTests {
    @Test("decode then encode gives dtc's bytes", arguments: Corpus.accepted)
    func reencodingMatchesDTC(_ entry: Corpus.Entry) throws {
        let blob = try DTC.compile(entry.file, symbols: true).standardOutput
        try #require(!blob.isEmpty)
        #expect(DTB.encode(try DTB.decode(blob)) == blob)
    }

    /// `fixup-ref-to-path.dts` makes dtc name a `__fixups__` property after a
    /// path (`/path/to/node`): no source can spell that name, so a decoded blob
    /// of it cannot be printed back (dtc's own `-O dts` fails the same way).
    static let printable = Corpus.accepted.filter { $0.file != "fixup-ref-to-path.dts" }

    @Test("printed blob compiles back to the same bytes", arguments: printable)
    func printedSourceCompilesBack(_ entry: Corpus.Entry) throws {
        let blob = try DTC.compile(entry.file, symbols: true).standardOutput
        let source = DTSPrinter.print(try DTB.decode(blob))
        let again = try DTC.compile(source: source)
        #expect(again.standardOutput == blob, "\(again.standardError)\n\(source)")
    }
}
