// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import PlatformFUSE
import PlatformViews
import Synchronization

/// `vlm-testkit fuse-demo DIR`: serves a small sample view tree at DIR until standard
/// input closes. The FUSE tests spawn it to check unmounting when a serving process dies.
struct FuseDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuse-demo",
        abstract: "Serve a sample view tree through FUSE (for tests)."
    )

    @Argument(help: "An existing empty directory to mount at.")
    var directory: String

    func run() throws {
        let mount: ViewMount
        do {
            mount = try ViewMount(Self.sampleTree(), at: directory)
        } catch {
            throw ValidationError("\(error)")
        }
        FileHandle.standardOutput.write(Data("ready\n".utf8))
        while readLine() != nil {}
        mount.unmount()
    }

    /// `proc/nk/{id,last,vmstop}`, `sys/nk/prop/<name>` with `props` → `prop`, and a
    /// loopback pipe at `dev/loop0`.
    static func sampleTree() -> ViewDirectory {
        let root = ViewDirectory()
        let stopped = Mutex<Int?>(nil)
        let proc = root.makeDirectories("proc/nk")
        proc.add("id", .seqFile(SeqFile(text: { "3\n" })))
        proc.add("last", .seqFile(SeqFile(text: { stopped.withLock { $0.map { "\($0)\n" } ?? "none\n" } })))
        proc.add(
            "vmstop",
            .controlFile(
                ControlFile { text throws(ViewErrno) in
                    let id = try ControlFile.integer(text)
                    guard (2...31).contains(id) else { throw .einval }
                    stopped.withLock { $0 = id }
                }))
        let properties = ["nk.vm.3.name": "demo", "nk.panic-trigger": "0"]
        let sys = root.makeDirectories("sys/nk")
        sys.add(
            "prop",
            .directory(
                ViewDirectory(
                    listing: .init(
                        names: { properties.keys.sorted() },
                        node: { name in
                            properties[name].map { value in .seqFile(SeqFile(size: .exact, text: { value })) }
                        }
                    ))))
        sys.add("props", .symlink(ViewSymlink(to: "prop")))
        root.makeDirectories("dev").add("loop0", .device(DeviceFile(driver: LoopbackPipe())))
        return root
    }
}
