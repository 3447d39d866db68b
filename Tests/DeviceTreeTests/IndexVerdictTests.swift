// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import Testing

/// Our verdicts against dtc 1.6.1's over `INDEX.txt`: strict (no `-f`) and
/// forced, accept (exit 0) or reject (non-zero). Files that crash or hang
/// dtc only have to finish.
@Suite struct IndexVerdictTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var file: String
        var strictAccepts: Bool
        var forceAccepts: Bool
        var dtcCrashes: Bool
        var testDescription: String { file }
    }

    static let rows: [Row] = {
        guard let text = try? String(contentsOfFile: Corpus.directory + "/INDEX.txt", encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard f.count == 4, !line.hasPrefix("#") else { return nil }
            return Row(
                file: String(f[0]), strictAccepts: f[1] == "0", forceAccepts: f[2] == "0",
                dtcCrashes: f[3] == "dtc-crash-or-hang")
        }
    }()

    @Test func theIndexIsThere() {
        #expect(Self.rows.count == 152)
    }

    /// A fresh clone with nothing beside it runs the conformance tests: the
    /// corpus is read from the package's own test fixtures.
    @Test func theCorpusLivesInThePackage() {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .standardizedFileURL.path
        #expect(Corpus.directory.hasPrefix(tests + "/"), "\(Corpus.directory) is outside \(tests)")
    }

    @Test(arguments: rows)
    func verdictsMatchDTC(_ row: Row) {
        func accepts(force: Bool) -> Bool {
            (try? CorpusCompiler.compile(row.file, force: force)) != nil
        }
        let strict = accepts(force: false)
        let forced = accepts(force: true)
        guard !row.dtcCrashes else { return }
        #expect(strict == row.strictAccepts, "strict")
        #expect(forced == row.forceAccepts, "force")
    }
}
