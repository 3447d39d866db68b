// SPDX-License-Identifier: Apache-2.0
import PlatformViews
import Synchronization

/// The tree the mount tests serve: a few /proc/nk-like files, a dynamic `prop/`
/// directory with its `props` alias, and a loopback pipe device.
final class SampleTree: Sendable {
    let root = ViewDirectory()
    let pipe = LoopbackPipe(capacity: 4096)
    /// What `proc/nk/vmstop` was told.
    let control = ControlState()
    static let properties = ["nk.panic-trigger": "0", "nk.vm.3.name": "demo"]
    static let memstat = (1...40).map { "line \($0): \(String(repeating: "x", count: $0))\n" }.joined()

    init() {
        let proc = root.makeDirectories("proc/nk")
        proc.add("id", .seqFile(SeqFile(text: { "3\n" })))
        proc.add("memstat", .seqFile(SeqFile(text: { SampleTree.memstat })))
        let control = self.control
        proc.add("last", .seqFile(SeqFile(text: { control.stopped.withLock { $0.map { "\($0)\n" } ?? "none\n" } })))
        proc.add(
            "vmstop",
            .controlFile(
                ControlFile { text throws(ViewErrno) in
                    let id = try ControlFile.integer(text)
                    guard (2...31).contains(id) else { throw .einval }
                    control.stopped.withLock { $0 = id }
                    control.stops.withLock { $0 += 1 }
                }))
        let sys = root.makeDirectories("sys/nk")
        sys.add(
            "prop",
            .directory(
                ViewDirectory(
                    listing: .init(
                        names: { SampleTree.properties.keys.sorted() },
                        node: { name in
                            SampleTree.properties[name].map { value in .seqFile(SeqFile(size: .exact, text: { value }))
                            }
                        }
                    ))))
        sys.add("props", .symlink(ViewSymlink(to: "prop")))
        root.makeDirectories("dev").add("loop0", .device(DeviceFile(driver: pipe)))
    }
}

/// The effects of writes to the sample `vmstop`.
final class ControlState: Sendable {
    /// The value last accepted.
    let stopped = Mutex<Int?>(nil)
    /// How many writes were accepted.
    let stops = Mutex(0)
}
