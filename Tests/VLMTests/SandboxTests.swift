// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Testing

/// A VM is a sandbox: `vl,init` and `vlm exec N` programs see their own VM
/// only (issue 17 item 2; docs/decisions.md, "A VM is a sandbox"). Real
/// `vlm run` platforms; namespaces and mounts need root.
@Suite(
    "A VM is a sandbox: its programs see their own VM only", .serialized,
    .enabled(if: VLMBinary.isBuilt && FUSEAvailability.shouldRun && PlatformSys.ProcessInfo.userID == 0))
struct SandboxTests {
    /// `vlm exec VM --run-dir DIR -- CMD…`: exit status and merged output.
    func exec(_ platform: RunningPlatform, _ vm: String, _ command: [String]) throws -> (
        status: PlatformSys.ExitStatus, output: String
    ) {
        try VLMBinary.runMerged(["exec", vm, "--run-dir", platform.runDirectory, "--"] + command)
    }

    func shell(_ platform: RunningPlatform, _ vm: String, _ script: String) throws -> (
        status: PlatformSys.ExitStatus, output: String
    ) {
        try exec(platform, vm, ["sh", "-c", script])
    }

    /// Runs `body` with `source` (default: the three-VM fixture, vm2 `server`, vm3 `client`, vm4 `peer`).
    func withPlatform(_ source: String = RuntimeFixtures.threeVMs(), _ body: (RunningPlatform) throws -> Void) throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: source, in: dir, extraArguments: ["--no-colour"])
            try body(platform)
            #expect(try platform.stop() == .exited(0))
        }
    }

    /// The state column of VM `id` in `vlm status`.
    func state(_ platform: RunningPlatform, _ id: Int) throws -> String? {
        let status = try platform.vlm(["status"])
        let row = status.output.split(separator: "\n").first { $0.hasPrefix("\(id) ") }
        return row?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first.map(String.init)
    }

    /// The pid of VM `id`'s guest kernel, from `vlm status`.
    func guestPID(_ platform: RunningPlatform, _ id: Int) throws -> Int32? {
        let status = try platform.vlm(["status"])
        let row = status.output.split(separator: "\n").first { $0.hasPrefix("\(id) ") }
        return row?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first.flatMap { Int32($0) }
    }

    @Test("no /dev/shm object of the platform, no run directory, no other VM's mount inside")
    func platformIsHidden() throws {
        try withPlatform { platform in
            let objects = try FileSystem.listDirectory("/dev/shm").filter { $0.hasPrefix("vlm.") }
            #expect(!objects.isEmpty, "the platform's objects are in the host's /dev/shm")
            #expect(try exec(platform, "2", ["ls", "-A", "/dev/shm"]) == (PlatformSys.ExitStatus.exited(0), ""))
            for object in objects {
                #expect(
                    try exec(platform, "2", ["test", "-e", "/dev/shm/" + object]).status == .exited(1), "\(object)")
            }
            let run = platform.runDirectory
            #expect(try exec(platform, "2", ["ls", "-A", run]) == (PlatformSys.ExitStatus.exited(0), ""))
            for path in [run + "/vm3/proc/nk/id", run + "/vm2/proc/nk/id", run + "/vlm.sock", run + "/vlm.pid"] {
                #expect(try exec(platform, "2", ["test", "-e", path]).status == .exited(1), "\(path)")
            }
        }
    }

    @Test("the host's disks and kernel knobs are out of reach: a small /dev, /sys and /proc/sys read-only")
    func hostKernelIsOutOfReach() throws {
        try withPlatform { platform in
            let disks = try FileSystem.listDirectory("/sys/class/block").filter { FileSystem.exists("/dev/" + $0) }
            #expect(!disks.isEmpty, "the host has block devices in /dev")
            for node in disks + ["kmsg", "fuse", "mem"] {
                #expect(try exec(platform, "2", ["test", "-e", "/dev/" + node]).status == .exited(1), "/dev/\(node)")
            }
            #expect(
                try shell(platform, "2", "echo x > /dev/null && head -c1 /dev/zero | wc -c") == (
                    PlatformSys.ExitStatus.exited(0), "1\n"
                ))
            // Checked with access(2) (`test -w`), so nothing is written where the sandbox is missing.
            for knob in [
                "/proc/sys/kernel/core_pattern", "/sys/kernel/uevent_helper", "/sys/devices/system/cpu/online",
            ]
            where FileSystem.exists(knob) {
                #expect(try exec(platform, "2", ["test", "-w", knob]).status == .exited(1), "\(knob)")
            }
            #expect(try exec(platform, "2", ["test", "-w", "/sys/nk/prop/nk.focus"]).status == .exited(0))
        }
    }

    @Test("its own PID namespace: ps shows the VM's programs; the supervisor and other VMs are out of reach")
    func ownPIDNamespace() throws {
        try withPlatform(RuntimeFixtures.threeVMs(serverInit: "exec sleep 1000")) { platform in
            let supervisor = platform.supervisor.pid
            let client = try #require(try guestPID(platform, 3))
            let ps = try exec(platform, "2", ["ps", "-e", "-o", "pid=,comm="])
            let rows = ps.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(ps.status == .exited(0))
            #expect(rows.first == ["1", "vm2:init"], "\(ps.output)")
            #expect(rows.contains { $0.last == "sleep" }, "vl,init is there: \(ps.output)")
            #expect(!rows.contains { $0.first == "\(supervisor)" || $0.first == "\(client)" }, "\(ps.output)")
            for pid in [supervisor, client] {
                let kill = try exec(platform, "2", ["kill", "-0", "\(pid)"])
                #expect(kill.status != .exited(0), "pid \(pid): \(kill.output)")
            }
            #expect(try state(platform, 3) == "running")
        }
    }

    @Test("vlm stop run inside a VM cannot reach the supervisor's socket")
    func socketIsOutOfReach() throws {
        try withPlatform { platform in
            let stop = try exec(platform, "2", [VLMBinary.path, "stop", "3", "--run-dir", platform.runDirectory])
            #expect(stop.status == .exited(1), "\(stop.output)")
            #expect(try state(platform, 3) == "running")
        }
    }

    @Test(
        "own network, IPC and UTS namespaces: the hostname is the VM's label, lo alone and up, shared by every program of the VM"
    )
    func ownNetworkIPCAndUTS() throws {
        try withPlatform { platform in
            #expect(try exec(platform, "server", ["hostname"]) == (PlatformSys.ExitStatus.exited(0), "server\n"))
            #expect(try exec(platform, "4", ["hostname"]) == (PlatformSys.ExitStatus.exited(0), "peer\n"))
            if ProcessRunner.which("ip") != nil {
                let links = try exec(platform, "2", ["ip", "-o", "link"])
                let rows = links.output.split(separator: "\n")
                #expect(links.status == .exited(0) && rows.count == 1, "\(links.output)")
                #expect(rows.first?.contains("1: lo: <LOOPBACK,UP,LOWER_UP>") == true, "\(links.output)")
            }
            let kinds = ["net", "ipc", "uts", "pid", "mnt", "user"]
            let links = ["readlink"] + kinds.map { "/proc/self/ns/" + $0 }
            let first = try exec(platform, "2", links)
            let again = try exec(platform, "2", links)
            let other = try exec(platform, "3", links)
            #expect(first.status == .exited(0) && first == again, "\(first.output) / \(again.output)")
            let host = try ProcessRunner.run("/usr/bin/readlink", Array(links.dropFirst()), timeout: 20).outputText
            for (index, line) in first.output.split(separator: "\n").enumerated() {
                #expect(line != other.output.split(separator: "\n")[index], "vm3 shares \(line)")
                #expect(line != host.split(separator: "\n")[index], "the host shares \(line)")
            }
        }
    }

    @Test("root inside mounts and names what its VM owns, and cannot undo the hiding")
    func capabilitiesApplyInside() throws {
        try withPlatform { platform in
            // Renaming is only tried where the name is the VM's: never rename the host.
            let name = try exec(platform, "2", ["hostname"])
            try #require(name == (PlatformSys.ExitStatus.exited(0), "server\n"), "\(name.output)")
            let own = try shell(
                platform, "2",
                "mount -t tmpfs scratch /mnt && touch /mnt/x && umount /mnt && hostname renamed && hostname")
            #expect(own == (.exited(0), "renamed\n"), "\(own.output)")
            #expect(try exec(platform, "2", ["hostname"]) == (PlatformSys.ExitStatus.exited(0), "renamed\n"))
            #expect(try ProcessRunner.run("/usr/bin/hostname", [], timeout: 20).outputText != "renamed\n")
            for target in ["/dev/shm", platform.runDirectory, "/proc"] {
                let undo = try exec(platform, "2", ["umount", "-l", target])
                #expect(undo.status != .exited(0), "\(target): \(undo.output)")
            }
            for hidden in ["/dev/shm", platform.runDirectory] {
                #expect(
                    try exec(platform, "2", ["ls", "-A", hidden]) == (PlatformSys.ExitStatus.exited(0), ""), "\(hidden)"
                )
            }
        }
    }

    @Test("through /proc/nk a VM stops another only when the state property's allow-set names it (EACCES otherwise)")
    func lifecycleFollowsPropertyPermissions() throws {
        let source = """
            /dts-v1/;
            / { vlm {
                properties {
                    nk.vm.3.state.running { size = <4>; value = <0>; allow-get = "*"; allow-set = "4"; allow-notify = "*"; };
                };
                vm@2 { label = "a"; };
                vm@3 { label = "b"; vl,restart = "never"; };
                vm@4 { label = "c"; };
            }; };
            """
        try withPlatform(source) { platform in
            // dd names the write's errno (the shell's echo only says "I/O error").
            let refused = try shell(platform, "2", "echo 3 | dd of=/proc/nk/vmstop status=none")
            #expect(refused.status == .exited(1) && refused.output.contains("Permission denied"), "\(refused.output)")
            #expect(try state(platform, 3) == "running")
            #expect(try shell(platform, "4", "echo 3 | dd of=/proc/nk/vmstop status=none").status == .exited(0))
            #expect(waitUntil(timeout: .seconds(10)) { (try? state(platform, 3)) == "stopped" })
        }
    }

    @Test("vl,init is a program of its VM: its hostname, PID 2 under the VM's init")
    func vlInitRunsInside() throws {
        let script = "echo init on $(hostname) as $$ under $(cat /proc/1/comm)"
        try withPlatform(RuntimeFixtures.threeVMs(serverInit: script)) { platform in
            let expected = "init on server as 2 under vm2:init"
            #expect(platform.waitForOutput(expected).contains(expected), "\(platform.consoleOutput())")
        }
    }

    @Test("a clean shutdown leaves no namespace, process or mount of a VM behind")
    func shutdownLeavesNothing() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(serverInit: "exec sleep 1000"), in: dir)
            let kinds = ["pid", "user", "net", "mnt"]
            let inside = try exec(platform, "2", ["readlink"] + kinds.map { "/proc/self/ns/" + $0 })
            let namespaces = Set(inside.output.split(separator: "\n").map(String.init))
            #expect(inside.status == .exited(0) && namespaces.count == kinds.count, "\(inside.output)")
            // Inside is not the host (else "none left" below would say nothing).
            let own = Set(kinds.compactMap { try? FileSystem.readLink("/proc/self/ns/" + $0) })
            #expect(namespaces.isDisjoint(with: own), "\(namespaces) \(own)")
            #expect(try platform.stop() == .exited(0))
            let left = { () -> [String] in
                let pids = (try? FileSystem.listDirectory("/proc"))?.filter { Int($0) != nil } ?? []
                return pids.filter { pid in
                    kinds.contains { namespaces.contains((try? FileSystem.readLink("/proc/\(pid)/ns/\($0)")) ?? "") }
                }
            }
            #expect(
                waitUntil(timeout: .seconds(10)) { left().isEmpty }, "processes left in the VM's namespaces: \(left())")
            let mounts = String(decoding: try FileSystem.readFile("/proc/self/mountinfo"), as: UTF8.self)
            #expect(!mounts.contains(dir), "\(mounts)")
            let scratch = try FileSystem.listDirectory(dir + "/run").filter { $0.hasPrefix(VMNamespace.scratchPrefix) }
            #expect(scratch.isEmpty, "sandbox scratch left in the run directory: \(scratch)")
        }
    }
}
