// SPDX-License-Identifier: Apache-2.0
import Foundation
import NKViews
import Platform
import Synchronization
import Testing

/// `/proc/nk` through real FUSE mounts of the demo platform (VMs 2, 3, 4).
@Suite(.timeLimit(.minutes(2)), .serialized) struct ProcNKViewTests {
    @Test func identityFilesHoldTheNumbersWithoutTerminator() throws {
        let platform = try ViewsPlatform()
        for id: NkOsId in [2, 3, 4] {
            #expect(try platform.cat(id, "proc/nk/id") == "\(id)")
            #expect(try platform.cat(id, "proc/nk/last") == "4")
            #expect(try platform.cat(id, "proc/nk/state") == "28")  // bits 2, 3, 4
        }
    }

    @Test func propsListsEveryPropertyWithThisVMsAttributes() throws {
        let platform = try ViewsPlatform()
        let lines = try platform.cat(3, "proc/nk/props").split(separator: "\n").map(String.init)
        #expect(lines.first == "PID\tNAME\tATTR\tLEN\tVALUE")
        #expect(lines.contains { $0.hasSuffix("\tnk.vm.3.bootcomplete\trwn\t4\tNot set") })
        #expect(lines.contains { $0.hasSuffix("\tnk.vm.2.bootcomplete\tr-n\t4\tNot set") })
        #expect(lines.contains { $0.hasSuffix("\tnk.error.ignore-alloc\tr--\t4\t31") })
        #expect(lines.contains { $0.hasSuffix("\tnk.panic-trigger\trwn\t1\t30") })
        #expect(lines.contains { $0.hasSuffix("\tnk.vm.3.cpus\tr-n\t4\t02") })
        #expect(lines.count == 1 + platform.vms[3]!.nkddi.repository.propertyCount)
    }

    @Test func memstatAndVdevsShowTheRepository() throws {
        let platform = try ViewsPlatform()
        let heap = platform.supervisor.pdevUsage
        let pmem = platform.supervisor.pmemUsage
        func row(_ name: String, _ u: MemoryUsage) -> String {
            name.padding(toLength: 4, withPad: " ", startingAt: 0)
                + [u.size, u.free, u.used].map { String(repeating: " ", count: 12 - "\($0)".count) + "\($0)" }.joined()
        }
        #expect(
            try platform.cat(2, "proc/nk/memstat") == "            SIZE        FREE        USED\n"
                + row("HEAP", heap) + "\n" + row("PMEM", pmem) + "\n")
        let vdevs = try platform.cat(2, "proc/nk/vdevs")
        #expect(vdevs.hasPrefix(" vpipe,0 serv 3/OFF/'8K' cli 2/OFF/''\n vbpipe,0 serv 3/OFF/';16K' cli 4/OFF/'"))
        #expect(vdevs.contains("PMEM used: 80000000-80000000\n"))
    }

    @Test func historyAndLogsShowConsoleOutput() throws {
        let platform = try ViewsPlatform()
        platform.vms[3]!.nkddi.nk_cons_write(Array("hello from 3\n".utf8), 13)
        #expect(try platform.cat(3, "proc/nk/history") == "hello from 3\n")
        #expect(try platform.cat(2, "proc/nk/log-3") == "hello from 3\n")
        #expect(try platform.cat(2, "proc/nk/history") == "")
    }

    @Test func consoleDeviceBlocksUntilOutputArrives() throws {
        let platform = try ViewsPlatform()
        let reader = Foundation.Thread.detachNewThreadAndWait {
            try? ViewShell.run(["head", "-c", "6", platform.path(4, "dev/vlx-log-2")])
        }
        Foundation.Thread.sleep(forTimeInterval: 0.3)
        #expect(!reader.isDone)
        platform.vms[2]!.nkddi.nk_cons_write(Array("abcdef".utf8), 6)
        #expect((reader.wait() ?? nil)?.output == "abcdef")
    }

    @Test func statisticsFilesHaveTheManualsShape() throws {
        let platform = try ViewsPlatform()
        let pcpu = try platform.cat(2, "proc/nk/pcpustats")
        #expect(pcpu.hasPrefix("Counting frequency: 1000000000 Hz\n\nCPU\tIdle\tVM1\tVM2\tVM3\tVM4\n0\t"))
        #expect(pcpu.contains("\nIn msecs:\n\n0\t"))
        let stats = try platform.cat(2, "proc/nk/cpu/0/pmon/ascii/cpustats")
        #expect(stats.hasPrefix("CPU 0 Consumption Statistics\nPERIOD: "))
        #expect(stats.contains("\nOS 04: "))
        #expect(
            try platform.cat(2, "proc/nk/cpu/0/pmon/ascii/sysinfo")
                == "VLX Performance Analysis v1.0\nTimer frequency : 1000000000 Hertz\nNumber of OSes : 3\n")
        let offset = Int64(try platform.cat(2, "proc/nk/counter-timer-offset").dropLast()) ?? 0
        #expect(offset > 1_000_000_000 * 1_600_000_000)
        #expect(
            try platform.cat(2, "proc/nk/xirqmap")
                == "0 - 31 =>    invalid (32)\n32 - 32 =>   32 - 32 (1)\n33 - 1023 =>    invalid (991)\n")
        #expect(try platform.cat(2, "proc/nk/regions") == "PADDR      SIZE      ID\n")
    }
}

/// A value computed on another thread.
final class Background<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var value: T?
    private(set) var isDone = false

    init(_ body: @escaping @Sendable () -> T) {
        Foundation.Thread.detachNewThread { [self] in
            value = body()
            isDone = true
            done.signal()
        }
    }

    func wait(seconds: Double = 10) -> T? {
        _ = done.wait(timeout: .now() + seconds)
        return value
    }
}

extension Foundation.Thread {
    static func detachNewThreadAndWait<T: Sendable>(_ body: @escaping @Sendable () -> T) -> Background<T> {
        Background(body)
    }
}
