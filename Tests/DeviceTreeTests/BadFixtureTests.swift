// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import Testing

/// Every diagnostic path has a fixture `Fixtures/bad/<error-name>.dts` whose
/// first line reads `// expect: LINE:COL: [(check) ]message`.
@Suite struct BadFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/bad").path

    static let fixtures: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".dts") }.sorted()
    }()

    @Test func everyErrorHasAFixture() {
        #expect(Self.fixtures.count >= 27)
    }

    @Test(arguments: fixtures)
    func fixtureFailsWithItsDiagnostic(_ name: String) throws {
        let text = try String(contentsOfFile: Self.directory + "/" + name, encoding: .utf8)
        let header = try #require(text.split(separator: "\n").first?.split(separator: " ", maxSplits: 3))
        try #require(header.count == 4 && header[1] == "expect:", "bad header in \(name)")
        let position = header[2].dropLast().split(separator: ":").compactMap { Int($0) }
        let diagnostic: Diagnostic
        do {
            _ = try DeviceTreeCompiler.compile(file: name, reader: DirectorySourceFiles(directory: Self.directory))
            Issue.record("\(name) compiled")
            return
        } catch {
            diagnostic = try #require(error.diagnostics.first)
        }
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.location?.file == name || name.hasPrefix("nul-in-line"))
        #expect(
            [diagnostic.location?.line, diagnostic.location?.column] == position.map { Optional($0) }, "\(diagnostic)")
        let shown = diagnostic.check.map { "(\($0)) \(diagnostic.message)" } ?? diagnostic.message
        #expect(shown == String(header[3]), "\(diagnostic)")
    }
}
