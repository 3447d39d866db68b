// SPDX-License-Identifier: Apache-2.0

/// The permission bits of a view node (`rwx` for owner, group, other), as in `st_mode`.
///
/// A view is served to its owner only (the mount has no `allow_other`), and the owner is
/// usually root, which the kernel's own permission check lets through. The views therefore
/// enforce the owner bits themselves: a file without `ownerWrite` refuses writes with
/// EACCES, one without `ownerRead` refuses reads.
public struct ViewPermissions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue & 0o7777
    }

    /// Owner may read (`0o400`).
    public static let ownerRead = ViewPermissions(rawValue: 0o400)
    /// Owner may write (`0o200`).
    public static let ownerWrite = ViewPermissions(rawValue: 0o200)

    /// `r--r--r--`: the usual /proc/nk and /sys/nk read-only file.
    public static let readOnly = ViewPermissions(rawValue: 0o444)
    /// `rw-r--r--`: a file its owner may read and write.
    public static let readWrite = ViewPermissions(rawValue: 0o644)
    /// `-w-------`: a write-only control file such as `/proc/nk/vmstop`.
    public static let writeOnly = ViewPermissions(rawValue: 0o200)
    /// `rw-rw-rw-`: a device node such as `/dev/vpipe0`.
    public static let device = ViewPermissions(rawValue: 0o666)
    /// `r-xr-xr-x`: a directory.
    public static let directory = ViewPermissions(rawValue: 0o555)
    /// `rwxrwxrwx`: a symbolic link (the kernel ignores a link's own bits).
    public static let symlink = ViewPermissions(rawValue: 0o777)

    /// Whether the owner may read.
    public var allowsRead: Bool { contains(.ownerRead) }
    /// Whether the owner may write.
    public var allowsWrite: Bool { contains(.ownerWrite) }
}
