// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import PlatformModel
import PlatformTestSupport
import Synchronization
import Testing

/// Issue 17 item 6, the config half: mutated `.dts` files (`Configs/` and
/// the device-tree fixtures, dtc's corpus among them) go through `dt compile`
/// and `check`. Each must succeed, or fail with a positioned error
/// (`file:line:col: error:`), within a deadline, never crash.
///
/// Most cases run the compiler and the platform builder in-process; one in
/// `binarySample` also runs the built `vlm dt compile` and `vlm check`
/// (exit 0 or 2 agreeing with the in-process verdict, no signal, no timeout).
/// `VLM_FUZZ_CASES=n` runs n cases (default 3000), `VLM_FUZZ_SEED=s` replays
/// seed s (`random`: a fresh one); the seed is in every failure message, a
/// case only depends on the seed and its index, and a failing case is written
/// to `$TMPDIR/vlm-fuzz-<seed>-<index>.dts`.
@Suite(.timeLimit(.minutes(10)))
struct ConfigFuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let caseCount = environment["VLM_FUZZ_CASES"].flatMap { Int($0) } ?? 3000
    static let seed: UInt64 = {
        switch environment["VLM_FUZZ_SEED"] {
        case nil, "": return 17
        case "random": return UInt64.random(in: 1...UInt64(UInt32.max))
        case let text?: return UInt64(text) ?? { fatalError("VLM_FUZZ_SEED must be a number or \"random\"") }()
        }
    }()
    static let binarySample = 60
    /// How long one case may take (the binary cases run two processes).
    static let deadline = 20.0

    /// The sources mutated: `Configs/*.dts` and every `.dts` under the device-tree fixtures.
    static let corpus: [(path: String, bytes: [UInt8])] = {
        let fixtures = ConfigFixtures.packageRoot + "/Tests/DeviceTreeTests/Fixtures"
        let found = (FileManager.default.enumerator(atPath: fixtures)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".dts") }.sorted().map { fixtures + "/" + $0 }
        return (ConfigFixtures.configNames.map(ConfigFixtures.configPath) + found).compactMap { path in
            FileManager.default.contents(atPath: path).map { (path, Array($0)) }
        }
    }()

    /// Case `index` of `seed`: which file, and its mutated bytes.
    static func fuzzCase(_ index: Int, seed: UInt64) -> (path: String, bytes: [UInt8]) {
        var mutator = DTSMutator(random: SplitMix64(seed: seed &* 0x1000_0000_01B3 ^ UInt64(index)))
        let (path, bytes) = corpus[mutator.random.below(corpus.count)]
        return (path, mutator.mutate(bytes))
    }

    @Test func mutatedSourcesCompileOrFailWithAPositionedError() throws {
        try #require(Self.corpus.count > 20, "the corpus is missing")
        let seed = Self.seed
        let failures = Mutex<[String]>([])
        let finished = DispatchSemaphore(value: 0)
        let worker = Thread {
            for index in 0..<Self.caseCount {
                if let problem = Self.run(index, seed: seed) { failures.withLock { $0.append(problem) } }
                finished.signal()
            }
        }
        worker.stackSize = 8 << 20
        worker.start()
        for index in 0..<Self.caseCount where finished.wait(timeout: .now() + Self.deadline) == .timedOut {
            let kept = Self.keep(index, seed: seed)
            Issue.record("seed \(seed) case \(index): no verdict in \(Self.deadline) s (hang) \(kept)")
            return  // the worker is stuck in the case: the run ends here
        }
        for failure in failures.withLock({ $0 }).prefix(20) { Issue.record(Comment(rawValue: failure)) }
    }

    /// One case; a description of what went wrong, or nil.
    static func run(_ index: Int, seed: UInt64) -> String? {
        let (path, bytes) = fuzzCase(index, seed: seed)
        let verdict = InProcessVerdict(path: path, bytes: bytes)
        var problem = verdict.problem
        if problem == nil, index % binarySample == 0, VLMBinary.isBuilt {
            problem = binaryProblem(path: path, bytes: bytes, expected: verdict)
        }
        guard let problem else { return nil }
        return "seed \(seed) case \(index) (\(path)): \(problem) \(keep(index, seed: seed))"
    }

    /// Writes the case where a replay can find it; the sentence that says so.
    static func keep(_ index: Int, seed: UInt64) -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vlm-fuzz-\(seed)-\(index).dts").path
        _ = FileManager.default.createFile(atPath: file, contents: Data(fuzzCase(index, seed: seed).bytes))
        return "[case in \(file); VLM_FUZZ_SEED=\(seed) VLM_FUZZ_CASES=\(index + 1) replays]"
    }

    /// `vlm dt compile` and `vlm check` of the case, from a directory of its own.
    static func binaryProblem(path: String, bytes: [UInt8], expected: InProcessVerdict) -> String? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vlm-fuzz-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("case.dts").path
        let includes = ["-i", URL(fileURLWithPath: path).deletingLastPathComponent().path]
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: file, contents: Data(bytes)) else {
                return "cannot write \(file)"
            }
            for (arguments, compiles) in [
                (["dt", "compile", file, "-o", "/dev/null"], expected.compiles), (["check", file], expected.checks),
            ] {
                let outcome = try VLMBinary.run(arguments + includes, timeout: 10)
                let command = "vlm \(arguments[0]) \(arguments[1])"
                if outcome.timedOut { return "\(command) did not finish in 10 s" }
                if outcome.crashed { return "\(command) died of signal \(outcome.status)\n\(outcome.standardError)" }
                if outcome.status != (compiles ? 0 : 2) {
                    return
                        "\(command) exited \(outcome.status), in-process verdict \(compiles)\n\(outcome.standardError)"
                }
                if outcome.status == 2, !hasPositionedError(outcome.standardError) {
                    return "\(command) exited 2 without file:line:col: error:\n\(outcome.standardError)"
                }
            }
        } catch {
            return "cannot run vlm: \(error)"
        }
        return nil
    }

    /// A line `FILE:LINE:COL: error: …` with numbers, the line not negative.
    static func hasPositionedError(_ text: String) -> Bool {
        text.split(separator: "\n").contains { line in
            guard let error = line.range(of: ": error: ") else { return false }
            let fields = line[..<error.lowerBound].split(separator: ":", omittingEmptySubsequences: false)
            return fields.count >= 3 && fields.suffix(2).allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        }
    }
}

/// The compiler and the platform builder on one source, in-process.
struct InProcessVerdict {
    var compiles = false
    var checks = false
    var problem: String?

    /// The source at `path` replaced by `bytes`; everything else read from disk.
    struct Reader: SourceFileReader {
        var path: String
        var bytes: [UInt8]
        func contents(of file: String) -> [UInt8]? {
            if file == path { return bytes }
            let type = (try? FileManager.default.attributesOfItem(atPath: file))?[.type] as? FileAttributeType
            return type == .typeRegular ? FileManager.default.contents(atPath: file).map(Array.init) : nil
        }
    }

    init(path: String, bytes: [UInt8]) {
        let result: CompileResult
        do {
            result = try DeviceTreeCompiler.compile(file: path, reader: Reader(path: path, bytes: bytes))
        } catch {
            problem = Self.unpositioned(error.diagnostics, "dt compile")
            return
        }
        compiles = true
        _ = DTB.encode(result.tree)
        _ = DTSPrinter.print(result.tree)
        let (spec, diagnostics) = PlatformBuilder.build(result.tree)
        checks = spec != nil
        if !checks { problem = Self.unpositioned(diagnostics, "check") }
    }

    /// nil when every error is at `file:line:col` (line ≥ 0, column ≥ 1) and there is one.
    static func unpositioned(_ diagnostics: [Diagnostic], _ command: String) -> String? {
        let errors = diagnostics.filter { $0.severity == .error }
        if errors.isEmpty { return "\(command) failed without an error" }
        let bad = errors.filter { error in error.location.map { $0.line < 0 || $0.column < 1 } ?? true }
        return bad.isEmpty ? nil : "\(command): errors without a position: \(bad)"
    }
}
