// SPDX-License-Identifier: Apache-2.0
import Foundation
import Testing

/// dtc's own test inputs (`Fixtures/dtc-tests`, a copy kept with the tests;
/// provenance and licence in its README.md) and what dtc 1.6.1 does with each
/// (`INDEX.txt`).
enum Corpus {
    /// How dtc 1.6.1 treats a file.
    enum Verdict: String, Sendable {
        case accept
        case acceptWithCheckErrors = "accept-with-check-errors"
        case reject
        case dtcCrashOrHang = "dtc-crash-or-hang"

        var isAccepted: Bool { self == .accept || self == .acceptWithCheckErrors }
    }

    /// One line of `INDEX.txt`.
    struct Entry: Sendable, CustomTestStringConvertible {
        var file: String
        var verdict: Verdict
        var testDescription: String { file }
    }

    /// `Tests/DeviceTreeTests/Fixtures/dtc-tests`, inside the package.
    static let directory: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/dtc-tests").standardizedFileURL.path

    /// The search path of INDEX.txt's header, relative to `directory`.
    static let includePaths = [".", "search_dir", "search_dir_b"]

    static let entries: [Entry] = {
        guard let text = try? String(contentsOfFile: directory + "/INDEX.txt", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 4, !line.hasPrefix("#"), let verdict = Verdict(rawValue: String(fields[3])) else {
                return nil
            }
            return Entry(file: String(fields[0]), verdict: verdict)
        }
    }()

    static func entries(where predicate: (Verdict) -> Bool) -> [Entry] { entries.filter { predicate($0.verdict) } }

    static var accepted: [Entry] { entries { $0.isAccepted } }

    /// The bytes of a corpus file.
    static func contents(of file: String) -> [UInt8]? {
        FileManager.default.contents(atPath: directory + "/" + file).map(Array.init)
    }
}
