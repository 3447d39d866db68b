// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Testing

@Suite struct LexerTests {
    @Test func stringEscapesAreAppliedAsDtcDoes() throws {
        let bytes = try Source.value(#"p = "a\n\t\x41\101\q\0x\\\"";"#)
        #expect(bytes == Array("a\n\tAAq".utf8) + [0] + Array("x\\\"".utf8) + [0])
    }

    @Test func integerLiteralsTakeCBases() throws {
        #expect(try Source.value("p = <10 0x10 010 0 7ULL>;") == .cells(10, 16, 8, 0, 7))
    }

    @Test func characterLiteralsAreBytes() throws {
        #expect(try Source.value(#"p = <'a' '\n' '\xff' '\''>;"#) == .cells(0x61, 0x0A, 0xFF, 0x27))
    }

    @Test func commentsOfBothKindsAreSkipped() throws {
        let tree = try Source.tree("/* block\n comment */ p = <1>; // line\n q = /**/ <2>;")
        #expect(tree.root.property(named: "q")?.value.bytes == .cells(2))
    }

    @Test func lineMarkersRenameFileAndLine() {
        let error = Source.error("/dts-v1/;\n# 40 \"board.dts\" 1 3\n/ { p = <(1/0)>; };\n")
        #expect(error?.location?.file == "board.dts")
        #expect(error?.location?.line == 40)
    }

    @Test func keywordsMayBeEscapedAsNamesWithBackslash() throws {
        let tree = try Source.tree("\\ok = <1>;")
        #expect(tree.root.property(named: "ok") != nil)
    }

    @Test func nulBytesAndInvalidUTF8AreTokensNotCrashes() {
        let text = String(
            decoding: [0x2F, 0x64, 0x74, 0x73, 0x2D, 0x76, 0x31, 0x2F, 0x3B, 0x00, 0xFF, 0xFE], as: UTF8.self)
        #expect(Source.error(text)?.message.hasPrefix("syntax error") == true)
    }

    @Test func includeLooksNextToTheFileThenInSearchPaths() throws {
        let result = try DeviceTreeCompiler.compile(
            file: "dir/main.dts",
            reader: InMemorySourceFiles([
                "dir/main.dts": "/dts-v1/;\n/include/ \"a.dtsi\"\n/include/ \"b.dtsi\"\n",
                "dir/a.dtsi": "/ { a = <1>; };",
                "inc/b.dtsi": "/ { b = <2>; };",
            ]),
            options: CompileOptions(includePaths: ["inc"]))
        #expect(result.tree.root.property(named: "a")?.value.bytes == .cells(1))
        #expect(result.tree.root.property(named: "b")?.location?.file == "inc/b.dtsi")
    }

    @Test func incbinReadsARangeOfAFile() throws {
        let result = try Source.compile(
            "/dts-v1/; / { all = /incbin/(\"bin\"); part = /incbin/(\"bin\", 1, 2); };",
            files: ["bin": "ABCD"])
        #expect(result.tree.root.property(named: "all")?.value.bytes == Array("ABCD".utf8))
        #expect(result.tree.root.property(named: "part")?.value.bytes == Array("BC".utf8))
    }
}
