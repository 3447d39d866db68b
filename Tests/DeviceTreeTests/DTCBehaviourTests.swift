// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import PlatformTestSupport
import Testing

/// Regression fixtures for differences from dtc 1.6.1 found by the randomized
/// test, one file per behaviour in `Fixtures/dtc-behaviour/<behaviour>.dts`
/// (its first comment says what dtc does). Each is compared with dtc as the
/// corpus is: the same verdict without `-f`, the same error checks, and with
/// `-f` the same blob.
@Suite(.enabled(if: DTC.shouldRun, DTC.skipReason))
struct DTCBehaviourTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/dtc-behaviour").path

    static let fixtures: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".dts") }.sorted()
    }()

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.count >= 1)
    }

    @Test("fixture: same verdict and error checks as dtc", arguments: fixtures)
    func sameVerdictAndChecks(_ name: String) throws {
        let theirs = try DTC.compile(name, force: false, in: Self.directory)
        let accepted = (try? compile(name, force: false)) != nil
        #expect(accepted == (theirs.status == 0), "dtc: \(theirs.standardError)")
        let forced = try DTC.compile(name, force: true, in: Self.directory)
        let ourChecks = (try? compile(name, force: true))?.diagnostics.filter { $0.severity == .error }
            .compactMap(\.check)
        #expect(DTC.distinct(ourChecks ?? []) == DTC.errorChecks(in: forced.standardError))
    }

    @Test("fixture: same blob as dtc -f", arguments: fixtures)
    func sameBlobWhenForced(_ name: String) throws {
        let theirs = try DTC.compile(name, force: true, in: Self.directory)
        try #require(theirs.status == 0, "dtc -f failed: \(theirs.standardError)")
        let ours = DTB.encode(try compile(name, force: true).tree)
        if ours != theirs.standardOutput {
            #expect(try DTC.decompile(ours) == DTC.decompile(theirs.standardOutput))
        }
    }

    @Test("fixture without check errors: printed source compiles back to the same blob", arguments: fixtures)
    func printedSourceRoundTrips(_ name: String) throws {
        guard let result = try? compile(name, force: false) else { return }  // forced trees are no fixed point
        let blob = DTB.encode(result.tree)
        let source = DTSPrinter.print(result.tree)
        #expect(DTB.encode(try CorpusCompiler.compile(source: source).tree) == blob, "\(source)")
        #expect(try DTC.compile(source: source).standardOutput == blob, "\(source)")
    }

    private func compile(_ name: String, force: Bool) throws(DeviceTreeError) -> CompileResult {
        try DeviceTreeCompiler.compile(
            file: name, reader: DirectorySourceFiles(directory: Self.directory),
            options: CompileOptions(force: force))
    }
}
