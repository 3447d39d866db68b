// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import PlatformModel
import PlatformTestSupport
import Testing

/// Each `Tests/Fixtures/platform/*.dts` marks its offending line with `// <- error: message`
/// (or `warning:`); building it must give exactly that diagnostic, at that
/// line, at the column where the construct starts.
@Suite struct FixtureDiagnosticsTests {
    static let directory = ConfigFixtures.packageRoot + "/Tests/Fixtures/platform"

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".dts") }
            .sorted()
    }

    struct Expectation {
        var severity: Diagnostic.Severity
        var message: String
        var line: Int
        var column: Int
    }

    static func expectation(in text: String) -> Expectation? {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let marker = line.range(of: "// <- ") else { continue }
            let rest = line[marker.upperBound...]
            let severity: Diagnostic.Severity = rest.hasPrefix("warning: ") ? .warning : .error
            let message = String(rest.dropFirst(severity == .warning ? 9 : 7))
            let column = (line.firstIndex { $0 != " " }.map { line.distance(from: line.startIndex, to: $0) } ?? 0) + 1
            return Expectation(severity: severity, message: message, line: index + 1, column: column)
        }
        return nil
    }

    @Test func fixturesExist() {
        #expect(Self.names.count >= 10)
    }

    @Test(arguments: names)
    func fixtureGivesItsDiagnostic(_ name: String) throws {
        let path = Self.directory + "/" + name
        let expected = try #require(Self.expectation(in: try String(contentsOfFile: path, encoding: .utf8)))
        let (spec, diagnostics) = PlatformBuilder.build(try ConfigFixtures.compile(path))
        let found = try #require(
            diagnostics.first { $0.message == expected.message }, "\(diagnostics.map(\.description))")
        #expect(found.severity == expected.severity)
        #expect(found.location?.file == path)
        #expect(found.location?.line == expected.line)
        #expect(found.location?.column == expected.column)
        #expect(diagnostics.filter { $0.severity == .error }.count == (expected.severity == .error ? 1 : 0))
        #expect((spec == nil) == (expected.severity == .error))
    }
}
