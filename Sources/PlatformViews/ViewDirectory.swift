// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// A directory of a view tree: named static children, plus an optional dynamic listing
/// computed on every lookup and `readdir` (for example one `prop/<name>` per property).
///
/// Static children may be added and removed at any time, from any thread (a vdriver adds
/// its `dev/` node when it probes). A static child hides a dynamic one of the same name.
public final class ViewDirectory: Sendable {
    /// Entries computed on demand.
    public struct Listing: Sendable {
        /// The names, in `ls` order.
        public let names: @Sendable () -> [String]
        /// The node for one name, or `nil` when there is none (ENOENT).
        public let node: @Sendable (String) -> ViewNode?

        /// A listing from a pair of functions: cheap lookups of one name.
        public init(names: @escaping @Sendable () -> [String], node: @escaping @Sendable (String) -> ViewNode?) {
            self.names = names
            self.node = node
        }

        /// A listing from one function that builds every entry (small directories).
        public init(entries: @escaping @Sendable () -> [(String, ViewNode)]) {
            self.names = { entries().map(\.0) }
            self.node = { name in entries().first { $0.0 == name }?.1 }
        }
    }

    /// The directory's permission bits.
    public let permissions: ViewPermissions
    private let listing: Listing?
    private let entries: Mutex<[(name: String, node: ViewNode)]>

    /// A directory with the given static children and optional dynamic listing.
    public init(
        permissions: ViewPermissions = .directory,
        entries: [(String, ViewNode)] = [],
        listing: Listing? = nil
    ) {
        for entry in entries { Self.checkName(entry.0) }
        self.permissions = permissions
        self.listing = listing
        self.entries = Mutex(entries.map { (name: $0.0, node: $0.1) })
    }

    /// Adds `node` as `name`, replacing any static child of that name.
    public func add(_ name: String, _ node: ViewNode) {
        Self.checkName(name)
        entries.withLock { entries in
            if let index = entries.firstIndex(where: { $0.name == name }) {
                entries[index].node = node
            } else {
                entries.append((name: name, node: node))
            }
        }
    }

    /// Removes the static child `name`; returns whether there was one.
    @discardableResult
    public func remove(_ name: String) -> Bool {
        entries.withLock { entries in
            guard let index = entries.firstIndex(where: { $0.name == name }) else { return false }
            entries.remove(at: index)
            return true
        }
    }

    /// The child called `name`: a static child first, else the dynamic listing's.
    public func child(named name: String) -> ViewNode? {
        if let node = entries.withLock({ $0.first { $0.name == name }?.node }) {
            return node
        }
        return listing?.node(name)
    }

    /// Every child name, static ones first, without duplicates.
    public func childNames() -> [String] {
        let fixed = entries.withLock { $0.map(\.name) }
        guard let listing else { return fixed }
        let taken = Set(fixed)
        return fixed + listing.names().filter { !taken.contains($0) }
    }

    /// The directory at `path` below this one (`"proc/nk"`), created with default
    /// permissions where missing. Traps if a component exists and is not a directory.
    @discardableResult
    public func makeDirectories(_ path: String) -> ViewDirectory {
        var directory = self
        for component in path.split(separator: "/").map(String.init) {
            directory = directory.childDirectory(component)
        }
        return directory
    }

    /// The node at a relative `path` (`"sys/nk/prop/name"`), without following symlinks.
    public func node(at path: String) -> ViewNode? {
        var node = ViewNode.directory(self)
        for component in path.split(separator: "/").map(String.init) {
            guard case .directory(let directory) = node, let next = directory.child(named: component) else {
                return nil
            }
            node = next
        }
        return node
    }

    private func childDirectory(_ name: String) -> ViewDirectory {
        entries.withLock { entries in
            if let existing = entries.first(where: { $0.name == name }) {
                guard case .directory(let directory) = existing.node else {
                    preconditionFailure("view path component '\(name)' exists and is not a directory")
                }
                return directory
            }
            let directory = ViewDirectory()
            entries.append((name: name, node: .directory(directory)))
            return directory
        }
    }

    /// A name must be one path component: not empty, not `.` or `..`, without `/` or NUL.
    private static func checkName(_ name: String) {
        precondition(
            !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0"),
            "invalid view entry name '\(name)'"
        )
    }
}
