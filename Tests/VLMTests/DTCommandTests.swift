// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformTestSupport
import Testing

/// `vlm dt compile|print|decompile`, run as the built binary on real files.
@Suite(.timeLimit(.minutes(2)), .enabled(if: VLMBinary.isBuilt, "the vlm product is not built (swift build)"))
struct DTCommandTests {
    static let dtc = ProcessRunner.which("dtc")
    static let needsDTC = dtc != nil || ProcessInfo.processInfo.environment["CI"] != nil

    static let source = """
        /dts-v1/;
        /memreserve/ 0x1000 0x100;
        / {
            compatible = "vlm,test", "generic";
            peer = <&vm2 1>;
            path = &vm2;
            bytes = [de ad be ef];
            vm2: vm@2 { reg = <2>; label = "server\\tone"; };
        };
        """

    /// A fresh directory holding `files`; removed when `body` returns.
    func inDirectory<T>(_ files: [String: String], _ body: (String) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vlm-dt-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, text) in files { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        return try body(directory)
    }

    func dtcBlob(_ file: String, in directory: String) throws -> [UInt8] {
        let outcome = try ProcessRunner.run(try #require(Self.dtc), ["-q", "-O", "dtb", file], in: directory)
        try #require(outcome.status == 0, "\(outcome.standardError)")
        return outcome.standardOutput
    }

    @Test(.enabled(if: needsDTC)) func compileWritesDTCsBlobToTheOutputFile() throws {
        try inDirectory(["a.dts": Self.source]) { directory in
            let outcome = try VLMBinary.run(["dt", "compile", "a.dts", "-o", "a.dtb"], in: directory)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let written = FileManager.default.contents(atPath: directory + "/a.dtb").map(Array.init)
            #expect(written == (try dtcBlob("a.dts", in: directory)))
        }
    }

    @Test(.enabled(if: needsDTC), arguments: [[], ["-o", "-"]])
    func compileWritesToStandardOutputByDefault(_ output: [String]) throws {
        try inDirectory(["a.dts": Self.source]) { directory in
            let outcome = try VLMBinary.run(["dt", "compile", "a.dts"] + output, in: directory)
            #expect(outcome.status == 0)
            #expect(outcome.standardOutput == (try dtcBlob("a.dts", in: directory)))
        }
    }

    @Test func syntaxErrorExitsTwoWithThePathAsGiven() throws {
        try inDirectory(["bad.dts": "/dts-v1/;\n/ {\n    prop = <1;\n};\n"]) { directory in
            let outcome = try VLMBinary.run(["dt", "compile", "./bad.dts"], in: directory)
            #expect(outcome.status == 2)
            #expect(outcome.standardError.hasPrefix("./bad.dts:3:"), "\(outcome.standardError)")
            #expect(outcome.standardError.contains(": error: "))
            #expect(outcome.standardOutput.isEmpty)
        }
    }

    @Test func checkErrorsExitTwoUnlessForced() throws {
        let duplicate = "/dts-v1/;\n/ {\n    n { };\n    n { };\n};\n"
        try inDirectory(["dup.dts": duplicate.replacingOccurrences(of: "n { };\n    n", with: "n { a; };\n    n")]) {
            directory in
            let strict = try VLMBinary.run(["dt", "compile", "dup.dts"], in: directory)
            let forced = try VLMBinary.run(["dt", "compile", "-f", "dup.dts", "-o", "out.dtb"], in: directory)
            #expect(strict.status == 2 && strict.standardError.contains("dup.dts:"), "\(strict.standardError)")
            #expect(forced.status == 0, "\(forced.standardError)")
        }
    }

    @Test(arguments: [["dt", "compile"], ["dt", "compile", "--no-such-option", "a.dts"], ["dt", "decompile"]])
    func badCommandLineExitsTwo(_ arguments: [String]) throws {
        let outcome = try VLMBinary.run(arguments)
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("Usage: vlm dt"))
    }

    @Test func missingInputExitsTwo() throws {
        let outcome = try VLMBinary.run(["dt", "compile", "/nonexistent/x.dts"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("error"))
    }

    @Test func unwritableOutputIsARuntimeFailure() throws {
        try inDirectory(["a.dts": Self.source]) { directory in
            let outcome = try VLMBinary.run(["dt", "compile", "a.dts", "-o", "/nonexistent/a.dtb"], in: directory)
            #expect(outcome.status == 1)
            #expect(outcome.standardError.contains("/nonexistent/a.dtb"))
        }
    }

    @Test(.enabled(if: needsDTC)) func printOutputCompilesBackToTheSameBlob() throws {
        try inDirectory(["a.dts": Self.source]) { directory in
            let printed = try VLMBinary.run(["dt", "print", "a.dts"], in: directory)
            #expect(printed.status == 0)
            #expect(printed.outputText.contains("peer = <&vm2 0x01>;"), "\(printed.outputText)")
            try printed.outputText.write(toFile: directory + "/b.dts", atomically: true, encoding: .utf8)
            #expect(try dtcBlob("b.dts", in: directory) == dtcBlob("a.dts", in: directory))
        }
    }

    @Test(.enabled(if: needsDTC)) func decompilePrintsSourceThatDTCCompilesBack() throws {
        try inDirectory(["a.dts": Self.source]) { directory in
            let blob = try dtcBlob("a.dts", in: directory)
            try #require(FileManager.default.createFile(atPath: directory + "/a.dtb", contents: Data(blob)))
            let outcome = try VLMBinary.run(["dt", "decompile", "a.dtb"], in: directory)
            #expect(outcome.status == 0)
            #expect(outcome.outputText.contains("compatible = \"vlm,test\", \"generic\";"))
            #expect(outcome.outputText.contains("label = \"server\\tone\";"))
            try outcome.outputText.write(toFile: directory + "/b.dts", atomically: true, encoding: .utf8)
            #expect(try dtcBlob("b.dts", in: directory) == blob)
        }
    }

    @Test func decompileOfABadBlobExitsTwoNamingTheFile() throws {
        try inDirectory(["bad.dtb": "not a blob at all"]) { directory in
            let outcome = try VLMBinary.run(["dt", "decompile", "bad.dtb"], in: directory)
            #expect(outcome.status == 2)
            #expect(
                outcome.standardError.hasPrefix("bad.dtb: error: invalid device tree blob"), "\(outcome.standardError)")
        }
    }

    @Test func decompileRefusesADirectory() throws {
        let outcome = try VLMBinary.run(["dt", "decompile", "/"])
        #expect(outcome.status == 2)
    }
}
