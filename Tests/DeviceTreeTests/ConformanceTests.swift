// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import PlatformTestSupport
import Testing

/// The dtc test corpus against Debian's dtc 1.6.1 (`INDEX.txt`): every file
/// dtc accepts gives the same blob, every file it rejects is refused with a
/// positioned diagnostic, nothing crashes or hangs, and printed source
/// compiles back to the same blob.
@Suite(.timeLimit(.minutes(2)), .enabled(if: DTC.shouldRun, DTC.skipReason))
struct ConformanceTests {
    /// Files dtc 1.6.1 rejects only because they use syntax of newer dtc,
    /// which we accept (docs/decisions.md). Empty: `path-references.dts` and
    /// `relref_merge.dts` (`&{label/path}`, dtc 1.7) are refused as dtc 1.6.1
    /// refuses them.
    static let newerSyntax: Set<String> = []

    static let rejected = Corpus.entries { $0 == .reject }
    static let crashing = Corpus.entries { $0 == .dtcCrashOrHang }

    @Test("accepted file: same blob as dtc -f", arguments: Corpus.accepted)
    func acceptedFileMatchesDTC(_ entry: Corpus.Entry) throws {
        try expectSameBlob(entry, symbols: false)
    }

    @Test("accepted file with -@: same blob as dtc -f -@", arguments: Corpus.accepted)
    func acceptedFileWithSymbolsMatchesDTC(_ entry: Corpus.Entry) throws {
        try expectSameBlob(entry, symbols: true)
    }

    private func expectSameBlob(_ entry: Corpus.Entry, symbols: Bool) throws {
        let ours = DTB.encode(try CorpusCompiler.compile(entry.file, symbols: symbols).tree)
        let theirs = try DTC.compile(entry.file, symbols: symbols)
        try #require(theirs.status == 0, "dtc failed: \(theirs.standardError)")
        if ours != theirs.standardOutput {
            #expect(try DTC.decompile(ours) == DTC.decompile(theirs.standardOutput))
        }
    }

    @Test("rejected file: refused with a positioned error", arguments: rejected)
    func rejectedFileIsRefused(_ entry: Corpus.Entry) throws {
        do {
            _ = try CorpusCompiler.compile(entry.file)
            #expect(Self.newerSyntax.contains(entry.file), "accepted a file dtc 1.6.1 rejects")
        } catch {
            #expect(error.diagnostics.contains { $0.severity == .error && $0.location != nil }, "\(error)")
        }
    }

    @Test("rejected file: vlm dt compile exits 2 with file:line:col: error:", arguments: rejected)
    func rejectedFileExitsTwo(_ entry: Corpus.Entry) throws {
        try #require(VLMBinary.isBuilt, "build the vlm product first: \(VLMBinary.path)")
        let outcome = try VLMBinary.run(compileArguments(entry.file), in: Corpus.directory)
        if Self.newerSyntax.contains(entry.file) && outcome.status == 0 { return }
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains(/:\d+:\d+: error:/), "\(outcome.standardError)")
    }

    @Test("file that crashes or hangs dtc: finishes in 10 s with 0 or 2", arguments: crashing)
    func dtcCrasherFinishes(_ entry: Corpus.Entry) throws {
        try #require(VLMBinary.isBuilt, "build the vlm product first: \(VLMBinary.path)")
        let outcome = try VLMBinary.run(compileArguments(entry.file) + ["-f"], in: Corpus.directory, timeout: 10)
        #expect(!outcome.timedOut && !outcome.crashed)
        #expect([0, 2].contains(outcome.status), "\(outcome.standardError)")
    }

    @Test("printed source compiles back to the same blob (ours and dtc)", arguments: Corpus.accepted, [false, true])
    func printedSourceRoundTrips(_ entry: Corpus.Entry, symbols: Bool) throws {
        let tree = try CorpusCompiler.compile(entry.file, symbols: symbols).tree
        let blob = DTB.encode(tree)
        let source = DTSPrinter.print(tree)
        let ours = DTB.encode(try CorpusCompiler.compile(source: source).tree)
        #expect(ours == blob, "ours:\n\(source)")
        let theirs = try DTC.compile(source: source)
        #expect(theirs.standardOutput == blob, "dtc: \(theirs.standardError)\n\(source)")
    }

    private func compileArguments(_ file: String) -> [String] {
        ["dt", "compile", file, "-o", "/dev/null"] + Corpus.includePaths.flatMap { ["-i", $0] }
    }
}
