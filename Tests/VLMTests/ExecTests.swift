// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Testing

/// `vlm exec VM -- CMD`: CMD runs in a private mount namespace showing the VM's
/// `dev/` nodes under `/dev`, `sys/nk` at `/sys/nk`, `proc/nk` at `/proc/nk`,
/// with ordinary `/proc` still working; `vl,init` programs run the same way.
/// Real `vlm run` platforms; unshare and mount need root.
@Suite(
    "vlm exec: commands inside a VM's views", .serialized,
    .enabled(if: VLMBinary.isBuilt && FUSEAvailability.shouldRun && PlatformSys.ProcessInfo.userID == 0))
struct ExecTests {
    /// What `vlm exec` did: its exit status and merged output.
    struct Outcome: Equatable {
        var status: PlatformSys.ExitStatus
        var output: String
        init(_ status: PlatformSys.ExitStatus, _ output: String) { (self.status, self.output) = (status, output) }
    }

    /// `vlm exec ARGS… --run-dir DIR` (the run directory goes before `--`).
    func exec(_ platform: RunningPlatform, _ vm: String, _ command: [String]) throws -> Outcome {
        let result = try VLMBinary.runMerged(["exec", vm, "--run-dir", platform.runDirectory, "--"] + command)
        return Outcome(result.status, result.output)
    }

    /// Runs `body` with the three-VM fixture (vm2 `server`, vm3 `client`, vm4 `peer`; vpipe 0 from 3 to 2).
    func withPlatform(serverInit: String? = nil, _ body: (RunningPlatform, String) throws -> Void) throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(serverInit: serverInit), in: dir)
            try body(platform, dir)
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("an unmodified cat /proc/nk/id prints the VM's id, the VM named by id or by name")
    func procNKIdentifiesTheVM() throws {
        try withPlatform { platform, _ throws in
            #expect(try exec(platform, "3", ["cat", "/proc/nk/id"]) == Outcome(.exited(0), "3"))
            #expect(try exec(platform, "server", ["cat", "/proc/nk/id"]) == Outcome(.exited(0), "2"))
            #expect(try exec(platform, "peer", ["cat", "/proc/nk/state"]) == Outcome(.exited(0), "28"))
        }
    }

    @Test("/proc/self/status and ps work inside, and list processes started after entering")
    func ordinaryProcStillWorks() throws {
        try withPlatform { platform, _ throws in
            let status = try exec(platform, "3", ["head", "-n1", "/proc/self/status"])
            #expect(status == Outcome(.exited(0), "Name:\thead\n"))
            let ps = try exec(
                platform, "3",
                [
                    "sh", "-c", "sleep 7 & ps -e -o pid= | grep -qx \" *$!\" && echo listed; kill $!",
                ])
            #expect(ps == Outcome(.exited(0), "listed\n"))
            let mounts = try exec(platform, "3", ["grep", "-c", " /sys/nk ", "/proc/self/mountinfo"])
            #expect(mounts == Outcome(.exited(0), "1\n"))
        }
    }

    @Test(
        "ps on a terminal, ps -p, and /proc/self naming the caller, inside",
        .enabled(if: ProcessRunner.which("script") != nil))
    func psAndProcSelfInside() throws {
        try withPlatform { platform, _ throws in
            // The shell's pid ($$) is the one /proc/self/status shows after exec.
            let own = try exec(platform, "3", ["sh", "-c", "echo $$; exec grep ^Pid: /proc/self/status"])
            let lines = own.output.split(separator: "\n")
            #expect(own.status == .exited(0) && lines.count == 2 && lines[1] == "Pid:\t\(lines[0])", "\(own.output)")
            let byPid = try exec(platform, "3", ["sh", "-c", "sleep 7 & ps -o comm= -p $!; kill $!"])
            #expect(byPid == Outcome(.exited(0), "sleep\n"))
            // Plain `ps` selects the processes of the caller's terminal: `script` gives it one.
            let onTerminal = try exec(platform, "3", ["sh", "-c", "script -qec ps /dev/null < /dev/null"])
            let rows = onTerminal.output.split(whereSeparator: \.isNewline)  // script ends lines with CR LF
            #expect(rows.first?.wholeMatch(of: /\ *PID TTY +TIME CMD/) != nil, "\(onTerminal.output)")
            #expect(
                rows.contains { $0.wholeMatch(of: /\ *\d+ pts\/\d+ +\d\d:\d\d:\d\d ps/) != nil }, "\(onTerminal.output)"
            )
        }
    }

    @Test(
        "/dev and /sys keep the host's modes inside; another user inside may use them but not the VM's views",
        .enabled(if: FileSystem.isExecutable("/usr/bin/setpriv")))
    func anotherUserInside() throws {
        try withPlatform { platform, _ throws in
            let modes = try exec(platform, "3", ["stat", "-c", "%a", "/dev", "/sys"])
            let host = try ProcessRunner.run("/usr/bin/stat", ["-c", "%a", "/dev", "/sys"], timeout: 20)
            #expect(modes == Outcome(.exited(0), host.outputText))
            let nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            let devices = try exec(
                platform, "3",
                nobody + [
                    "sh", "-c",
                    "echo x > /dev/null && head -c1 /dev/zero | wc -c && cat /sys/devices/system/cpu/online",
                ])
            #expect(devices.status == .exited(0), "\(devices.output)")
            #expect(devices.output.hasPrefix("1\n"), "\(devices.output)")
            // The views are the VM's mount: only its owner may use them (decisions: "vlm exec").
            for path in ["/proc/nk/id", "/sys/nk/prop/nk.focus", "/dev/vpipe0"] {
                let refused = try exec(platform, "3", nobody + ["cat", path])
                #expect(
                    refused.status == .exited(1) && refused.output.contains("Permission denied"),
                    "\(path): \(refused.output)")
            }
        }
    }

    @Test("/dev/vpipe0 inside is the VM's own device: written in vm3, read in vm2")
    func devicesAreTheVMs() throws {
        try withPlatform { platform, dir in
            let reader = try ProcessRunner.start([
                VLMBinary.path, "exec", "server", "--run-dir", dir + "/run", "--", "head", "-n1", "/dev/vpipe0",
            ])
            let writer = try exec(platform, "client", ["sh", "-c", "echo through the vlink > /dev/vpipe0"])
            #expect(writer.status == .exited(0))
            let read = reader.finish(timeout: 10)
            #expect(read.status == 0 && !read.timedOut)
            #expect(read.outputText == "through the vlink\n")
            let mounted = try exec(
                platform, "client", ["grep", "-c", " /dev/vpipe0 .* fuse.vlm ", "/proc/self/mountinfo"])
            #expect(mounted == Outcome(.exited(0), "1\n"))
            // The host's mount table is untouched.
            let hostMounts = String(decoding: try FileSystem.readFile("/proc/self/mountinfo"), as: UTF8.self)
            #expect(!hostMounts.contains(" /dev/vpipe0 ") && !hostMounts.contains(" /sys/nk "))
        }
    }

    @Test("/sys/nk/prop files read inside as through the VM's mount")
    func sysNKPropertiesAreReadable() throws {
        try withPlatform { platform, dir in
            let names = try FileSystem.listDirectory(dir + "/run/vm3/sys/nk/prop").sorted()
            let name = try #require(names.first)
            let expected = String(
                decoding: try FileSystem.readFile(dir + "/run/vm3/sys/nk/prop/" + name), as: UTF8.self)
            #expect(try exec(platform, "3", ["cat", "/sys/nk/prop/" + name]) == Outcome(.exited(0), expected))
            let listing = try exec(platform, "3", ["ls", "/sys/nk/prop"])
            #expect(listing == Outcome(.exited(0), names.map { $0 + "\n" }.joined()))
        }
    }

    @Test("CMD's exit status is vlm exec's; a missing command is 127")
    func exitStatusPropagates() throws {
        try withPlatform { platform, _ throws in
            #expect(try exec(platform, "4", ["sh", "-c", "exit 7"]).status == .exited(7))
            #expect(try exec(platform, "4", ["true"]).status == .exited(0))
            #expect(try exec(platform, "4", ["/no/such/program"]).status == .exited(127))
        }
    }

    @Test("an unknown VM is bad input: exit 2, naming the VMs there are")
    func badVMIsRejected() throws {
        try withPlatform { platform, _ throws in
            let result = try exec(platform, "nope", ["true"])
            #expect(result.status == .exited(2))
            #expect(result.output.contains("no VM 'nope'") && result.output.contains("3 (client)"))
            #expect(try exec(platform, "9", ["true"]).status == .exited(2))
        }
    }

    @Test("vl,init runs inside its VM's views, with /proc/self and ps working")
    func initSeesItsViews() throws {
        // `read` is a builtin: /proc/self/stat is the init shell's own (its pid is $$).
        let script =
            "read -r pid rest < /proc/self/stat; [ $pid = $$ ] && self=self-ok; "
            + "echo init of $(cat /proc/nk/id) sees $(ls /dev/vpipe0 /sys/nk/prop/nk.focus) $self $(ps -o comm= -p $$)"
        let expected = "init of 2 sees /dev/vpipe0 /sys/nk/prop/nk.focus self-ok sh\n"
        try withPlatform(serverInit: script) { platform, _ in
            #expect(platform.waitForOutput(expected).contains(expected), "\(platform.consoleOutput())")
        }
    }

    @Test("the demo's vl,init programs move ticks from producer to consumer to echo")
    func demoMessagesFlow() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(runDirectory: dir + "/run", extraArguments: ["--no-colour"])
            let output = platform.waitForOutput("echo: tick 2", timeout: .seconds(10))
            #expect(output.contains("consumer: tick 1"))
            #expect(output.contains("echo: tick 2"))
            #expect(try platform.stop() == .exited(0))
        }
    }
}
