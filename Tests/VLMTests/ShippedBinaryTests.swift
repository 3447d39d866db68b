// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformTestSupport
import Testing

/// The shipped `vlm` carries no test tooling: no `nkddi-probe` or `fuse-demo`
/// subcommand, no `VLM_NKDDI_SCRIPT_<id>` hook in its guest, no NKDDI script
/// interpreter linked in. They live in the test-only `vlm-testkit`.
@Suite(.timeLimit(.minutes(2)), .enabled(if: VLMBinary.isBuilt, "the vlm product is not built (swift build)"))
struct ShippedBinaryTests {
    /// What only the test tools spell: their subcommands, the guest's script
    /// hook, the interpreter's type (in its symbols) and its help text.
    static let testToolMarks = ["nkddi-probe", "fuse-demo", "VLM_NKDDI_SCRIPT_", "NKDDIScript", "pong X Y PEER"]

    @Test func helpListsNoTestTools() throws {
        let outcome = try VLMBinary.run(["--help"])
        #expect(outcome.status == 0)
        #expect(outcome.outputText.contains("run"))
        for mark in ["nkddi-probe", "fuse-demo"] { #expect(!outcome.outputText.contains(mark), "\(mark)") }
    }

    @Test func testToolSubcommandsAreUnknown() throws {
        let directory = NSTemporaryDirectory() + "vlm-shipped-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for arguments in [["nkddi-probe", "--vm", "2", "--prefix", "vlm.none", "--", "id"], ["fuse-demo", directory]] {
            let outcome = try VLMBinary.run(arguments)
            #expect(outcome.status == 2, "\(arguments[0]): \(outcome.standardError)")
            // The root command refuses the line: no subcommand took it.
            #expect(outcome.standardError.contains("Usage: vlm <subcommand>"), "\(outcome.standardError)")
        }
    }

    /// `vlm guest` has no script hook and the interpreter is not linked in:
    /// none of the test tools' strings is in the binary, while they are all in
    /// `vlm-testkit` (so the search finds them where they are).
    @Test(arguments: testToolMarks)
    func binaryHoldsNoTestTooling(_ mark: String) throws {
        #expect(try Self.binary(VLMBinary.path, contains: mark) == false)
        try #require(FileManager.default.isExecutableFile(atPath: VLMBinary.testKitPath), "vlm-testkit is not built")
        #expect(try Self.binary(VLMBinary.testKitPath, contains: mark) == true)
    }

    /// `grep -a -F -q`: whether the file's bytes contain `text`.
    static func binary(_ path: String, contains text: String) throws -> Bool? {
        let grep = try #require(ProcessRunner.which("grep"))
        let outcome = try ProcessRunner.run(grep, ["-a", "-F", "-q", "-e", text, path], timeout: 60)
        return outcome.status == 0 ? true : outcome.status == 1 ? false : nil
    }
}
