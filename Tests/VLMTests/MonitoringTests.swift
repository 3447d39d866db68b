import Foundation
// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Testing

/// The shared event log through a real `vlm run`: `nk.monitoring.enable` turns it
/// on (manual line 13683), lifecycle events written in one VM are read in another
/// VM's `proc/nk/monitoring/vl,evt-log-0/cpu-<n>`, the filter decides what is kept.
@Suite("vlm run: the event log", .timeLimit(.minutes(2)), .serialized, .enabled(if: VLMBinary.isBuilt))
struct MonitoringTests {
    static func sh(_ script: String) throws -> (status: Int32, error: String) {
        let outcome = try ProcessRunner.run("/bin/sh", ["-c", script], timeout: 20)
        return (outcome.status, outcome.standardError)
    }

    /// Every record of VM `vm`'s event-log files, all CPUs, in file order.
    static func log(_ dir: String, vm: Int) -> String {
        let base = "\(dir)/run/vm\(vm)/proc/nk/monitoring/vl,evt-log-0"
        let files = ((try? FileSystem.listDirectory(base)) ?? []).sorted()
        return files.map { ViewsTests.read("\(base)/\($0)") }.joined()
    }

    static func stopAndStart(_ platform: RunningPlatform, _ dir: String, vm: Int, from writer: Int) throws {
        // `vlm status` says running while a VM boots; the supervisor's console line comes once it runs.
        func boots() -> Int {
            platform.consoleOutput().split(separator: "\n").filter {
                $0.hasPrefix("vlm: vm\(vm) (") && $0.contains(") running (pid ")
            }.count
        }
        let before = boots()
        #expect(try sh("echo \(vm) > \(dir)/run/vm\(writer)/proc/nk/vmstop").status == 0)
        #expect(MountWait.until { ViewsTests.read("\(dir)/run/vm\(writer)/proc/nk/state") == "20" })
        #expect(try sh("echo \(vm) > \(dir)/run/vm\(writer)/proc/nk/vmstart").status == 0)
        #expect(MountWait.until { ViewsTests.read("\(dir)/run/vm\(vm)/proc/nk/id") == "\(vm)" })
        // Mounted views come before the VM's sandbox and `ready`: a pause is refused until the VM runs.
        #expect(MountWait.until(seconds: 30) { boots() > before })
    }

    static func pid(_ platform: RunningPlatform, vm: Int) throws -> Int32? {
        let json = try platform.vlm(["status", "--json"]).output
        let after = json.components(separatedBy: "\"id\":\(vm),").dropFirst().first ?? ""
        let pid = after.components(separatedBy: "\"pid\":").dropFirst().first ?? ""
        return Int32(String(pid.prefix { $0.isNumber }))
    }

    @Test("VM 2 stopping and starting VM 3, and VM 3 killed, show in VM 4's event log")
    func lifecycleEventsAreShared() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            try Self.stopAndStart(platform, dir, vm: 3, from: 2)
            #expect(Self.log(dir, vm: 4).isEmpty, "monitoring is off by default ('P')")
            let enable = "echo -n 2 > \(dir)/run/vm2/sys/nk/prop/nk.monitoring.enable"
            #expect(try Self.sh(enable).status == 0)
            try Self.stopAndStart(platform, dir, vm: 3, from: 2)
            for (file, event) in [("vmsuspend", "vm_suspend_request"), ("vmresume", "vm_resume_request")] {
                let written = try Self.sh("echo 3 > \(dir)/run/vm2/proc/nk/\(file)")
                #expect(written.status == 0, "\(written.error)\n\(platform.consoleOutput())")
                #expect(MountWait.until { Self.log(dir, vm: 4).contains("VM3 VCPU0 - \(event)\n") }, "\(event)")
            }
            let guest = try #require(try Self.pid(platform, vm: 3))
            try Signal.send(.kill, to: guest)
            #expect(MountWait.until { Self.log(dir, vm: 4).contains("VM3 VCPU0 - vm_fatal\n") })
            let log = Self.log(dir, vm: 4)
            #expect(log.contains("VM2 VCPU0 - hyp_call\n    call: nk_stop\n    target: VM3\n"))
            #expect(log.contains("VM2 VCPU0 - hyp_call\n    call: nk_start\n    target: VM3\n"))
            #expect(log.contains("VM2 VCPU0 - hyp_call\n    call: nk_suspend\n    target: VM3\n"))
            #expect(log.contains("VM3 VCPU0 - vm_stop\n"))
            #expect(log.contains("VM3 VCPU0 - vm_start\n"))
            let heads = log.split(separator: "\n").filter { $0.hasPrefix("[") }
            #expect(heads.allSatisfy { $0.wholeMatch(of: /\[\d+\] \d+: CPU\d+ VM\d+ VCPU0 - [a-z_0-9]+/) != nil })
            // One log for every VM (VM 3 restarting may add records meanwhile).
            let seenBy2 = Set(Self.log(dir, vm: 2).split(separator: "\n").filter { $0.hasPrefix("[") })
            #expect(!heads.isEmpty && Set(heads).isSubset(of: seenBy2), "one log for every VM")
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("filter-set and filter-clr are shared, change what is recorded, refuse unknown names")
    func filterDecidesWhatIsRecorded() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            let events = "\(dir)/run/vm2/proc/nk/monitoring/event-log"
            let peer = "\(dir)/run/vm4/proc/nk/monitoring/event-log"
            #expect(ViewsTests.read(peer + "/filter-clr") == "\n", "every event selected at boot")
            #expect(try Self.sh("echo vm_stop hyp_call > \(events)/filter-clr").status == 0)
            #expect(ViewsTests.read(peer + "/filter-clr") == "hyp_call vm_stop\n")
            #expect(!ViewsTests.read(peer + "/filter-set").contains("vm_stop"))
            // One write(2) through python3 to see the errno (dash's echo only says "I/O error").
            let write =
                "import os, sys\ntry: os.write(os.open(sys.argv[1], os.O_WRONLY), b'vm_start no_such_event')\n"
                + "except OSError as e: sys.exit(os.strerror(e.errno))"
            let bad = try ProcessRunner.run("/usr/bin/python3", ["-c", write, events + "/filter-set"], timeout: 20)
            #expect(bad.status != 0 && bad.standardError.contains("Invalid argument"), "\(bad.standardError)")
            #expect(ViewsTests.read(peer + "/filter-clr") == "hyp_call vm_stop\n", "a refused write changes nothing")
            #expect(try Self.sh("echo -n 2 > \(dir)/run/vm2/sys/nk/prop/nk.monitoring.enable").status == 0)
            try Self.stopAndStart(platform, dir, vm: 3, from: 2)
            var log = Self.log(dir, vm: 4)
            #expect(log.contains("VM3 VCPU0 - vm_start\n") && !log.contains("vm_stop") && !log.contains("hyp_call"))
            #expect(try Self.sh("echo vm_stop > \(events)/filter-set").status == 0)
            try Self.stopAndStart(platform, dir, vm: 3, from: 2)
            log = Self.log(dir, vm: 4)
            #expect(log.contains("VM3 VCPU0 - vm_stop\n") && !log.contains("hyp_call"))
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("a guest's nk_xirq_trigger is an irq_post record once the guest itself enables monitoring")
    func xirqPostsAreRecorded() throws {
        try withTemporaryDirectory { dir in
            let script = ["trigger 33 4", "propset nk.monitoring.enable 2", "trigger 34 4"]
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir, scripts: [3: script])
            let posted = "VM3 VCPU0 - irq_post\n    target: VM4, VCPU0\n    irq: 34\n"
            #expect(MountWait.until { Self.log(dir, vm: 2).contains(posted) })
            #expect(!Self.log(dir, vm: 2).contains("irq: 33\n"), "posted before monitoring was on")
            #expect(try platform.stop() == .exited(0))
        }
    }
}
