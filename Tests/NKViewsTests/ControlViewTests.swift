// SPDX-License-Identifier: Apache-2.0
import Foundation
import NKViews
import Platform
import Synchronization
import Testing

/// The /proc/nk control files and /sys/nk/prop writes, through real mounts.
@Suite(.timeLimit(.minutes(2)), .serialized) struct ControlViewTests {
    /// `echo <text> > <file>` in VM `id`'s views: status 0, or 1 with the errno's
    /// name (`EINVAL`) as the error (dash's `echo` says "I/O error" for any errno).
    func write(_ platform: ViewsPlatform, _ id: NkOsId, _ file: String, _ text: String) throws -> ViewShellResult {
        try ViewShell.write(platform.path(id, file), text + "\n")
    }

    @Test func stopAndStartAreSeenFromAnotherVM() throws {
        let platform = try ViewsPlatform()
        #expect(try write(platform, 2, "proc/nk/vmstop", "3").status == 0)
        #expect(try platform.cat(4, "proc/nk/state") == "20")
        #expect(try write(platform, 2, "proc/nk/vmstop", "3").status == 0)  // no effect on a stopped VM
        #expect(try write(platform, 4, "proc/nk/vmstart", "3").status == 0)
        #expect(try platform.cat(2, "proc/nk/state") == "28")
        #expect(platform.hypervisor.calls.withLock { $0 } == [.stop(vm: 3), .start(vm: 3)])
    }

    @Test func suspendResumeAndRestartChangeTheStateWords() throws {
        let platform = try ViewsPlatform()
        #expect(try write(platform, 2, "proc/nk/vmsuspend", "4").status == 0)
        #expect(platform.supervisor.runState(4) == .paused)
        #expect(Array(try platform.cat(3, "sys/nk/prop/nk.vm.4.state.paused").utf8) == [3, 0, 0, 0])
        #expect(try write(platform, 2, "proc/nk/vmresume", "4").status == 0)
        #expect(platform.supervisor.runState(4) == .running)
        let before = platform.supervisor.vmStateWord(3, paused: false)
        #expect(try write(platform, 2, "proc/nk/restart", "3").status == 0)
        #expect(platform.supervisor.vmStateWord(3, paused: false) == before + 4)  // off then on: two transitions
        #expect(try write(platform, 3, "proc/nk/restart", "3").status == 0)  // itself
        #expect(platform.hypervisor.calls.withLock { $0 }.last == .restart(vm: 3))
    }

    @Test func focusReadsAndWritesTheProperty() throws {
        let platform = try ViewsPlatform()
        #expect(try platform.cat(3, "proc/nk/focus") == "2\n")
        #expect(try write(platform, 3, "proc/nk/focus", "4").status == 0)
        #expect(try platform.cat(2, "proc/nk/focus") == "4\n")
        #expect(platform.supervisor.propertyValue("nk.focus") == [4])
    }

    @Test(arguments: ["vmstart", "vmstop", "restart", "vmsuspend", "vmresume", "focus"])
    func badIDsAreRefusedWithEINVALAndChangeNothing(file: String) throws {
        let platform = try ViewsPlatform()
        for text in ["9", "1", "0", "abc", "3 4", "", "-3", "31"] {
            let result = try write(platform, 2, "proc/nk/\(file)", text)
            #expect(result.status != 0 && result.error.contains("EINVAL"), "\(file) ← '\(text)': \(result.error)")
        }
        #expect(try platform.cat(2, "proc/nk/state") == "28")
        #expect(platform.hypervisor.calls.withLock { $0 }.isEmpty)
        #expect(platform.supervisor.propertyValue("nk.focus") == [2])
    }

    @Test(arguments: [
        "proc/nk/id", "proc/nk/state", "proc/nk/props", "proc/nk/memstat", "sys/nk/prop/nk.build-id",
        "sys/nk/prop/nk.vm.2.bootcomplete", "sys/nk/vlinks/endpoints/server/vpipe/0/vm3/vm2/info",
    ])
    func readOnlyFilesRefuseWritesWithEACCES(file: String) throws {
        let platform = try ViewsPlatform()
        let result = try write(platform, 3, file, "2")
        #expect(result.status != 0 && result.error.contains("EACCES"), "\(file): \(result.error)")
    }

    @Test func controlFilesAreNotReadable() throws {
        let platform = try ViewsPlatform()
        let result = try ViewShell.run(["cat", platform.path(2, "proc/nk/vmstop")])
        #expect(result.status != 0 && result.error.contains("Permission denied"))
    }

    @Test
    func eightProcessesReadAndWriteTheSameFilesAtOnce() throws {
        let platform = try ViewsPlatform()
        let base = platform.directory
        let script = """
            for i in $(seq 1 40); do
              cat \(base)/vm$1/proc/nk/props > /dev/null || exit 1
              echo $2 > \(base)/vm$1/proc/nk/focus || exit 2
              s=$(cat \(base)/vm$1/proc/nk/state); [ "$s" = 28 ] || exit 3
              printf '\\061' > \(base)/vm$1/sys/nk/prop/nk.panic-trigger || exit 4
              cat \(base)/vm$1/sys/nk/prop/nk.panic-trigger > /dev/null || exit 5
            done
            """
        let workers = (0..<8).map { n in
            Background {
                try? ViewShell.run(["sh", "-c", script, "sh", "\(2 + n % 3)", "\(2 + (n + 1) % 3)"], timeout: 60)
            }
        }
        for worker in workers {
            let result = worker.wait(seconds: 60) ?? nil
            #expect(result?.status == 0, "\(result?.error ?? "timeout")")
        }
        #expect([[2], [3], [4]].contains(platform.supervisor.propertyValue("nk.focus") ?? []))
        #expect(platform.supervisor.propertyValue("nk.panic-trigger") == [0x31])
    }
}
