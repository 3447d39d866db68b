// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformTestSupport
import Testing

/// `/include/` and `/incbin/` of a directory, a device or a FIFO, through
/// the built binary on the host file system: a positioned error that says
/// what the path is, at once (a device is never read, a FIFO never waited on).
@Suite(.timeLimit(.minutes(1)), .enabled(if: VLMBinary.isBuilt, "the vlm product is not built (swift build)"))
struct DTSpecialFileTests {
    /// Runs `vlm ARGUMENTS` in a fresh directory holding `a.dts` (and a FIFO `fifo`).
    func run(_ arguments: [String], source: String) throws -> ProcessOutcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vlm-dt-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try source.write(toFile: directory + "/a.dts", atomically: true, encoding: .utf8)
        let mkfifo = try ProcessRunner.run("/usr/bin/mkfifo", [directory + "/fifo"])
        try #require(mkfifo.status == 0, "\(mkfifo.standardError)")
        return try VLMBinary.run(arguments, in: directory, timeout: 10)
    }

    @Test(arguments: [["dt", "compile"], ["dt", "print"], ["check"]])
    func includeOfADirectorySaysSo(_ command: [String]) throws {
        let outcome = try run(command + ["a.dts"], source: "/dts-v1/;\n/include/ \"/tmp\"\n/ { };\n")
        #expect(outcome.status == 2 && !outcome.timedOut)
        #expect(outcome.standardError.hasPrefix("a.dts:2:1: error: /tmp is a directory"), "\(outcome.standardError)")
    }

    @Test func includeOfADeviceIsRefusedWithoutReadingIt() throws {
        let outcome = try run(["dt", "compile", "a.dts"], source: "/dts-v1/;\n  /include/ \"/dev/zero\"\n")
        #expect(outcome.status == 2 && !outcome.timedOut)
        #expect(
            outcome.standardError.hasPrefix("a.dts:2:3: error: /dev/zero is not a regular file"),
            "\(outcome.standardError)")
    }

    @Test func incbinOfADeviceIsRefusedWithoutReadingIt() throws {
        let outcome = try run(
            ["dt", "compile", "a.dts"], source: "/dts-v1/;\n/ { p = /incbin/(\"/dev/zero\", 0, 16); };\n")
        #expect(outcome.status == 2 && !outcome.timedOut)
        #expect(
            outcome.standardError.hasPrefix("a.dts:2:18: error: /dev/zero is not a regular file"),
            "\(outcome.standardError)")
    }

    @Test func includeOfAFIFOWithoutAWriterDoesNotWait() throws {
        let outcome = try run(["dt", "compile", "a.dts"], source: "/dts-v1/;\n/include/ \"fifo\"\n")
        #expect(outcome.status == 2 && !outcome.timedOut)
        #expect(
            outcome.standardError.hasPrefix("a.dts:2:1: error: fifo is not a regular file"), "\(outcome.standardError)")
    }

    @Test func inputThatIsADirectorySaysSo() throws {
        let outcome = try VLMBinary.run(["dt", "compile", "/tmp"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.hasPrefix("/tmp: error: /tmp is a directory"), "\(outcome.standardError)")
    }
}
