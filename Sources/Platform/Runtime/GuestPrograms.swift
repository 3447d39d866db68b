// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// The programs a VM runs: its `vl,init` and everything that started, i.e.
/// every process of the VM's process group but the guest kernel (`vlm guest`,
/// the group leader) and the `fusermount3` watchers of its mount.
///
/// Pausing a VM stops these with SIGSTOP and leaves the guest process
/// running: it keeps serving the VM's views (a FUSE server that is stopped
/// wedges every caller in uninterruptible sleep, `kill -9` included) while it
/// holds its own "guest execution" (xirq handlers, device requests) by itself.
enum GuestPrograms {
    /// One process of a group, from `/proc/<pid>/stat`.
    struct Member: Equatable {
        var pid: Int32
        var parent: Int32
        var name: String
    }

    /// Stops every program of the VM whose guest kernel is `guest`. A program may
    /// fork between the listing and its signal, so passes repeat until one finds
    /// nobody left to stop (a stopped process forks no more); at most `passes`.
    static func freeze(guest: Int32, passes: Int = 64) {
        var stopped: Set<Int32> = []
        for _ in 0..<passes {
            let fresh = members(ofGroup: guest).filter { isProgram($0, guest: guest) && !stopped.contains($0.pid) }
            if fresh.isEmpty { return }
            for member in fresh {
                try? Signal.send(.stop, to: member.pid)
                stopped.insert(member.pid)
            }
        }
    }

    /// Whether `member` of the guest's group is one of its programs.
    static func isProgram(_ member: Member, guest: Int32) -> Bool {
        member.pid != guest && !(member.parent == guest && member.name == "fusermount3")
    }

    /// The processes of process group `group` now.
    static func members(ofGroup group: Int32) -> [Member] {
        let pids = ((try? FileSystem.listDirectory("/proc")) ?? []).compactMap { Int32($0) }
        return pids.compactMap { pid in
            guard let (parent, memberGroup, name) = stat(pid), memberGroup == group else { return nil }
            return Member(pid: pid, parent: parent, name: name)
        }
    }

    /// Parent, process group and name of `pid` (fields 4, 5 and 2 of its stat line).
    static func stat(_ pid: Int32) -> (parent: Int32, group: Int32, name: String)? {
        guard let bytes = try? FileSystem.readFile("/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let parent = Int32(fields[1]), let group = Int32(fields[2]) else { return nil }
        return (parent, group, String(text[text.index(after: open)..<close]))
    }
}
