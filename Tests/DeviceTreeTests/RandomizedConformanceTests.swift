// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import PlatformTestSupport
import Testing

/// Generated sources and mutated corpus files, compiled by our compiler
/// (in-process) and by dtc (one batch, each run under `timeout 10`): the same
/// verdict, the same error checks and the same blob, never a crash or a hang.
///
/// Deterministic by default: the fixed `defaultSeeds` (all passing), 100 cases
/// each. `VLM_DT_SEED=<n>` runs seed n instead (`VLM_DT_SEED=random` a fresh
/// one); the seed is in every failure message, and the cases of a seed are the
/// same in every run. `VLM_DT_KEEP=1` keeps them in `$TMPDIR/vlm-fuzz-<seed>/`.
@Suite(.enabled(if: DTC.shouldRun, DTC.skipReason))
struct RandomizedConformanceTests {
    /// Seeds that found bugs once (55 and 2928996759: node_name_chars;
    /// 1514198804: merge order) and pass now (docs/decisions.md).
    static let defaultSeeds: [UInt64] = [55, 2_928_996_759, 1_514_198_804]

    static let seeds: [UInt64] = {
        switch ProcessInfo.processInfo.environment["VLM_DT_SEED"] {
        case nil, "": return defaultSeeds
        case "random": return [UInt64.random(in: 1...UInt64(UInt32.max))]
        case let text?:
            guard let seed = UInt64(text) else { fatalError("VLM_DT_SEED must be a number or \"random\", not \(text)") }
            return [seed]
        }
    }()

    /// Generated cases, then as many mutated corpus files.
    static let casesPerKind = 50

    struct Case {
        var name: String
        var source: [UInt8]
        var text: String { String(decoding: source, as: UTF8.self) }
    }

    static func cases(seed: UInt64) -> [Case] {
        var generated: [Case] = []
        for index in 0..<casesPerKind {
            var generator = SourceGenerator(seed: seed &+ UInt64(index))
            generated.append(Case(name: "generated-\(index)", source: Array(generator.source().utf8)))
        }
        var mutator = SourceMutator(random: SplitMix64(seed: seed ^ 0xC0FFEE))
        let corpus = Corpus.accepted.compactMap { entry in Corpus.contents(of: entry.file).map { (entry.file, $0) } }
        for index in 0..<casesPerKind where !corpus.isEmpty {
            let (file, text) = corpus[Int(mutator.random.next() % UInt64(corpus.count))]
            generated.append(Case(name: "mutated-\(index)-\(file)", source: mutator.mutate(text)))
        }
        return generated
    }

    @Test(.timeLimit(.minutes(2)), arguments: seeds)
    func verdictsMatchDTC(seed: UInt64) throws {
        let cases = Self.cases(seed: seed)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vlm-fuzz-\(seed)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // VLM_DT_KEEP=1 keeps the cases (<index>.dts, dtc's <index>.dtb and .err) for a replay.
        let keep = ProcessInfo.processInfo.environment["VLM_DT_KEEP"] != nil
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
        for (index, testCase) in cases.enumerated() {
            try Data(testCase.source).write(to: URL(fileURLWithPath: "\(directory)/\(index).dts"))
        }
        let dtc = try runDTCBatch(count: cases.count, in: directory)
        var compared = 0
        for (index, testCase) in cases.enumerated() {
            // Ours runs on every case, so a crash or a hang shows even where dtc has one.
            let ours = try? CorpusCompiler.compile("\(directory)/\(index).dts", symbols: Self.symbols(index))
            guard let status = dtc[index], [0, 1, 2].contains(status) else { continue }  // dtc crashed or hung
            compared += 1
            let flags = Self.symbols(index) ? " with -@" : ""
            let label = "seed \(seed), case \(index) \(testCase.name)\(flags) (VLM_DT_SEED=\(seed) replays)"
            #expect((ours != nil) == (status == 0), "\(label): dtc exit \(status)\n\(testCase.text)")
            guard let ours, status == 0 else { continue }
            try compare(ours, with: "\(directory)/\(index)", label: label, source: testCase.text)
        }
        #expect(compared > cases.count / 2, "seed \(seed): dtc judged too few cases")
    }

    /// Our result for one case against dtc's (`<base>.dtb`, `<base>.err`).
    private func compare(_ ours: CompileResult, with base: String, label: String, source: String) throws {
        let errors = try String(contentsOfFile: "\(base).err", encoding: .utf8)
        let ourErrors = ours.diagnostics.filter { $0.severity == .error }
        #expect(
            DTC.distinct(ourErrors.compactMap(\.check)) == DTC.errorChecks(in: errors),
            "\(label): error checks differ\n\(errors)\n\(source)")
        let blob = DTB.encode(ours.tree)
        // A forced tree (an error check failed) is not a fixed point: compiling
        // it again runs the checks that stopped (name_properties drops `name`,
        // the fix-ups fill references), so only clean trees must round-trip.
        if ourErrors.isEmpty {
            let printed = DTSPrinter.print(ours.tree)
            let reprinted = try? CorpusCompiler.compile(source: printed).tree
            #expect(reprinted.map(DTB.encode) == blob, "\(label): printed source differs\n\(printed)")
        }
        let theirs = Array(try Data(contentsOf: URL(fileURLWithPath: "\(base).dtb")))
        if blob != theirs {
            #expect(try DTC.decompile(blob) == DTC.decompile(theirs), "\(label): blobs differ\n\(source)")
        }
    }

    /// Every fourth case is compiled with `-@` (`__symbols__`).
    static func symbols(_ index: Int) -> Bool { index % 4 == 3 }

    /// Runs dtc on every case in one shell, each under `timeout 10`; the exit
    /// statuses by case index (124 = timed out, > 128 = killed by a signal).
    private func runDTCBatch(count: Int, in directory: String) throws -> [Int: Int32] {
        let dtc = try #require(DTC.path)
        let includes = Corpus.includePaths.map { "-i \($0)" }.joined(separator: " ")
        let script = """
            for i in $(seq 0 \(count - 1)); do
              if [ $((i % 4)) -eq 3 ]; then symbols=-@; else symbols=; fi
              timeout 10 \(dtc) -q -f $symbols -I dts -O dtb -o "\(directory)/$i.dtb" \(includes) "\(directory)/$i.dts" \
                >/dev/null 2>"\(directory)/$i.err" </dev/null
              echo "$i $?"
            done
            """
        let outcome = try ProcessRunner.run("/bin/sh", ["-c", script], in: Corpus.directory, timeout: 600)
        var statuses: [Int: Int32] = [:]
        for line in outcome.outputText.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let index = Int(fields[0]), let status = Int32(fields[1]) { statuses[index] = status }
        }
        return statuses
    }
}
