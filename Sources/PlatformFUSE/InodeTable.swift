// SPDX-License-Identifier: Apache-2.0
import PlatformViews
import Synchronization

/// The inode numbers of one mount.
///
/// Policy: a number names a *path* (parent number and entry name), not a node object, so
/// a dynamic entry rebuilt on every lookup keeps its number, and a path keeps its number
/// for the life of the mount (also after the kernel forgot it). The root is 1
/// (`FUSE_ROOT_ID`). Lookup counts follow the FUSE protocol: each entry reply adds one,
/// `forget` takes them away; at zero the node is dropped (the number stays reserved).
final class InodeTable: Sendable {
    /// The root's number.
    static let rootNumber: UInt64 = 1

    private struct PathKey: Hashable {
        let parent: UInt64
        let name: String
    }

    private struct Entry {
        let key: PathKey?
        var node: ViewNode?
        var lookups: UInt64
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var numbers: [PathKey: UInt64] = [:]
        var next: UInt64 = InodeTable.rootNumber + 1
    }

    private let state: Mutex<State>

    init(root: ViewDirectory) {
        var state = State()
        state.entries[Self.rootNumber] = Entry(key: nil, node: .directory(root), lookups: 1)
        self.state = Mutex(state)
    }

    /// The node last seen under `number`, or nil if unknown or forgotten.
    func node(_ number: UInt64) -> ViewNode? {
        state.withLock { $0.entries[number]?.node }
    }

    /// The node under `number` as its parent directory resolves it *now* (a dynamic entry
    /// is rebuilt, a replaced static child is seen); the stored node if it cannot be
    /// resolved.
    func currentNode(_ number: UInt64) -> ViewNode? {
        let (key, stored) = state.withLock { ($0.entries[number]?.key, $0.entries[number]?.node) }
        guard let key, case .directory(let parent)? = node(key.parent),
            let fresh = parent.child(named: key.name)
        else { return stored }
        state.withLock { $0.entries[number]?.node = fresh }
        return fresh
    }

    /// Records a successful lookup of `name` in `parent`: returns the path's number and
    /// counts one kernel reference to it.
    func lookUp(parent: UInt64, name: String, node: ViewNode) -> UInt64 {
        state.withLock { state in
            let number = Self.number(for: PathKey(parent: parent, name: name), in: &state)
            state.entries[number]?.node = node
            state.entries[number]?.lookups += 1
            return number
        }
    }

    /// The number of `name` in `parent` for `readdir`, without counting a reference.
    func number(parent: UInt64, name: String) -> UInt64 {
        state.withLock { Self.number(for: PathKey(parent: parent, name: name), in: &$0) }
    }

    /// The kernel dropped `count` references to `number`.
    func forget(_ number: UInt64, count: UInt64) {
        guard number != Self.rootNumber else { return }
        state.withLock { state in
            guard var entry = state.entries[number] else { return }
            entry.lookups -= min(count, entry.lookups)
            if entry.lookups == 0 { entry.node = nil }
            state.entries[number] = entry
        }
    }

    /// Kernel references to `number` (for tests).
    func lookupCount(_ number: UInt64) -> UInt64 {
        state.withLock { $0.entries[number]?.lookups ?? 0 }
    }

    private static func number(for key: PathKey, in state: inout State) -> UInt64 {
        if let number = state.numbers[key] { return number }
        let number = state.next
        state.next += 1
        state.numbers[key] = number
        state.entries[number] = Entry(key: key, node: nil, lookups: 0)
        return number
    }
}
