// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Testing

/// `/include/` and `/incbin/` of something that is not a regular file say
/// what it is (the host reader is tested end to end in `DTCommandTests`).
@Suite struct IncludeProblemTests {
    /// `InMemorySourceFiles` plus paths that hold a directory or a device.
    struct Reader: SourceFileReader {
        var files: [String: String]
        var problems: [String: SourceFileProblem]
        func contents(of path: String) -> [UInt8]? { files[path].map { Array($0.utf8) } }
        func read(_ path: String) -> Result<[UInt8], SourceFileProblem> {
            if let problem = problems[path] { return .failure(problem) }
            return contents(of: path).map { .success($0) } ?? .failure(.notFound)
        }
    }

    static func error(_ main: String, _ problems: [String: SourceFileProblem], files: [String: String] = [:])
        -> Diagnostic?
    {
        var all = files
        all["dir/main.dts"] = main
        do {
            _ = try DeviceTreeCompiler.compile(
                file: "dir/main.dts", reader: Reader(files: all, problems: problems),
                options: CompileOptions(includePaths: ["inc"]))
            return nil
        } catch {
            return error.diagnostics.first
        }
    }

    @Test func includeOfADirectorySaysSo() {
        let error = Self.error("/dts-v1/;\n/ { };\n  /include/ \"/tmp\"\n", ["/tmp": .directory])
        #expect(error?.message == "/tmp is a directory")
        #expect(error?.location.map { [$0.line, $0.column] } == [3, 3])
        #expect(error?.location?.file == "dir/main.dts")
    }

    @Test func includeOfADeviceSaysSo() {
        let error = Self.error("/dts-v1/;\n/include/ \"/dev/zero\"\n", ["/dev/zero": .notRegularFile])
        #expect(error?.message == "/dev/zero is not a regular file")
        #expect(error?.location?.line == 2)
    }

    @Test func incbinOfADeviceOrDirectorySaysSo() {
        let device = Self.error("/dts-v1/;\n/ { p = /incbin/(\"/dev/zero\"); };\n", ["/dev/zero": .notRegularFile])
        #expect(device?.message == "/dev/zero is not a regular file")
        #expect(device?.location.map { [$0.line, $0.column] } == [2, 18])
        let directory = Self.error("/dts-v1/;\n/ { p = /incbin/(\"sub\"); };\n", ["dir/sub": .directory])
        #expect(directory?.message == "dir/sub is a directory")
    }

    @Test func theFirstPathWhereSomethingIsWinsAsWithDTC() {
        // `dir/x.dtsi` is a directory: dtc's fopen succeeds there and reading fails;
        // the search does not go on to `inc/x.dtsi`.
        let error = Self.error(
            "/dts-v1/;\n/include/ \"x.dtsi\"\n", ["dir/x.dtsi": .directory], files: ["inc/x.dtsi": "/ { };"])
        #expect(error?.message == "dir/x.dtsi is a directory")
    }

    @Test func unreadableFilesGiveTheReason() {
        let error = Self.error(
            "/dts-v1/;\n/include/ \"secret.dtsi\"\n", ["dir/secret.dtsi": .unreadable("Permission denied")])
        #expect(error?.message == "couldn't read \"dir/secret.dtsi\": Permission denied")
    }

    @Test func theInputItselfMayBeADirectory() {
        #expect(throws: DeviceTreeError.self) {
            try DeviceTreeCompiler.compile(file: "/tmp", reader: Reader(files: [:], problems: ["/tmp": .directory]))
        }
        let error = try? #require(throws: DeviceTreeError.self) {
            try DeviceTreeCompiler.compile(file: "/tmp", reader: Reader(files: [:], problems: ["/tmp": .directory]))
        }
        #expect(error?.diagnostics.first?.message == "/tmp is a directory")
    }
}
