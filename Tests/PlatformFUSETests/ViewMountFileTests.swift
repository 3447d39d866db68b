// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformFUSE
import PlatformTestSupport
import PlatformViews
import Synchronization
import Testing

/// Seq files, control files, directories and links through a real mount, driven by
/// shell tools.
extension FUSEMountTests {
    @Suite(.timeLimit(.minutes(2))) struct ViewMountFileTests {
        @Test func catShowsTheExactContentOfSeqFiles() throws {
            let tree = SampleTree()
            let fixture = try MountFixture(tree.root)
            let result = try Shell.run(["cat", fixture.path("proc/nk/id"), fixture.path("proc/nk/memstat")])
            #expect(result.status == 0)
            #expect(result.output == "3\n" + SampleTree.memstat)
        }

        @Test func ddInSmallBlocksReadsTheSameSnapshot() throws {
            let fixture = try MountFixture(SampleTree().root)
            let result = try Shell.sh("dd if='\(fixture.path("proc/nk/memstat"))' bs=7 status=none")
            #expect(result.output == SampleTree.memstat)
        }

        @Test func statReportsZeroOrExactSizeAndModes() throws {
            let fixture = try MountFixture(SampleTree().root)
            let result = try Shell.run([
                "stat", "-c", "%s %A %U", fixture.path("proc/nk/id"), fixture.path("sys/nk/prop/nk.vm.3.name"),
                fixture.path("proc/nk/vmstop"), fixture.path("dev/loop0"),
            ])
            #expect(result.output == "0 -r--r--r-- root\n4 -r--r--r-- root\n0 --w------- root\n0 -rw-rw-rw- root\n")
        }

        @Test func lsListsStaticAndDynamicEntriesAndFollowsTheAlias() throws {
            let fixture = try MountFixture(SampleTree().root)
            #expect(try Shell.run(["ls", fixture.directory]).output == "dev\nproc\nsys\n")
            #expect(try Shell.run(["ls", fixture.path("sys/nk/props/")]).output == "nk.panic-trigger\nnk.vm.3.name\n")
            #expect(try Shell.run(["readlink", fixture.path("sys/nk/props")]).output == "prop\n")
            #expect(try Shell.run(["cat", fixture.path("sys/nk/props/nk.vm.3.name")]).output == "demo")
            #expect(try Shell.run(["ls", fixture.path("sys/nk/prop/missing")]).status != 0)
        }

        @Test func echoToAControlFileActs() throws {
            let tree = SampleTree()
            let fixture = try MountFixture(tree.root)
            let result = try Shell.sh("echo 5 > '\(fixture.path("proc/nk/vmstop"))'")
            #expect(result.status == 0)
            #expect(tree.control.stopped.withLock { $0 } == 5)
            #expect(try Shell.run(["cat", fixture.path("proc/nk/last")]).output == "5\n")
        }

        @Test(arguments: ["99", "abc", "1 2"])
        func badValueIsEINVALAndChangesNothing(_ value: String) throws {
            let tree = SampleTree()
            let fixture = try MountFixture(tree.root)
            let result = try Shell.run(["bash", "-c", "echo '\(value)' > '\(fixture.path("proc/nk/vmstop"))'"])
            #expect(result.status != 0)
            #expect(result.error.contains("Invalid argument"))
            #expect(tree.control.stops.withLock { $0 } == 0)
        }

        @Test func writeToAReadOnlyFileIsEACCES() throws {
            let fixture = try MountFixture(SampleTree().root)
            let result = try Shell.python(
                """
                import os, sys
                try:
                    os.open(sys.argv[1], os.O_WRONLY)
                except OSError as e:
                    print(e.errno)
                """, [fixture.path("proc/nk/id")])
            #expect(result.output == "13\n")
            #expect(try Shell.sh("echo 1 > '\(fixture.path("proc/nk/id"))'").error.contains("Permission denied"))
        }

        @Test func readOfAWriteOnlyControlFileIsEACCES() throws {
            let fixture = try MountFixture(SampleTree().root)
            let result = try Shell.run(["cat", fixture.path("proc/nk/vmstop")])
            #expect(result.status != 0)
            #expect(result.error.contains("Permission denied"))
        }

        @Test func eightConcurrentReadersAndWritersSeeConsistentFiles() throws {
            let tree = SampleTree()
            let fixture = try MountFixture(tree.root)
            // 8 processes, each 50 rounds of: read two files, write the control file.
            let script = """
                for i in $(seq 50); do
                  [ "$(cat '\(fixture.path("proc/nk/id"))')" = 3 ] || exit 1
                  # Through a pipe: cmp trusts st_size, which is 0 for seq files as on procfs.
                  cat '\(fixture.path("proc/nk/memstat"))' | cmp -s - "$1" || exit 2
                  echo 7 > '\(fixture.path("proc/nk/vmstop"))' || exit 3
                done
                """
            let expected = NSTemporaryDirectory() + "memstat-\(UUID().uuidString)"
            try SampleTree.memstat.write(toFile: expected, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: expected) }
            let processes = try (0..<8).map { _ in try Shell.start(["sh", "-c", script, "sh", expected], timeout: 60) }
            let statuses = processes.map { $0.finish().status }
            #expect(statuses == Array(repeating: 0, count: 8))
            #expect(tree.control.stops.withLock { $0 } == 400)
        }
    }
}
