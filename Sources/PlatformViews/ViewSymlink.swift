// SPDX-License-Identifier: Apache-2.0

/// A symbolic link in a view tree, such as `/sys/nk/props` → `prop`.
public final class ViewSymlink: Sendable {
    /// The link's content, relative to the directory holding it or absolute.
    public let target: String

    /// A link to `target`.
    public init(to target: String) {
        self.target = target
    }
}
