import Foundation
// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Testing

/// The per-VM views of `vlm run`: `DIR/vm<N>` mounted before `DIR/ready`, live
/// data, control files acting on the platform, gone after every kind of exit.
@Suite("vlm run: the VM views", .timeLimit(.minutes(2)), .serialized, .enabled(if: VLMBinary.isBuilt))
struct ViewsTests {
    /// The mount points of `fuse.vlm` file systems under `prefix`.
    static func mounts(under prefix: String) -> [String] {
        let text = String(decoding: (try? FileSystem.readFile("/proc/self/mounts")) ?? [], as: UTF8.self)
        var found: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            if fields.count > 2, fields[2] == "fuse.vlm", fields[1].hasPrefix(prefix) { found.append(fields[1]) }
        }
        return found
    }

    static func read(_ path: String) -> String {
        String(decoding: (try? FileSystem.readFile(path)) ?? [], as: UTF8.self)
    }

    @Test("each VM's views are mounted when DIR/ready appears and show the VM")
    func mountedBeforeReady() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            #expect(Self.mounts(under: dir + "/run/").sorted() == ["2", "3", "4"].map { "\(dir)/run/vm\($0)" })
            for id in 2...4 {
                #expect(Self.read("\(dir)/run/vm\(id)/proc/nk/id") == "\(id)")
                #expect(Self.read("\(dir)/run/vm\(id)/proc/nk/state") == "28")
            }
            #expect(FileSystem.exists(dir + "/run/vm2/dev/vpipe0") && FileSystem.exists(dir + "/run/vm3/dev/vpipe0"))
            #expect(Self.read(dir + "/run/vm2/sys/nk/vlinks/endpoints/server/vpipe/0/vm2/vm3/info") == "8K")
            #expect(try platform.stop() == .exited(0))
            #expect(Self.mounts(under: dir + "/run/").isEmpty)
        }
    }

    @Test("vmstop and vmstart written in one VM stop and start another, as its state shows")
    func controlFilesActOnThePlatform() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            try FileSystem.writeAtomically(dir + "/probe", [])
            let stop = try ChildProcess.spawn(
                executable: "/bin/sh", arguments: ["sh", "-c", "echo 4 > \(dir)/run/vm2/proc/nk/vmstop"],
                descriptors: [])
            #expect(try stop.wait() == .exited(0))
            #expect(MountWait.until { Self.read(dir + "/run/vm3/proc/nk/state") == "12" })
            #expect(Self.mounts(under: dir + "/run/vm4").isEmpty)
            let start = try ChildProcess.spawn(
                executable: "/bin/sh", arguments: ["sh", "-c", "echo 4 > \(dir)/run/vm3/proc/nk/vmstart"],
                descriptors: [])
            #expect(try start.wait() == .exited(0))
            #expect(MountWait.until { Self.read(dir + "/run/vm2/proc/nk/state") == "28" })
            #expect(MountWait.until { Self.read(dir + "/run/vm4/proc/nk/id") == "4" })
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("a killed supervisor takes every mount with it")
    func supervisorKillUnmounts() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            #expect(Self.mounts(under: dir + "/run/").count == 3)
            _ = try platform.stop(with: .kill)
            #expect(MountWait.until { Self.mounts(under: dir + "/run/").isEmpty })
            // The run's reaper removes the shm objects and the mount points too
            // (ReaperTests; the power-cut case, both killed, is there as well).
            let run = RunDirectory(path: dir + "/run")
            #expect(MountWait.until { (try? SharedMemory.list(prefix: run.sharedMemoryPrefix))?.isEmpty == true })
            #expect(MountWait.until { (try? FileSystem.listDirectory(dir + "/run"))?.isEmpty == true })
        }
    }

    @Test("a crashed guest's mount goes, and comes back when it restarts")
    func crashUnmounts() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            let json = try platform.vlm(["status", "--json"]).output
            let marker = #""id":4,"name":"peer","state":"running","pid":"#
            let parts = json.split(separator: "\u{1}").first.map { String($0) } ?? json
            let after = parts.components(separatedBy: marker).dropFirst().first ?? ""
            let pid = Int32(String(after.prefix { $0.isNumber }))
            let guest = try #require(pid)
            try Signal.send(.kill, to: guest)
            #expect(MountWait.until { Self.mounts(under: dir + "/run/vm4").isEmpty })
            #expect(try platform.stop() == .exited(0))
        }
    }
}

enum MountWait {
    /// Polls `condition` for up to `seconds`.
    static func until(seconds: Int = 10, _ condition: () -> Bool) -> Bool {
        for _ in 0..<(seconds * 50) {
            if condition() { return true }
            PlatformSys.ProcessInfo.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}
