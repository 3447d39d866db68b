// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Testing

/// `vlm status` of a running platform, as (id, state, pid, restarts) per VM.
func vmTable(_ platform: RunningPlatform) throws -> [Int: (state: String, pid: Int32?, restarts: Int)] {
    let (status, text) = try platform.vlm(["status"])
    guard status == .exited(0) else { throw RuntimeTestFailure("vlm status failed: \(text)") }
    var table: [Int: (String, Int32?, Int)] = [:]
    for line in text.split(separator: "\n").dropFirst() {
        let f = line.split(separator: " ")
        guard f.count == 5, let id = Int(f[0]), let restarts = Int(f[4]) else { continue }
        table[id] = (String(f[2]), Int32(f[3]), restarts)
    }
    return table
}

func commandLine(_ pid: Int32) -> String? {
    guard let bytes = try? FileSystem.readFile("/proc/\(pid)/cmdline"), !bytes.isEmpty else { return nil }
    return String(decoding: Array(bytes.split(separator: 0).joined(separator: [32])), as: UTF8.self)
}

func isGone(_ pid: Int32) -> Bool {
    !ProcessInfo.exists(pid) || (try? ProcessInfo.cpuTimes(of: pid).state) == "Z"
}

@Suite(
    "vlm run: processes, run directory, shared memory", .timeLimit(.minutes(2)), .serialized,
    .enabled(if: VLMBinary.isBuilt))
struct RuntimeTests {
    @Test("a config boots one named guest process per VM, the run files and private shm objects")
    func bootsConfig() throws {
        try withTemporaryDirectory { dir in
            let before = try SharedMemory.list()
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            let vms = try vmTable(platform)
            let pidFile = String(decoding: try FileSystem.readFile(dir + "/run/vlm.pid"), as: UTF8.self)
            // Only this run's objects: other suites create shm objects concurrently.
            let prefix = RunDirectory(path: dir + "/run").sharedMemoryPrefix
            let objects = try SharedMemory.list().filter { !before.contains($0) && $0.hasPrefix(prefix) }

            #expect(pidFile == "\(platform.supervisor.pid)\n")
            #expect(FileSystem.exists(dir + "/run/vlm.sock"))
            #expect(vms.keys.sorted() == [2, 3, 4])
            #expect(vms.values.allSatisfy { $0.state == "running" })
            #expect(
                commandLine(vms[2]!.pid!) == "vlm guest --id 2 --name server --supervisor \(platform.supervisor.pid)")
            #expect(objects.count == 2 && objects.allSatisfy { $0.hasSuffix(".repo") || $0.hasSuffix(".pmem") })
            #expect(try objects.allSatisfy { try FileSystem.permissions(SharedMemory.directory + "/" + $0) == 0o600 })
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("a second vlm run on a run directory in use is refused with a clear message")
    func secondRunRefused() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            let (status, output) = try VLMBinary.runMerged(["run", dir + "/platform.dts", "--run-dir", dir + "/run"])

            #expect(status == .exited(1))
            #expect(output.contains("is in use by a running vlm (pid \(platform.supervisor.pid))"))
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test(
        "SIGTERM and SIGINT stop every VM and leave no process, file or shm object",
        arguments: [Signal.terminate, .interrupt])
    func cleanShutdown(signal: Signal) throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            let pids = try vmTable(platform).values.compactMap(\.pid)
            // Only this run's objects: other suites (and other runs) create and remove theirs concurrently.
            let prefix = RunDirectory(path: dir + "/run").sharedMemoryPrefix
            let ours = { try SharedMemory.list().filter { $0.hasPrefix(prefix) } }
            #expect(try ours().count == 2)

            let status = try platform.stop(with: signal)

            #expect(status == .exited(0))
            #expect(pids.count == 3 && pids.allSatisfy(isGone))
            #expect(try FileSystem.listDirectory(dir + "/run").isEmpty)
            #expect(try ours().isEmpty)
        }
    }

    @Test("SIGKILL of the supervisor kills the guests; the next run cleans up and boots")
    func supervisorKilled() throws {
        try withTemporaryDirectory { dir in
            let first = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            let pids = try vmTable(first).values.compactMap(\.pid)
            _ = try first.stop(with: .kill)

            #expect(waitUntil { pids.allSatisfy(isGone) })
            let second = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            #expect(try vmTable(second).values.allSatisfy { $0.state == "running" })
            #expect(try second.stop() == .exited(0))
        }
    }

    @Test("a crashed VM is restarted per vl,restart; one with \"never\" stays stopped")
    func crashRestart() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            let before = try vmTable(platform)
            try Signal.send(.kill, to: before[3]!.pid!)  // client: on-crash
            try Signal.send(.kill, to: before[4]!.pid!)  // peer: never

            #expect(
                waitUntil {
                    (try? vmTable(platform))?[3]?.restarts == 1 && (try? vmTable(platform))?[4]?.state == "stopped"
                })
            let after = try vmTable(platform)
            #expect(after[3]?.state == "running" && after[3]?.pid != before[3]?.pid)
            #expect(platform.consoleOutput().contains("vm4 (peer) crashed: killed by"))
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("pause freezes, resume thaws, stop, start and restart change the VM as asked")
    func lifecycle() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            let pid = try #require(try vmTable(platform)[2]?.pid)

            #expect(try platform.vlm(["pause", "server"]).status == .exited(0))
            #expect(try vmTable(platform)[2]?.state == "paused")
            // Only the VM's programs stop; the guest process keeps serving its views.
            #expect(try ProcessInfo.cpuTimes(of: pid).state != "T")
            #expect(ViewsTests.read(dir + "/run/vm2/proc/nk/id") == "2")
            #expect(try platform.vlm(["resume", "2"]).status == .exited(0))
            #expect(try vmTable(platform)[2]?.state == "running")
            #expect(try platform.vlm(["stop", "2"]).status == .exited(0))
            #expect(try vmTable(platform)[2]?.state == "stopped" && isGone(pid))
            #expect(try platform.vlm(["stop", "2"]).output.contains("is not running"))
            #expect(try platform.vlm(["start", "server"]).status == .exited(0))
            let restarted = try #require(try vmTable(platform)[2]?.pid)
            #expect(try platform.vlm(["restart", "server"]).status == .exited(0))
            #expect(try vmTable(platform)[2]?.pid != restarted)
            #expect(try vmTable(platform)[2]?.restarts == 2)
            #expect(try platform.vlm(["pause", "nine"]).status == .exited(1))
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("status --json has the contract's fields; status without a platform fails")
    func statusJSON() throws {
        try withTemporaryDirectory { dir in
            let (down, message) = try VLMBinary.runMerged(["status", "--run-dir", dir + "/run"])
            #expect(down == .exited(1) && message.contains("no platform is running in \(dir)/run"))
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            let json = try platform.vlm(["status", "--json"]).output
            #expect(json.hasPrefix(#"{"vms":[{"id":2,"name":"server","state":"running","pid":"#))
            #expect(json.contains(#""restarts":0}"#))
            #expect(
                json.contains(
                    #""vlinks":[{"name":"vpipe","link":0,"server":2,"client":3,"serverState":"OFF","clientState":"OFF"}]"#
                ))
            #expect(try platform.stop() == .exited(0))
        }
    }
}
