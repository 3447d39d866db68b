// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Synchronization
import Testing

/// Readers never crash or wedge a VM (issue 17): concurrent readers of the
/// statistics, and of every view file while VMs restart; `restart` of another VM.
@Suite(
    "vlm run: views under concurrent readers and restarts", .timeLimit(.minutes(3)), .serialized,
    .enabled(if: VLMBinary.isBuilt))
struct ViewsConcurrencyTests {
    @Test("16 concurrent readers of cpustats: the VM does not crash, every read answers")
    func concurrentStatisticsReaders() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(), in: dir, extraArguments: ["--no-init"])
            let stats = ["ascii", "raw"].map { "\(dir)/run/vm2/proc/nk/cpu/0/pmon/\($0)/cpustats" }
            let failures = Mutex<[String]>([])
            // The period was read before the lock: a later reader's sample landed first
            // and the difference trapped (arithmetic overflow) within 2 s of 16 readers.
            let crew = Crew(size: 16) { index in
                for _ in 0..<40 {
                    let error = ViewTree.read(stats[index % 2], device: false)
                    if error != 0 { failures.withLock { $0.append("errno \(error)") } }
                }
            }
            #expect(crew.finish(within: .seconds(90)), "every read returned")
            #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0.prefix(5) })")
            #expect(try vmTable(platform)[2]?.restarts == 0)
            #expect(platform.crashLines().isEmpty, "\(platform.crashLines())")
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("echo 3 > vm2's proc/nk/restart restarts VM 3: the writer succeeds, VM 3 runs again")
    func restartOfAnotherVM() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(), in: dir, extraArguments: ["--no-init"])
            let before = try #require(try vmTable(platform)[3]?.pid)
            for round in 1...3 {
                // The stop was under way when the start came: "already running", EIO.
                #expect(ViewTree.write(dir + "/run/vm2/proc/nk/restart", Array("3\n".utf8)) == 0, "round \(round)")
                #expect(
                    waitUntil(timeout: .seconds(20)) {
                        let vm3 = try? vmTable(platform)[3]
                        return vm3?.state == "running" && vm3?.restarts == round
                            && ViewsTests.read(dir + "/run/vm3/proc/nk/id") == "3"
                    }, "round \(round): \(platform.consoleOutput())")
            }
            #expect(try vmTable(platform)[3]?.pid != before)
            #expect(!platform.consoleOutput().contains("refused"))
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("a stop after a restart request has the last word: the VM stays stopped")
    func stopAfterRestartWins() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(), in: dir, extraArguments: ["--no-init"])
            #expect(ViewTree.write(dir + "/run/vm2/proc/nk/restart", Array("4\n".utf8)) == 0)
            #expect(ViewTree.write(dir + "/run/vm2/proc/nk/vmstop", Array("4\n".utf8)) == 0)
            #expect(waitUntil(timeout: .seconds(20)) { (try? vmTable(platform)[4]?.state) == "stopped" })
            // Give a wrongly kept boot the time to happen, then check it did not.
            #expect(!waitUntil(timeout: .seconds(2)) { (try? vmTable(platform)[4]?.state) == "running" })
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("many readers of every view file while VMs restart: no crash, every call answered")
    func readersOfEveryFileDuringRestarts() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(), in: dir, extraArguments: ["--no-init"])
            let files = ViewTree.files(under: dir + "/run/vm2").filter(\.isReadable)
            // Pipe nodes are left out: an open of one waits for its peer.
            let readable = files.filter { !$0.isDevice || $0.relative.hasPrefix("dev/vlx-") }
            #expect(readable.count > 40, "\(readable.map(\.relative))")
            let unexpected = Mutex<[String]>([])
            let readers = Crew(size: 12) { index in
                for round in 0..<4 {
                    for (n, file) in readable.enumerated() where (n + round) % 3 == index % 3 {
                        for vm in [2, 3] {
                            let error = ViewTree.read("\(dir)/run/vm\(vm)/\(file.relative)", device: file.isDevice)
                            // VM 3 restarts: its mount may be gone or not there yet.
                            let allowed: Set<Int32> = vm == 3 ? [0, 2, 11, 103, 107] : [0, 11]
                            if !allowed.contains(error) {
                                unexpected.withLock { $0.append("vm\(vm)/\(file.relative): errno \(error)") }
                            }
                        }
                    }
                }
            }
            let restarter = Crew(size: 1) { _ in
                for round in 1...3 {
                    _ = ViewTree.write(dir + "/run/vm2/proc/nk/restart", Array("3\n".utf8))
                    // Each restart done (counted and running) before the next: a restart
                    // asked while the last one still stops VM 3 joins it.
                    _ = waitUntil(timeout: .seconds(20)) {
                        Self.restartedAndRunning(vm: 3, times: round, run: dir + "/run")
                            && ViewsTests.read(dir + "/run/vm3/proc/nk/id") == "3"
                    }
                }
            }
            #expect(readers.finish(within: .seconds(150)) { _ = platform.consoleOutput() }, "every read returned")
            #expect(restarter.finish(within: .seconds(60)))
            #expect(unexpected.withLock { $0 }.isEmpty, "\(unexpected.withLock { $0.prefix(10) })")
            let table = try vmTable(platform)
            #expect(table[2]?.restarts == 0 && table[4]?.restarts == 0, "readers crashed nothing")
            #expect(table[3]?.restarts == 3 && table[3]?.state == "running", "VM 3 restarted exactly as asked")
            #expect(platform.crashLines().isEmpty, "\(platform.crashLines())")
            #expect(try platform.stop() == .exited(0))
        }
    }

    /// Whether `vlm status` shows VM `vm` running after `times` restarts.
    static func restartedAndRunning(vm: Int, times: Int, run: String) -> Bool {
        guard let outcome = try? ProcessRunner.run(VLMBinary.path, ["status", "--run-dir", run], timeout: 10),
            outcome.status == 0
        else { return false }
        let line = String(decoding: outcome.standardOutput, as: UTF8.self).split(separator: "\n")
            .map { $0.split(separator: " ") }.first { $0.count == 5 && $0[0] == "\(vm)" }
        return line.map { $0[2] == "running" && $0[4] == "\(times)" } ?? false
    }
}
