// SPDX-License-Identifier: Apache-2.0

/// One entry of a view tree: what `ls -l` shows, and what opening it does.
///
/// The FUSE glue switches over the cases; each case's type holds the behaviour:
/// - ``ViewDirectory``: static children plus an optional dynamic listing.
/// - ``SeqFile``: content built at open (Linux seq_file style), read from that snapshot.
/// - ``ControlFile``: acts on each write (`echo 3 > vmstop`); may also be readable.
/// - ``ViewSymlink``: a symbolic link (`props` → `prop`).
/// - ``DeviceFile``: a device node whose open, read and write may complete later.
public enum ViewNode: Sendable {
    case directory(ViewDirectory)
    case seqFile(SeqFile)
    case controlFile(ControlFile)
    case symlink(ViewSymlink)
    case device(DeviceFile)

    /// The node's permission bits.
    public var permissions: ViewPermissions {
        switch self {
        case .directory(let node): node.permissions
        case .seqFile(let node): node.permissions
        case .controlFile(let node): node.permissions
        case .symlink: .symlink
        case .device(let node): node.permissions
        }
    }

    /// The file-type bits of `st_mode` (Linux values): `S_IFDIR`, `S_IFREG` or `S_IFLNK`.
    ///
    /// Device files are regular files: FUSE cannot serve a character device (a `S_IFCHR`
    /// node would open the host's device with that number), and CUSE is unavailable here.
    public var fileTypeBits: UInt32 {
        switch self {
        case .directory: 0o040000
        case .symlink: 0o120000
        case .seqFile, .controlFile, .device: 0o100000
        }
    }

    /// The full `st_mode`: file type and permissions.
    public var mode: UInt32 {
        fileTypeBits | permissions.rawValue
    }

    /// Whether this node is a directory.
    public var isDirectory: Bool {
        if case .directory = self { return true }
        return false
    }

    /// The object behind the node, to tell whether two lookups found the same node.
    public var identity: ObjectIdentifier {
        switch self {
        case .directory(let node): ObjectIdentifier(node)
        case .seqFile(let node): ObjectIdentifier(node)
        case .controlFile(let node): ObjectIdentifier(node)
        case .symlink(let node): ObjectIdentifier(node)
        case .device(let node): ObjectIdentifier(node)
        }
    }
}
