// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformFUSE
import PlatformTestSupport
import PlatformViews
import Testing

/// The mount goes away on every kind of exit.
extension FUSEMountTests {
    @Suite(.timeLimit(.minutes(2))) struct ViewMountLifetimeTests {
        @Test func unmountRemovesTheMount() throws {
            let fixture = try MountFixture(SampleTree().root)
            #expect(MountFixture.isMounted(fixture.directory))
            fixture.mount.unmount()
            #expect(!MountFixture.isMounted(fixture.directory))
        }

        @Test func unmountEndsEvenWithABlockedReader() throws {
            let tree = SampleTree()
            let fixture = try MountFixture(tree.root)
            let reader = try Shell.start(
                [
                    "python3", "-c",
                    """
                    import os, sys
                    try:
                        os.read(os.open(sys.argv[1], os.O_RDONLY), 10)
                    except OSError as e:
                        print(e.errno)
                    """, fixture.path("dev/loop0"),
                ], timeout: 20)
            #expect(MountFixture.wait { tree.pipe.waitingReaders == 1 })
            let start = Date()
            fixture.mount.unmount()
            #expect(Date().timeIntervalSince(start) < 3)
            #expect(!MountFixture.isMounted(fixture.directory))
            #expect(reader.finish().output == "103\n")  // ECONNABORTED: the connection was aborted
        }

        @Test(arguments: [true, false])
        func servingProcessStopOrKillLeavesNoMount(kill: Bool) throws {
            let testKit = try #require(FUSEAvailability.builtTestKit, "build vlm-testkit first (swift build)")
            let directory = NSTemporaryDirectory() + "vlm-demo-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: testKit)
            process.arguments = ["fuse-demo", directory]
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            #expect(String(decoding: output.fileHandleForReading.availableData, as: UTF8.self) == "ready\n")
            #expect(try Shell.run(["cat", "\(directory)/proc/nk/id"]).output == "3\n")
            if kill {
                #expect(sendKill(process.processIdentifier))
            } else {
                input.fileHandleForWriting.closeFile()
            }
            process.waitUntilExit()
            #expect(MountFixture.wait { !MountFixture.isMounted(directory) })
        }
    }
}

/// SIGKILL through the `kill` tool (the test keeps libc out of its own code).
private func sendKill(_ pid: Int32) -> Bool {
    (try? Shell.run(["kill", "-9", String(pid)]).status) == 0
}
