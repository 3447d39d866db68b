// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Testing

/// What a running platform's views hold that an in-process one cannot show: the
/// device trees against `vlm dt compile` of the same file, the CPU time of the
/// VM processes, and the errors a lifecycle property write gets from the
/// supervisor (issue 5 items 2, 3 and 6).
@Suite(
    "vlm run: device trees, statistics and property errors in the views", .timeLimit(.minutes(2)), .serialized,
    .enabled(if: VLMBinary.isBuilt))
struct ViewsDataTests {
    /// Two VMs; vm2 has a `vplatform` subtree with a label referenced inside it.
    static let platformWithVplatform = """
        /dts-v1/;
        / {
            vlm {
                vm@2 { label = "a";
                    vplatform {
                        clk: pll { compatible = "vendor,pll"; #clock-cells = <1>; };
                        dev@10 { compatible = "vendor,dev"; clocks = <&clk 3>; status = "okay"; };
                    };
                };
                vm@3 { label = "b"; };
            };
        };
        """

    static func dtc(_ arguments: [String]) throws -> ProcessOutcome {
        try ProcessRunner.run("/usr/bin/env", ["dtc", "-q"] + arguments, timeout: 20)
    }

    @Test(
        "dtc -I fs reads back from sys/nk/device-trees the blob vlm dt compile makes, and each vplatform subtree",
        .enabled(if: ProcessRunner.which("dtc") != nil))
    func deviceTreesReadBackWithDtc() throws {
        try withTemporaryDirectory { dir in
            let config = try RuntimeFixtures.write(Self.platformWithVplatform, in: dir)
            let platform = try RunningPlatform(runDirectory: dir + "/run", extraArguments: [config, "--no-init"])
            let compiled = try VLMBinary.run(["dt", "compile", config, "-o", dir + "/compiled.dtb"])
            #expect(compiled.status == 0, "\(compiled.standardError)")
            let trees = dir + "/run/vm3/sys/nk/device-trees"
            #expect(try FileSystem.listDirectory(trees).sorted() == ["vlm", "vplatform@2"])
            let fromViews = try Self.dtc(["-I", "fs", "-O", "dtb", "-o", dir + "/views.dtb", trees + "/vlm"])
            #expect(fromViews.status == 0, "\(fromViews.standardError)")
            #expect(try FileSystem.readFile(dir + "/views.dtb") == (try FileSystem.readFile(dir + "/compiled.dtb")))
            // nk.vm.2.vplatform-dtb is vm2's vplatform node as a tree of its own.
            let subtree = try Self.dtc(["-I", "fs", "-O", "dts", trees + "/vlm/vlm/vm@2/vplatform"])
            let vplatform = try Self.dtc(["-I", "fs", "-O", "dts", trees + "/vplatform@2"])
            #expect(vplatform.status == 0 && vplatform.outputText == subtree.outputText, "\(vplatform.standardError)")
            #expect(vplatform.outputText.contains("clocks = <0x01 0x03>;"))
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("pcpustats counts the CPU time of a VM's processes, vl,init included after it ended")
    func statisticsCountTheVMProcesses() throws {
        try withTemporaryDirectory { dir in
            // vm2's vl,init burns CPU, reports its own CPU time (dash's `times`) and exits.
            let burn = "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo burnt; times"
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(serverInit: burn), in: dir, extraArguments: ["--no-colour"])
            // The two `times` lines follow `burnt`: the shell's user and system time first.
            func timesLine() -> Substring? {
                let lines = platform.consoleOutput().split(separator: "\n")
                guard let burnt = lines.firstIndex(where: { $0.hasSuffix("burnt") }), burnt + 2 < lines.count else {
                    return nil
                }
                return lines[burnt + 1]
            }
            #expect(waitUntil(timeout: .seconds(60)) { timesLine() != nil }, "\(platform.consoleOutput())")
            let line = try #require(timesLine())
            let times = line.matches(of: /(\d+)m(\d+)\.(\d+)s/).map { match in
                let fraction = match.output.3.prefix(9)
                let nanoseconds =
                    (UInt64(fraction) ?? 0) * (0..<(9 - fraction.count)).reduce(1) { value, _ in value * 10 }
                return ((UInt64(match.output.1) ?? 0) * 60 + (UInt64(match.output.2) ?? 0)) * 1_000_000_000
                    + nanoseconds
            }
            let spent = try #require(times.count == 2 ? times[0] + times[1] : nil, "\(line)")
            #expect(spent >= 50_000_000, "the loop takes CPU time")
            // vm2's init (PID 1 of its sandbox) reaps its ended vl,init: the time stays counted in VM2's column.
            #expect(platform.waitForOutput("vl,init exited", timeout: .seconds(20)).contains("vl,init exited"))
            let columns = try Self.columnTotals(ViewsTests.read(dir + "/run/vm3/proc/nk/pcpustats"))
            #expect((columns["VM2"] ?? 0) >= spent, "\(columns) < \(spent)")
            #expect((columns["VM2"] ?? 0) > (columns["VM3"] ?? 0), "\(columns)")
            #expect((columns["VM1"] ?? 0) > 0, "the supervisor is VM1")
            #expect(try platform.stop() == .exited(0))
        }
    }

    /// The total ticks of each column of `pcpustats`' first table (`Idle`, `VM1`, …).
    static func columnTotals(_ text: String) throws -> [String: UInt64] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let header = try #require(lines.firstIndex { $0.hasPrefix("CPU\t") })
        let names = lines[header].split(separator: "\t").dropFirst().map(String.init)
        var totals: [String: UInt64] = [:]
        for row in lines[(header + 1)...].prefix(while: { !$0.isEmpty }) {
            for (name, value) in zip(names, row.split(separator: "\t").dropFirst()) {
                totals[name, default: 0] += UInt64(value) ?? 0
            }
        }
        return totals
    }

    @Test("a lifecycle property write the supervisor refuses is EINVAL, as nk_prop_set's NK_PROP_ERROR")
    func refusedLifecycleWritesAreEINVAL() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(), in: dir, extraArguments: ["--no-init"])
            #expect(try MonitoringTests.sh("echo 4 > \(dir)/run/vm2/proc/nk/vmstop").status == 0)
            #expect(waitUntil(timeout: .seconds(20)) { ViewsTests.read(dir + "/run/vm2/proc/nk/state") == "12" })
            let write =
                "import os, sys\ntry: os.write(os.open(sys.argv[1], os.O_WRONLY), sys.argv[2].encode())\n"
                + "except OSError as e: sys.exit(os.strerror(e.errno))"
            let prop = dir + "/run/vm2/sys/nk/prop/nk.vm.4."
            // Pausing or stopping a stopped VM: the supervisor refuses the hypercall.
            for (name, value) in [("state.paused", "1"), ("state.running", "0")] {
                let outcome = try ProcessRunner.run(
                    "/usr/bin/env", ["python3", "-c", write, prop + name, value], timeout: 20)
                #expect(
                    outcome.status != 0 && outcome.standardError.contains("Invalid argument"),
                    "\(name): \(outcome.standardError)")
            }
            #expect(ViewsTests.read(dir + "/run/vm2/proc/nk/state") == "12", "nothing changed")
            // A VM may not set another's bootcomplete: NK_PROP_PERMISSION, EACCES.
            let other = dir + "/run/vm2/sys/nk/prop/nk.vm.3.bootcomplete"
            let denied = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", write, other, "1"], timeout: 20)
            #expect(denied.standardError.contains("Permission denied"), "\(denied.standardError)")
            #expect(try platform.stop() == .exited(0))
        }
    }
}
