// SPDX-License-Identifier: Apache-2.0
import Foundation
import Platform
import PlatformSys
import PlatformTestSupport
import Synchronization
import Testing

/// Random writes through every writable view file of a running platform
/// (issue 17 item 6, the views half): each write answers success, EINVAL or
/// EACCES, none hangs, no VM crashes.
///
/// `VLM_FUZZ_CASES` sets the number of writes (default 2000), `VLM_FUZZ_SEED`
/// the seed (default 17, `random` for a fresh one); every failure names both.
/// Writes that would stop, pause or restart a VM are turned into refused ones
/// (an id that is no VM, the bit that asks for what already is), so the VMs
/// run throughout and those files must answer exactly EINVAL; a last round
/// then drives each lifecycle file once with a valid id.
@Suite("vlm run: random writes to the views", .timeLimit(.minutes(3)), .serialized, .enabled(if: VLMBinary.isBuilt))
struct ViewsFuzzTests {
    static let caseCount = Int(FileSystem.environment("VLM_FUZZ_CASES") ?? "") ?? 2000
    static let seed: UInt64 = {
        let text = FileSystem.environment("VLM_FUZZ_SEED")
        if text == "random" { return UInt64.random(in: 0...UInt64.max) }
        return text.flatMap { UInt64($0) } ?? 17
    }()

    @Test("thousands of random writes: every answer is success, EINVAL or EACCES, and no VM crashes or hangs")
    func randomWrites() throws {
        try withTemporaryDirectory { dir in
            let source = RuntimeFixtures.threeVMs().replacingOccurrences(
                of: #"vm4: vm@4 { label = "peer"; vl,restart = "never"; };"#, with: "")
            let platform = try RunningPlatform(source: source, in: dir, extraArguments: ["--no-init"])
            let run = dir + "/run"
            let targets = [2, 3].flatMap { vm in
                ViewTree.files(under: "\(run)/vm\(vm)").filter { $0.isWritable && !$0.isDevice }.map {
                    (vm, $0.relative)
                }
            }
            #expect(targets.count >= 20, "\(targets)")
            let current = Mutex("")
            let failures = Mutex<[String]>([])
            let fuzzer = Crew(size: 1) { _ in
                var random = SplitMix64(seed: Self.seed)
                for index in 0..<Self.caseCount {
                    let (vm, file) = targets[Int(random.next() % UInt64(targets.count))]
                    guard let fuzzCase = FuzzCase(vm: vm, file: file, random: &random) else { continue }
                    current.withLock { $0 = "case \(index): \(fuzzCase)" }
                    let answer = ViewTree.write("\(run)/vm\(vm)/\(file)", fuzzCase.bytes)
                    if !fuzzCase.allowed.contains(answer) {
                        failures.withLock {
                            $0.append("seed \(Self.seed) case \(index): \(fuzzCase) → errno \(answer)")
                        }
                    }
                }
            }
            // Every refused write is a line of `vlm run`'s output: read it as it comes,
            // or the supervisor blocks on a full pipe and answers nobody.
            let finished = fuzzer.finish(within: .seconds(150)) { _ = platform.consoleOutput() }
            #expect(finished, "seed \(Self.seed): \(current.withLock { $0 }) never returned")
            if !finished { _ = try platform.stop(with: .kill) }  // the mounts go: the stuck write returns
            #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0.prefix(10) })")
            let table = try vmTable(platform)
            for vm in [2, 3] {
                #expect(
                    table[vm]?.state == "running" && table[vm]?.restarts == 0,
                    "seed \(Self.seed): vm\(vm) \(String(describing: table[vm]))")
            }
            #expect(platform.crashLines().isEmpty, "seed \(Self.seed): \(platform.crashLines())")
            try Self.lifecycleRound(platform, run: run)
            #expect(try platform.stop() == .exited(0))
        }
    }

    /// Each lifecycle file once with a valid id, from VM 2 on VM 3: success, and the
    /// VM gets where it was asked to go.
    static func lifecycleRound(_ platform: RunningPlatform, run: String) throws {
        let steps: [(String, String, Int)] = [
            ("proc/nk/vmsuspend", "paused", 0), ("proc/nk/vmresume", "running", 0), ("proc/nk/restart", "running", 1),
            ("proc/nk/vmstop", "stopped", 1), ("proc/nk/vmstart", "running", 2),
            ("sys/nk/prop/nk.vm.3.state.paused", "paused", 2),
        ]
        for (file, state, restarts) in steps {
            let payload = file.hasPrefix("sys/") ? [UInt8(ascii: "1")] : Array("3\n".utf8)
            #expect(ViewTree.write("\(run)/vm2/\(file)", payload) == 0, "\(file)")
            #expect(
                waitUntil(timeout: .seconds(20)) {
                    guard let vm3 = try? vmTable(platform)[3], vm3.state == state, vm3.restarts == restarts else {
                        return false
                    }
                    // `running` covers booting: wait for the guest's `ready` too.
                    return state != "running"
                        || platform.consoleOutput().contains("vm3 (client) running (pid \(vm3.pid ?? 0))")
                }, "\(file): \(String(describing: try? vmTable(platform)[3]))")
        }
        #expect(ViewTree.write("\(run)/vm2/sys/nk/prop/nk.vm.3.state.paused", [UInt8(ascii: "0")]) == 0)
    }
}

/// One random write: the bytes and the errnos it may answer.
struct FuzzCase: CustomStringConvertible {
    let file: String
    let bytes: [UInt8]
    let allowed: Set<Int32>

    static let einval: Int32 = 22, eacces: Int32 = 13
    static let lifecycleFiles: Set<String> = ["vmstart", "vmstop", "restart", "vmsuspend", "vmresume"]

    /// A random payload for `file` of VM `vm`; nil for a file the fuzzer leaves
    /// alone (a VM's own `state.running`: either bit stops it).
    init?(vm: Int, file: String, random: inout SplitMix64) {
        self.file = "vm\(vm)/\(file)"
        var bytes = Self.payload(&random)
        let name = file.split(separator: "/").last.map(String.init) ?? file
        if file.hasPrefix("proc/nk/"), Self.lifecycleFiles.contains(name) {
            // A configured id would act: make it one that is no VM.
            if Self.namesVM(bytes) { bytes = Array("\(9 + random.next() % 20)\n".utf8) }
            allowed = [Self.einval]
        } else if name.hasSuffix(".state.running") || name.hasSuffix(".state.paused") {
            guard name != "nk.vm.\(vm).state.running" else { return nil }
            // Start a running VM, resume a playing one: refused, nothing happens.
            bytes[0] = name.hasSuffix(".running") ? bytes[0] | 1 : bytes[0] & ~1
            allowed = [Self.einval]
        } else {
            allowed = [0, Self.einval, Self.eacces]
        }
        self.bytes = bytes
    }

    /// Whether `bytes` read as a control file's VM id name VM 2 or 3.
    static func namesVM(_ bytes: [UInt8]) -> Bool {
        guard let text = String(validating: bytes, as: UTF8.self) else { return false }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        return words.count == 1 && [2, 3].contains(Int(words[0]) ?? 0)
    }

    /// Random bytes, numbers (negative, huge, out of range), ids, names, long strings.
    static func payload(_ random: inout SplitMix64) -> [UInt8] {
        let newline = random.next() % 2 == 0 ? "\n" : ""
        switch random.next() % 9 {
        case 0: return (0..<(1 + random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        case 1: return [UInt8(truncatingIfNeeded: random.next())]
        case 2: return Array("\(Int64(bitPattern: random.next()))\(newline)".utf8)
        case 3: return Array("\(Int(random.next() % 45) - 5)\(newline)".utf8)
        case 4: return Array(String(repeating: "9", count: 20 + Int(random.next() % 200)).utf8)
        case 5:
            let names = ["vm_start", "irq_post", "hyp_call", "vm_stop", "nope", "", " ", "\t", "2 3", "0x3"]
            return Array((names[Int(random.next() % UInt64(names.count))] + newline).utf8) + [UInt8(ascii: " ")]
        case 6:
            return [UInt8](
                repeating: UInt8(ascii: "A") &+ UInt8(random.next() % 26), count: 65536 + Int(random.next() % 200_000))
        case 7: return Array("-\(random.next() % 100)\(newline)".utf8)
        default: return Array("\(random.next() % 4)\(newline)".utf8)
        }
    }

    var description: String {
        let shown = bytes.prefix(24).map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        return "\(file) ← \(bytes.count) bytes \(shown)\(bytes.count > 24 ? "…" : "")"
    }
}
