// SPDX-License-Identifier: Apache-2.0

/// The VMs a property permission names: `"*"` (every VM) or a list of ids
/// (`"3"`, `"2,3"`, `"2", "3"`, `<2 3>`); an empty list is nobody
/// (`allow-set;`, `allow-set = "";`, manual lines 12620 and 12660).
public enum VMSet: Sendable, Hashable, CustomStringConvertible {
    case all
    case only([Int])

    /// Nobody.
    public static let none = VMSet.only([])

    /// True when VM `id` is in the set.
    public func contains(_ id: Int) -> Bool {
        switch self {
        case .all: true
        case .only(let ids): ids.contains(id)
        }
    }

    /// `*`, `2,3`, or the empty string for nobody: the form written in the tree.
    public var description: String {
        switch self {
        case .all: "*"
        case .only(let ids): ids.map(String.init).joined(separator: ",")
        }
    }
}
