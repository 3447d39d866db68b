// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Synchronization
import Testing

/// `vlm run`'s reaper: whatever kills the supervisor, nothing of the run stays
/// (processes, `fuse.vlm` mounts, `/dev/shm/vlm.<tag>.*`, run files); after a
/// power cut (supervisor and reaper killed) the next `vlm run` cleans it.
@Suite("vlm run: nothing left after kill -9", .timeLimit(.minutes(2)), .serialized, .enabled(if: VLMBinary.isBuilt))
struct ReaperTests {
    /// What a kill -9 must not leave behind: the bound.
    static let cleanupDeadline: Duration = .seconds(2)

    /// The run's processes while it runs: the supervisor's descendants (guests,
    /// `vl,init` programs and theirs, the reaper), the pids `vlm status --json`
    /// names, and every process whose command line mentions the run directory
    /// (the `fusermount3` watchers); the supervisor itself excluded.
    static func processes(of platform: RunningPlatform) throws -> Set<Int32> {
        let table = ProcessTable.snapshot()
        var pids = Set(ProcessTable.descendants(of: platform.supervisor.pid, in: table).map(\.pid))
        pids.formUnion(ProcessTable.mentioning(platform.runDirectory, in: table).map(\.pid))
        pids.formUnion(try vmTable(platform).values.compactMap(\.pid))
        pids.remove(platform.supervisor.pid)
        return pids
    }

    /// The run's reaper (`vlm reaper --run-dir DIR …`, a child of the supervisor).
    static func reaper(of platform: RunningPlatform) -> ProcessTable.Entry? {
        ProcessTable.descendants(of: platform.supervisor.pid)
            .first { $0.commandLine.hasPrefix("vlm reaper --run-dir \(platform.runDirectory) ") }
    }

    /// `fuse.vlm` mount points under `directory` (`/proc/self/mountinfo`).
    static func mounts(under directory: String) -> [String] {
        let text = String(decoding: (try? FileSystem.readFile("/proc/self/mountinfo")) ?? [], as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            let halves = line.split(separator: " - ", maxSplits: 1)
            let fields = halves[0].split(separator: " ")
            guard halves.count == 2, fields.count > 4, halves[1].hasPrefix("fuse.vlm "),
                fields[4].hasPrefix(directory + "/")
            else { return nil }
            return String(fields[4])
        }
    }

    /// Everything of the run that is still there: processes not ended, new
    /// processes mentioning the directory, mounts, shm objects, run files.
    static func leftovers(_ run: RunDirectory, processes: Set<Int32>) -> [String] {
        var found = processes.filter { !ProcessTable.hasEnded($0) }.sorted().map { pid in
            "process \(pid) \(ProcessTable.entry(pid)?.commandLine ?? "")"
        }
        found += ProcessTable.mentioning(run.path).filter { !processes.contains($0.pid) }.map {
            "process \($0.pid) \($0.commandLine)"
        }
        found += mounts(under: run.path).map { "mount \($0)" }
        found += ((try? SharedMemory.list(prefix: run.sharedMemoryPrefix)) ?? []).map { "/dev/shm/\($0)" }
        found += ((try? FileSystem.listDirectory(run.path)) ?? []).map { "\(run.path)/\($0)" }
        return found
    }

    /// Waits up to ``cleanupDeadline`` for the run to leave nothing; what is left.
    static func waitForNothingLeft(_ run: RunDirectory, processes: Set<Int32>) -> [String] {
        _ = waitUntil(timeout: cleanupDeadline, interval: .milliseconds(5)) {
            leftovers(run, processes: processes).isEmpty
        }
        return leftovers(run, processes: processes)
    }

    @Test("kill -9 of the supervisor: within 2 s no process, mount, shm object or run file of the run remains")
    func supervisorKilled() throws {
        try withTemporaryDirectory { dir in
            let run = RunDirectory(path: dir + "/run")
            let platform = try RunningPlatform(runDirectory: run.path)  // the demo: 3 VMs, each with its vl,init
            let processes = try Self.processes(of: platform)
            let reaper = Self.reaper(of: platform)
            #expect(processes.count >= 7)  // 3 guests, 3 vl,init programs, the reaper
            #expect(Self.mounts(under: run.path).count == 3)
            #expect(try SharedMemory.list(prefix: run.sharedMemoryPrefix).count == 2)
            #expect(FileSystem.exists(run.readyFile) && FileSystem.exists(run.socket) && FileSystem.exists(run.pidFile))

            try Signal.send(.kill, to: platform.supervisor.pid)
            #expect(try platform.supervisor.wait() == .signaled(.kill))

            #expect(Self.waitForNothingLeft(run, processes: processes) == [])
            let reaperPID = try #require(reaper?.pid)
            #expect(processes.contains(reaperPID) && ProcessTable.hasEnded(reaperPID))
            #expect(
                platform.consoleOutput().contains("the supervisor (pid \(platform.supervisor.pid)) of \(run.path) died")
            )
        }
    }

    @Test("kill -9 of the supervisor: the children of a vl,init program go too")
    func initChildrenKilled() throws {
        try withTemporaryDirectory { dir in
            let run = RunDirectory(path: dir + "/run")
            // The shell dies with its guest (parent-death signal); its `sleep` would live on.
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(serverInit: "sleep 600 & wait"), in: dir)
            #expect(
                waitUntil {
                    ProcessTable.descendants(of: platform.supervisor.pid).contains { $0.commandLine == "sleep 600" }
                })
            let processes = try Self.processes(of: platform)

            try Signal.send(.kill, to: platform.supervisor.pid)
            _ = try platform.supervisor.wait()

            #expect(Self.waitForNothingLeft(run, processes: processes) == [])
        }
    }

    @Test("the reaper leads its own process group and ignores SIGINT, SIGTERM, SIGHUP and SIGQUIT")
    func reaperShielded() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(
                runDirectory: dir + "/run", extraArguments: [ConfigFixtures.configPath("vpipe.dts")])
            let reaper = try #require(Self.reaper(of: platform))
            let supervisorGroup = try #require(ProcessTable.entry(platform.supervisor.pid)?.group)

            #expect(reaper.group == reaper.pid && reaper.group != supervisorGroup)
            #expect(ProcessTable.ignoredSignals(reaper.pid).isSuperset(of: [.interrupt, .terminate, .hangUp, .quit]))
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test(
        "SIGTERM and SIGINT: the supervisor cleans, its reaper exits 0, nothing is left",
        arguments: [Signal.terminate, .interrupt])
    func cleanShutdown(signal: Signal) throws {
        try withTemporaryDirectory { dir in
            let run = RunDirectory(path: dir + "/run")
            let platform = try RunningPlatform(
                runDirectory: run.path, extraArguments: [ConfigFixtures.configPath("vpipe.dts")])
            let processes = try Self.processes(of: platform)
            let reaper = try #require(Self.reaper(of: platform))

            // Exit 0 includes the reaper's exit status 0 (`vlm run` fails otherwise).
            #expect(try platform.stop(with: signal) == .exited(0))
            #expect(Self.waitForNothingLeft(run, processes: processes) == [])
            #expect(!ProcessInfo.exists(reaper.pid))  // reaped by the supervisor, not left a zombie
            #expect(!platform.consoleOutput().contains("reaper"))
            #expect(!platform.consoleOutput().contains("died"))
        }
    }

    @Test("a killed reaper is replaced; kill -9 of the supervisor then still leaves nothing")
    func reaperReplaced() throws {
        try withTemporaryDirectory { dir in
            let run = RunDirectory(path: dir + "/run")
            let platform = try RunningPlatform(
                runDirectory: run.path, extraArguments: [ConfigFixtures.configPath("vpipe.dts")])
            let first = try #require(Self.reaper(of: platform))
            try Signal.send(.kill, to: first.pid)
            #expect(waitUntil { Self.reaper(of: platform).map { $0.pid != first.pid } ?? false })
            let processes = try Self.processes(of: platform)

            try Signal.send(.kill, to: platform.supervisor.pid)
            _ = try platform.supervisor.wait()

            #expect(Self.waitForNothingLeft(run, processes: processes) == [])
            #expect(platform.consoleOutput().contains("the run directory's reaper (pid \(first.pid)) killed by"))
        }
    }

    @Test("power cut (supervisor and reaper killed): the next vlm run cleans everything, boots, and leaves nothing")
    func powerCut() throws {
        try withTemporaryDirectory { dir in
            let run = RunDirectory(path: dir + "/run")
            let config = ConfigFixtures.configPath("vpipe.dts")
            let first = try RunningPlatform(runDirectory: run.path, extraArguments: [config])
            let guests = try vmTable(first).values.compactMap(\.pid)
            let reaper = try #require(Self.reaper(of: first))
            let oldObjects = try SharedMemory.list(prefix: run.sharedMemoryPrefix)
            // Stopped, the supervisor cannot replace its reaper before it dies too.
            try Signal.send(.stop, to: first.supervisor.pid)
            try Signal.send(.kill, to: reaper.pid)
            try Signal.send(.kill, to: first.supervisor.pid)
            _ = try first.supervisor.wait()
            #expect(waitUntil { guests.allSatisfy(ProcessTable.hasEnded) && ProcessTable.hasEnded(reaper.pid) })
            #expect(waitUntil { Self.mounts(under: run.path).isEmpty })  // the guests' fusermount3 watchers
            // What a power cut leaves: the objects and the run files, `ready` naming the dead supervisor.
            #expect(try SharedMemory.list(prefix: run.sharedMemoryPrefix).sorted() == oldObjects.sorted())
            #expect(try FileSystem.readFile(run.readyFile) == Array("\(first.supervisor.pid)\n".utf8))
            #expect(FileSystem.exists(run.socket) && FileSystem.exists(run.pidFile))

            // The stale `ready` goes first thing: it is absent for a while before the new one appears.
            let stale = Array("\(first.supervisor.pid)\n".utf8)
            let sawAbsent = Mutex(false)
            try DetachedThread.start {
                _ = waitUntil(timeout: .seconds(20), interval: .milliseconds(1)) {
                    guard let bytes = try? FileSystem.readFile(run.readyFile) else {
                        sawAbsent.withLock { $0 = true }
                        return true
                    }
                    return bytes != stale
                }
            }
            let second = try RunningPlatform(runDirectory: run.path, extraArguments: [config])
            #expect(sawAbsent.withLock { $0 })
            #expect(try FileSystem.readFile(run.readyFile) == Array("\(second.supervisor.pid)\n".utf8))
            #expect(try vmTable(second).values.allSatisfy { $0.state == "running" })
            let processes = try Self.processes(of: second)
            #expect(try second.stop() == .exited(0))
            #expect(Self.waitForNothingLeft(run, processes: processes) == [])
        }
    }

    @Test("vlm run waits for a dead run's reaper holding the lock instead of refusing the directory")
    func waitsForReaper() throws {
        try withTemporaryDirectory { dir in
            let run = RunDirectory(path: dir + "/run")
            try FileSystem.createDirectory(run.path)
            let dead = try ChildProcess.spawn(executable: "/bin/true", arguments: ["true"], descriptors: [])
            _ = try dead.wait()
            // A reaper of a dead run: holds the lock, `vlm.pid` names the dead supervisor.
            let lock = try #require(try FileLock.tryAcquire(path: run.pidFile))
            try lock.write(Array("\(dead.pid)\n".utf8))
            let held = Mutex<FileLock?>(lock)
            // It finishes (unlinks vlm.pid, drops the lock) a moment after `vlm run` started.
            try DetachedThread.start {
                _ = waitUntil { !ProcessTable.mentioning("--run-dir \(run.path)").isEmpty }
                ProcessInfo.sleep(for: .milliseconds(300))
                held.withLock {
                    try? $0?.unlinkFile()
                    $0 = nil
                }
            }
            let platform = try RunningPlatform(runDirectory: run.path)
            #expect(try platform.stop() == .exited(0))
        }
    }
}
