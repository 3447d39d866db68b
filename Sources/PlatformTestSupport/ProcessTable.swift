// SPDX-License-Identifier: Apache-2.0
public import PlatformSys

/// The host's processes as `/proc` shows them, for tests that must find every
/// process of a run (guests, `vl,init` programs, helpers) and see them gone.
public enum ProcessTable {
    /// One process: pid, parent, process group, state letter and command line.
    public struct Entry: Sendable, Equatable {
        public var pid: Int32
        public var parent: Int32
        public var group: Int32
        public var state: Character
        /// argv joined with spaces (empty for a zombie or a kernel thread).
        public var commandLine: String
    }

    /// Every process now (those that end while being read are skipped).
    public static func snapshot() -> [Entry] {
        let names = (try? FileSystem.listDirectory("/proc")) ?? []
        return names.compactMap(Int32.init).compactMap(entry)
    }

    /// Process `pid`, nil when it does not exist.
    public static func entry(_ pid: Int32) -> Entry? {
        guard let stat = try? FileSystem.readFile("/proc/\(pid)/stat") else { return nil }
        let line = String(decoding: stat, as: UTF8.self)
        // Fields after the command name's last ')': state, ppid, pgrp, …
        guard let close = line.lastIndex(of: ")") else { return nil }
        let fields = line[line.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let parent = Int32(fields[1]),
            let group = Int32(fields[2])
        else { return nil }
        let argv = (try? FileSystem.readFile("/proc/\(pid)/cmdline")) ?? []
        let commandLine = String(decoding: Array(argv.split(separator: 0).joined(separator: [32])), as: UTF8.self)
        return Entry(pid: pid, parent: parent, group: group, state: state, commandLine: commandLine)
    }

    /// The descendants of `pid` (children, their children, …), not `pid` itself.
    public static func descendants(of pid: Int32, in table: [Entry] = snapshot()) -> [Entry] {
        var found: [Entry] = []
        var frontier: Set<Int32> = [pid]
        while !frontier.isEmpty {
            let children = table.filter { frontier.contains($0.parent) }
            found += children
            frontier = Set(children.map(\.pid))
        }
        return found
    }

    /// The processes, not zombies, whose command line contains `text`.
    public static func mentioning(_ text: String, in table: [Entry] = snapshot()) -> [Entry] {
        table.filter { $0.state != "Z" && $0.commandLine.contains(text) }
    }

    /// Whether process `pid` has ended: gone, or a zombie waiting for its parent.
    public static func hasEnded(_ pid: Int32) -> Bool {
        guard let entry = entry(pid) else { return true }
        return entry.state == "Z" || entry.state == "X"
    }

    /// The signals process `pid` ignores (`SigIgn` of `/proc/<pid>/status`).
    public static func ignoredSignals(_ pid: Int32) -> Set<Signal> {
        guard let bytes = try? FileSystem.readFile("/proc/\(pid)/status") else { return [] }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("SigIgn:") }),
            let mask = UInt64(line.dropFirst("SigIgn:".count).filter { !$0.isWhitespace }, radix: 16)
        else { return [] }
        return Set((1...64).filter { mask & (1 << UInt64($0 - 1)) != 0 }.map { Signal(rawValue: CInt($0)) })
    }
}
