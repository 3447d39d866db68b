// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Testing

/// Who may use a VM's views (`DIR/vm<N>`), and when they exist: mounted before
/// `DIR/ready`, owner only, gone after every kind of exit, back after a restart
/// (issue 5 items 1 and 6).
@Suite(
    "vlm run: who may use the views, and when they exist", .timeLimit(.minutes(2)), .serialized,
    .enabled(if: VLMBinary.isBuilt))
struct ViewsLifetimeTests {
    static let nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    /// `argv` run as user and group 65534 (nobody), without supplementary groups.
    static func asNobody(_ argv: [String]) throws -> ProcessOutcome {
        try ProcessRunner.run(nobody[0], Array(nobody.dropFirst()) + argv, timeout: 20)
    }

    @Test(
        "another user may not read, list or write a VM's views; its owner may",
        .enabled(if: PlatformSys.ProcessInfo.userID == 0 && FileSystem.isExecutable("/usr/bin/setpriv")))
    func onlyTheOwnerMayUseTheViews() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            // Every directory up to the mount is open to all, and a plain file beside it
            // is readable by nobody: a refusal below comes from the mount itself.
            for path in [dir, dir + "/run"] { try FileSystem.setPermissions(path, 0o755) }
            try FileSystem.writeAtomically(dir + "/run/beside", Array("plain".utf8))
            try FileSystem.setPermissions(dir + "/run/beside", 0o644)
            #expect(try Self.asNobody(["/bin/cat", dir + "/run/beside"]).outputText == "plain")
            let views = dir + "/run/vm2"
            for argv in [
                ["/bin/cat", views + "/proc/nk/id"], ["/bin/ls", views], ["/bin/ls", views + "/sys/nk/prop"],
                ["/bin/cat", views + "/dev/vlx-console"], ["/bin/sh", "-c", "echo 3 > \(views)/proc/nk/vmstop"],
                ["/bin/sh", "-c", "echo 4 > \(views)/proc/nk/focus"], ["/usr/bin/stat", views + "/proc"],
            ] {
                let outcome = try Self.asNobody(argv)
                #expect(outcome.status != 0 && outcome.standardError.contains("Permission denied"), "\(argv)")
            }
            #expect(ViewsTests.read(dir + "/run/vm4/proc/nk/state") == "28", "the refused vmstop did nothing")
            #expect(ViewsTests.read(dir + "/run/vm4/proc/nk/focus") == "2\n", "the refused focus did nothing")
            #expect(ViewsTests.read(views + "/proc/nk/id") == "2", "the owner may")
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("the views are mounted at the moment DIR/ready appears")
    func mountedAtTheMomentReadyAppears() throws {
        try withTemporaryDirectory { dir in
            // A watcher blocked in inotify on DIR/run notes the mounts as soon as `ready`
            // is moved into place: any view mounted later would be missing from its list.
            try FileSystem.createDirectory(dir + "/run")
            let watcher = try ProcessRunner.start(["/usr/bin/env", "python3", "-c", Self.readyWatcher, dir + "/run"])
            #expect(waitUntil(timeout: .seconds(20)) { FileSystem.exists(dir + "/watching") })
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            let seen = watcher.finish(timeout: 20)
            #expect(
                seen.outputText == ["2", "3", "4"].map { "\(dir)/run/vm\($0)\n" }.joined(), "\(seen.standardError)")
            #expect(try platform.stop() == .exited(0))
        }
    }

    /// Waits with inotify (through ctypes) for `ready` to appear in argv[1], then
    /// prints the `fuse.vlm` mount points under it.
    static let readyWatcher = """
        import ctypes, os, struct, sys
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init()
        run = sys.argv[1]
        assert libc.inotify_add_watch(fd, run.encode(), 0x100 | 0x80) >= 0  # IN_CREATE | IN_MOVED_TO
        open(os.path.join(os.path.dirname(run), "watching"), "w").close()
        while not os.path.exists(os.path.join(run, "ready")):
            buffer = os.read(fd, 4096)
        mounts = [line.split()[1] for line in open("/proc/self/mounts") if line.split()[2] == "fuse.vlm"]
        print("\\n".join(sorted(m for m in mounts if m.startswith(run + "/"))))
        """

    @Test("a crashed guest's mount goes, and a restarted guest mounts its views again")
    func crashAndRestart() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            let first = try #require(try MonitoringTests.pid(platform, vm: 2))
            try Signal.send(.kill, to: first)
            // vm2 restarts on a crash: a new guest serves a new mount of its views.
            #expect(
                waitUntil(timeout: .seconds(20)) {
                    let pid = (try? MonitoringTests.pid(platform, vm: 2)) ?? nil
                    return pid != nil && pid != first && ViewsTests.read(dir + "/run/vm2/proc/nk/id") == "2"
                })
            #expect(ViewsTests.mounts(under: dir + "/run/vm2") == [dir + "/run/vm2"])
            // vm4 restarts never: its mount is gone for good.
            try Signal.send(.kill, to: try #require(try MonitoringTests.pid(platform, vm: 4)))
            #expect(waitUntil(timeout: .seconds(20)) { ViewsTests.mounts(under: dir + "/run/vm4").isEmpty })
            #expect(try platform.stop() == .exited(0))
            #expect(ViewsTests.mounts(under: dir + "/run/").isEmpty)
        }
    }

    @Test("`vlm stop VM` unmounts that VM's views, `vlm start` mounts them again, Ctrl-C unmounts all")
    func orderlyStopsAndInterrupt() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            #expect(try platform.vlm(["stop", "client"]).status == .exited(0))
            #expect(waitUntil(timeout: .seconds(20)) { ViewsTests.mounts(under: dir + "/run/vm3").isEmpty })
            #expect(ViewsTests.read(dir + "/run/vm2/proc/nk/state") == "20")
            #expect(try platform.vlm(["start", "client"]).status == .exited(0))
            #expect(waitUntil(timeout: .seconds(20)) { ViewsTests.read(dir + "/run/vm3/proc/nk/id") == "3" })
            let status = try platform.stop(with: .interrupt)
            #expect(status == .exited(0) || status == .signaled(.interrupt), "\(String(describing: status))")
            #expect(ViewsTests.mounts(under: dir + "/run/").isEmpty)
        }
    }
}
