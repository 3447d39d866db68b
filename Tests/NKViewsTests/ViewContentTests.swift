// SPDX-License-Identifier: Apache-2.0
import Foundation
import NKViews
import Platform
import PlatformTestSupport
import Testing

/// The exact content of the views of a known platform (`Configs/demo.dts`, VMs
/// 2, 3, 4, no vdrivers probed), read through real FUSE mounts by real
/// processes: every entry there is, every byte of the text files, the layout
/// of the binary ones, and the permissions every file enforces.
@Suite(.timeLimit(.minutes(2)), .serialized) struct ViewContentTests {
    /// `/proc/nk(5)` entries a simulator fills (issue 5 item 2), for VM 3.
    @Test func everyEntryIsThereAndNothingElse() throws {
        let platform = try ViewsPlatform()
        let cpus = try #require(Int(try ViewShell.run(["getconf", "_NPROCESSORS_CONF"]).output.dropLast()))
        var expected = [
            "counter-timer-offset", "cpu", "focus", "history", "id", "last", "log-2", "log-3", "log-4", "memstat",
            "monitoring", "monitoring/event-log", "monitoring/event-log/filter-clr", "monitoring/event-log/filter-set",
            "monitoring/vl,evt-log-0", "pcpustats", "props", "regions", "restart", "state", "vdevs", "vmresume",
            "vmstart", "vmstop", "vmsuspend", "xirqmap",
        ]
        for cpu in 0..<cpus {
            expected.append("monitoring/vl,evt-log-0/cpu-\(cpu)")
            for path in [
                "", "/pmon", "/pmon/ascii", "/pmon/ascii/cpustats", "/pmon/ascii/sysinfo", "/pmon/raw",
                "/pmon/raw/cpustats", "/pmon/raw/sysinfo",
            ] {
                expected.append("cpu/\(cpu)\(path)")
            }
        }
        let found = try ViewShell.sh(
            "cd \(platform.path(3, "proc/nk")) && find . -mindepth 1 | cut -c3- | LC_ALL=C sort")
        #expect(found.output == expected.sorted().map { $0 + "\n" }.joined())
        #expect(try ViewShell.run(["ls", platform.path(3, "")]).output == "dev\nproc\nsys\n")
        #expect(
            try ViewShell.run(["ls", platform.path(3, "dev")]).output
                == "vlx-console\nvlx-log-2\nvlx-log-3\nvlx-log-4\n")
        #expect(try ViewShell.run(["ls", platform.path(3, "sys/nk")]).output == "device-trees\nprop\nprops\nvlinks\n")
    }

    /// Every property with this VM's rights, its maximum size and its first bytes
    /// (manual lines 14096–14117): the live values are those of the repository.
    @Test func propsIsExact() throws {
        let platform = try ViewsPlatform()
        let heap = platform.supervisor.pdevUsage
        let online = try Self.onlineCPUMask()
        let dtb = Self.hex(Array(platform.blob.prefix(16)))
        var rows = [
            "nk.build-id\tr--\t8\t766c6d2d302e31", "nk.version.hypervisor\tr--\t8\t766c6d2d302e31",
            "nk.version.build-date\tr--\t1\t00", "nk.version.compiler\tr--\t6\t7377696674",
            "nk.version.bsp\tr--\t11\t6c696e75782d686f7374", "nk.version.bsp-build-\tr--\t1\t00",
            "nk.version.bsp-compil\tr--\t6\t7377696674",
            "nk.features.all-str\tr--\t221\t554152542052414d5f434f4e534f4c45",
            "nk.features.on-str\tr--\t22\t554152542052414d5f434f4e534f4c45",
            "nk.features.off-str\tr--\t199\t4350555f555341474520564445565f56",
            "nk.features.all\tr--\t8\tffff7f", "nk.features.on\tr--\t8\t030040", "nk.features.off\tr--\t8\tfcff3f",
            "nk.error.ignore-alloc\tr--\t4\t31", "nk.error.ignore-non-a\tr--\t4\t31",
            "nk.memory.heap.free\tr--\t8\t\(Self.hex(heap.free, 8))",
            "nk.memory.heap.used\tr--\t8\t\(Self.hex(heap.used, 8))",
            "nk.memory.pmem.free\tr--\t8\t\(Self.hex(4 << 20, 8))", "nk.memory.pmem.used\tr--\t8\t00",
            "nk.cpus.online\tr-n\t4\t\(Self.hex(UInt64(online), 4))", "nk.monitoring.enable\trw-\t4\t50",
            "nk.event-log.filter\trw-\t20\tffffffffffff01", "nk.focus\trwn\t1\t02",
            "nk.vlm-dtb\tr--\t\(platform.blob.count)\t\(dtb)",
        ]
        for vm in 2...4 {
            rows += [
                "nk.vm.\(vm).state.running\trwn\t4\t03", "nk.vm.\(vm).state.paused\trwn\t4\t00",
                "nk.vm.\(vm).cpus\tr-n\t4\t0\(vm - 1)",
                "nk.vm.\(vm).bootcomplete\t\(vm == 3 ? "rwn" : "r-n")\t4\tNot set",
                "nk.vm.\(vm).vplatform-dtb\tr--\t0\tNot set",
            ]
        }
        rows += ["nk.panic-trigger\trwn\t1\t30", "nk.version.api\tr-n\t16\t392e302e30"]
        let expected =
            "PID\tNAME\tATTR\tLEN\tVALUE\n" + rows.enumerated().map { "\($0.offset)\t\($0.element)\n" }.joined()
        #expect(try platform.cat(3, "proc/nk/props") == expected)
    }

    @Test func vdevsRegionsAndXirqmapAreExact() throws {
        let platform = try ViewsPlatform()
        let heap = platform.supervisor.pdevUsage
        let end = String(heap.base + heap.used, radix: 16)
        #expect(
            try platform.cat(4, "proc/nk/vdevs") == """
                 vpipe,0 serv 3/OFF/'8K' cli 2/OFF/''
                 vbpipe,0 serv 3/OFF/';16K' cli 4/OFF/';16K'
                 vbpipe,0 serv 4/OFF/';16K' cli 3/OFF/';16K'
                PDEV used: \(String(heap.base, radix: 16))-\(end)
                PMEM used: 80000000-80000000

                """)
        #expect(try platform.cat(4, "proc/nk/regions") == "PADDR      SIZE      ID\n")
        #expect(
            try platform.cat(4, "proc/nk/xirqmap")
                == "0 - 31 =>    invalid (32)\n32 - 32 =>   32 - 32 (1)\n33 - 1023 =>    invalid (991)\n")
    }

    /// `cpu/<n>/pmon/{ascii,raw}/{cpustats,sysinfo}` (manual lines 13385–13427):
    /// the ASCII lines one per OS id 00…last, the raw files little-endian words.
    @Test func statisticsFilesHaveTheirExactLayout() throws {
        let platform = try ViewsPlatform()
        let ascii = try platform.cat(2, "proc/nk/cpu/1/pmon/ascii/cpustats")
        let pattern =
            /CPU 1 Consumption Statistics\nPERIOD: (\d+)\nIDLE : (\d+)\n\nOS 00: (\d+)\nOS 01: 0\nOS 02: 0\nOS 03: 0\nOS 04: 0\nMISC0: 0\nMISC1: 0\nMISC2: 0\n/
        let match = try #require(ascii.wholeMatch(of: pattern), "\(ascii)")
        #expect(match.output.2 == match.output.3, "OS 00 is the idle time")
        // version 1.0, 1 GHz, three OSes
        #expect(
            try Self.bytes(platform, 2, "proc/nk/cpu/0/pmon/raw/sysinfo")
                == [0x00, 0x01, 0, 0, 0x00, 0xca, 0x9a, 0x3b, 3, 0, 0, 0])
        let raw = try Self.bytes(platform, 2, "proc/nk/cpu/0/pmon/raw/cpustats")
        #expect(raw.count == 8 * 7)  // period, idle, OS 00…04
        let words = stride(from: 0, to: raw.count, by: 8).map { Self.littleEndian(raw[$0..<$0 + 8]) }
        #expect(words.count == 7 && words[0] > 0 && words[2] == words[1] && words[3...] == [0, 0, 0, 0])
        let pcpu = try platform.cat(2, "proc/nk/pcpustats")
        #expect(pcpu.hasPrefix("Counting frequency: 1000000000 Hz\n\nCPU\tIdle\tVM1\tVM2\tVM3\tVM4\n0\t"))
        #expect(pcpu.contains("\n\nIn msecs:\n\n0\t"))
    }

    /// `dev/vlx-console` reads VM 3's history from the oldest character, then
    /// blocks at the end until VM 3 writes more (manual lines 13439–13467).
    @Test func consoleDeviceReadsTheHistoryThenBlocksAtTheEnd() throws {
        let platform = try ViewsPlatform()
        platform.vms[3]!.nkddi.nk_cons_write(Array("abc".utf8), 3)
        let marker = platform.directory + "/first-read"
        let reader = try ProcessRunner.start([
            "/usr/bin/env", "python3", "-c",
            """
            import os, sys
            fd = os.open(sys.argv[1], os.O_RDONLY)
            first = os.read(fd, 100)
            open(sys.argv[2], "w").close()
            print(first, os.read(fd, 100))
            """, platform.path(3, "dev/vlx-console"), marker,
        ])
        #expect(waitUntil(timeout: .seconds(20)) { FileManager.default.fileExists(atPath: marker) })
        platform.vms[3]!.nkddi.nk_cons_write(Array("def".utf8), 3)
        #expect(reader.finish(timeout: 20).outputText == "b'abc' b'def'\n")
        #expect(try platform.cat(2, "proc/nk/log-3") == "abcdef")
    }

    /// `sys/nk/prop/<name>` holds `nk_prop_get`'s bytes in the property's width:
    /// 64-bit counters, 32-bit masks and state words, one byte for `nk.focus`,
    /// the 160-bit event-log filter, strings with their NUL (manual lines 13143–13347).
    @Test func propertyFilesHaveTheirWidths() throws {
        let platform = try ViewsPlatform()
        let heap = platform.supervisor.pdevUsage
        func value(_ name: String) throws -> [UInt8] { try Self.bytes(platform, 4, "sys/nk/prop/" + name) }
        #expect(try value("nk.memory.heap.free") == Self.littleEndian(heap.free, 8))
        #expect(try value("nk.memory.heap.used") == Self.littleEndian(heap.used, 8))
        #expect(try value("nk.memory.pmem.free") == Self.littleEndian(4 << 20, 8))
        #expect(try value("nk.memory.pmem.used") == Self.littleEndian(0, 8))
        #expect(try value("nk.cpus.online") == Self.littleEndian(UInt64(try Self.onlineCPUMask()), 4))
        #expect(try value("nk.features.on") == Self.littleEndian(0x40_0003, 8))
        #expect(try value("nk.vm.4.cpus") == [3, 0, 0, 0])
        #expect(try value("nk.vm.2.state.paused") == [0, 0, 0, 0])
        #expect(try value("nk.focus") == [2])
        #expect(
            try value("nk.event-log.filter") == [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
                + Array(repeating: 0, count: 13))
        #expect(try value("nk.build-id") == Array("vlm-0.1\0".utf8))
        #expect(try value("nk.vlm-dtb") == platform.blob)
        #expect(try value("nk.vm.2.vplatform-dtb").isEmpty)
    }

    /// Writes to files that take none are EACCES, reads of files that give none
    /// are EACCES, for every file of `proc/nk` and `sys/nk` (issue 5 item 2).
    @Test func everyFileRefusesWhatItsModeDoesNotAllow() throws {
        let platform = try ViewsPlatform()
        let script = """
            import errno, os, stat, sys
            counts = {"ro": 0, "wo": 0, "rw": 0}
            for top in sys.argv[1:]:
                for root, dirs, files in os.walk(top):
                    for name in files:
                        path = os.path.join(root, name)
                        mode = os.lstat(path).st_mode
                        if not stat.S_ISREG(mode):
                            continue
                        readable, writable = bool(mode & stat.S_IRUSR), bool(mode & stat.S_IWUSR)
                        counts["rw" if readable and writable else "ro" if readable else "wo"] += 1
                        for flag, allowed in ((os.O_WRONLY, writable), (os.O_RDONLY, readable)):
                            if allowed:
                                continue
                            try:
                                os.close(os.open(path, flag))
                                print("opened", flag, path)
                            except OSError as e:
                                if e.errno != errno.EACCES:
                                    print(errno.errorcode[e.errno], flag, path)
            print(counts["ro"] > 60, counts["wo"], counts["rw"])
            """
        let result = try ViewShell.run([
            "python3", "-c", script, platform.path(3, "proc/nk"), platform.path(3, "sys/nk"),
        ])
        // Write-only: vmstart vmstop restart vmsuspend vmresume. Read-write: focus,
        // filter-set, filter-clr, and the 11 properties VM 3 may set.
        #expect(result.output == "True 5 14\n", "\(result.error)")
    }

    /// A property the configuration lets only some VMs read is no file for the
    /// others, and `-` in their `props` (manual line 14100).
    @Test func propertiesAVMMayNotGetAreAbsent() throws {
        let source = """
            /dts-v1/;
            / { vlm {
                vm@2 { label = "a"; };
                vm@3 { label = "b"; };
                hyp_property: properties {
                    app.secret { size = <4>; value = <7>; allow-get = "3"; allow-set = "3"; };
                };
            }; };
            """
        let platform = try ViewsPlatform(source: source)
        #expect(try platform.cat(3, "sys/nk/prop/app.secret") == "\u{7}\0\0\0")
        #expect(
            try ViewShell.run(["ls", platform.path(2, "sys/nk/prop")]).output.split(separator: "\n").contains(
                "app.secret") == false)
        #expect(try ViewShell.run(["cat", platform.path(2, "sys/nk/prop/app.secret")]).status != 0)
        #expect(try platform.cat(2, "proc/nk/props").contains("\tapp.secret\t---\t4\t-\n"))
        #expect(try platform.cat(3, "proc/nk/props").contains("\tapp.secret\trw-\t4\t07\n"))
    }

    /// `nk.event-log.filter` (manual line 13603) is the filter `filter-set` and
    /// `filter-clr` show: saved from the property, changed through the files,
    /// restored by writing the saved bytes back.
    @Test func eventLogFilterPropertySavesAndRestoresTheFilter() throws {
        let platform = try ViewsPlatform()
        let property = platform.path(2, "sys/nk/prop/nk.event-log.filter")
        let events = platform.path(3, "proc/nk/monitoring/event-log")
        let saved = platform.directory + "/filter.saved"
        #expect(
            try ViewShell.sh("cat \(property) > \(saved) && cat \(events)/filter-set > \(events)/filter-clr").status
                == 0)
        #expect(try Self.bytes(platform, 4, "sys/nk/prop/nk.event-log.filter") == Array(repeating: 0, count: 20))
        #expect(try ViewShell.sh("echo irq_post vm_stop > \(events)/filter-set").status == 0)
        var expected = [UInt8](repeating: 0, count: 20)
        expected[0] = 0x80  // irq_post: event 7
        expected[3] = 0x20  // vm_stop: event 29
        #expect(try Self.bytes(platform, 4, "sys/nk/prop/nk.event-log.filter") == expected)
        #expect(try ViewShell.sh("cat \(saved) > \(property)").status == 0)
        #expect(try platform.cat(4, "proc/nk/monitoring/event-log/filter-clr") == "\n")
        // A binary write selects exactly the bits given (missing bytes are zero).
        #expect(try ViewShell.sh("printf '\\200\\001' > \(property)").status == 0)
        #expect(try platform.cat(4, "proc/nk/monitoring/event-log/filter-set") == "irq_post irq_throttle\n")
        #expect(platform.vms[2]!.nkddi.repository.eventFilter == 0x180)
    }

    // MARK: Helpers

    /// The bytes of a view file, read by `cat`.
    static func bytes(_ platform: ViewsPlatform, _ id: NkOsId, _ relative: String) throws -> [UInt8] {
        let outcome = try ProcessRunner.run("/usr/bin/cat", [platform.path(id, relative)], timeout: 20)
        #expect(outcome.status == 0, "cat \(relative): \(outcome.standardError)")
        return outcome.standardOutput
    }

    /// `/proc/nk/props`' VALUE: the first bytes in hex, trailing zero bytes left out.
    static func hex(_ bytes: [UInt8]) -> String {
        var bytes = bytes
        while bytes.count > 1, bytes.last == 0 { bytes.removeLast() }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func hex(_ value: UInt64, _ width: Int) -> String { hex(littleEndian(value, width)) }

    static func littleEndian(_ value: UInt64, _ width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The host's online CPUs (`/sys/devices/system/cpu/online`, e.g. `0-1`) as a mask.
    static func onlineCPUMask() throws -> UInt32 {
        let list = try String(contentsOfFile: "/sys/devices/system/cpu/online", encoding: .utf8)
        var mask: UInt32 = 0
        for range in list.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let ends = range.split(separator: "-").compactMap { Int($0) }
            for cpu in (ends.first ?? 0)...(ends.last ?? 0) where cpu < 32 { mask |= 1 << UInt32(cpu) }
        }
        return mask
    }
}
