// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformSys
import PlatformTestSupport
import Synchronization

/// The files of a VM's views, found by walking its mount, and what one call on
/// one of them gave: for the stress and fuzz tests of the views.
enum ViewTree {
    /// One file: its path under the mount and its permission bits.
    struct File: Sendable {
        let relative: String
        let permissions: UInt32
        var isDevice: Bool { relative.hasPrefix("dev/") }
        var isReadable: Bool { permissions & 0o400 != 0 }
        var isWritable: Bool { permissions & 0o200 != 0 }
    }

    /// Every file under `root` (a `DIR/vm<N>` mount), depth first, in name order.
    /// `exec-proc/` (links to the host's `/proc`) and the `sys/nk/props` alias are
    /// left out.
    static func files(under root: String, in relative: String = "") -> [File] {
        let directory = relative.isEmpty ? root : root + "/" + relative
        var found: [File] = []
        for name in ((try? FileSystem.listDirectory(directory)) ?? []).sorted() {
            let path = relative.isEmpty ? name : relative + "/" + name
            if path == "exec-proc" || path == "sys/nk/props" { continue }
            if FileSystem.isDirectory(root + "/" + path) {
                found += files(under: root, in: path)
            } else if let permissions = try? FileSystem.permissions(root + "/" + path) {
                found.append(File(relative: path, permissions: permissions))
            }
        }
        return found
    }

    /// The errno of a failed call, 0 when it succeeded.
    static func errno(_ body: () throws -> Void) -> Int32 {
        do {
            try body()
            return 0
        } catch let error as SyscallError {
            return error.errno.rawValue
        } catch {
            return -1
        }
    }

    /// Reads `path` whole (a device file: what one non-blocking read gives).
    static func read(_ path: String, device: Bool) -> Int32 {
        errno {
            if !device {
                _ = try FileSystem.readFile(path)
                return
            }
            let fd = try FileSystem.openReadOnly(path)
            try fd.setNonBlocking(true)
            _ = try fd.read(upTo: 4096)
        }
    }

    /// One `write(2)` of `bytes` (at least one) to `path` after an `O_TRUNC` open,
    /// as `echo … >` does: 0 or the errno.
    static func write(_ path: String, _ bytes: [UInt8]) -> Int32 {
        errno { try FileSystem.openForWriting(path).writeAll(bytes) }
    }
}

/// Threads that each run a fixed amount of work, and whether they all finished
/// before a deadline (a call into a wedged mount never returns).
final class Crew: Sendable {
    private let finished = Atomic<Int>(0)
    let size: Int

    /// Starts `size` threads running `work(index)`.
    init(size: Int, _ work: @escaping @Sendable (Int) -> Void) {
        self.size = size
        for index in 0..<size {
            Thread { [self] in
                work(index)
                finished.add(1, ordering: .releasing)
            }.start()
        }
    }

    /// Waits up to `timeout` for every thread, running `meanwhile` at each check;
    /// whether they all finished.
    func finish(within timeout: Duration, meanwhile: () -> Void = {}) -> Bool {
        waitUntil(timeout: timeout, interval: .milliseconds(20)) {
            meanwhile()
            return finished.load(ordering: .acquiring) == size
        }
    }
}

extension RunningPlatform {
    /// Lines of `vlm run`'s output that show a VM process dying of a Swift
    /// runtime trap or being restarted after a crash.
    func crashLines() -> [String] {
        consoleOutput().split(separator: "\n").map(String.init).filter {
            $0.contains("Fatal error") || $0.contains("runtime failure") || $0.contains(" crashed")
        }
    }
}
