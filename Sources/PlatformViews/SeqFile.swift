// SPDX-License-Identifier: Apache-2.0

/// A read-only file whose content is built when it is opened, like a Linux seq_file
/// (`/proc/nk/props`, `/sys/nk/prop/<name>`).
///
/// The FUSE glue opens it with `direct_io`, so a reported size of 0 still reads to the
/// end of the content. Writes are refused with EACCES (manual: the /proc/nk status files
/// are read-only).
public final class SeqFile: Sendable {
    /// What `stat` reports as the file's size.
    public enum SizePolicy: Sendable {
        /// 0, like procfs: cheap, since `stat` need not build the content.
        case zero
        /// The content's length, built on every `stat`: for readers that trust `st_size`,
        /// such as `dtc -I fs`, which reads exactly `st_size` bytes of each property.
        case exact
    }

    /// The file's permission bits (never writable: writes answer EACCES).
    public let permissions: ViewPermissions
    /// What `stat` reports as the size.
    public let sizePolicy: SizePolicy
    private let render: @Sendable () throws(ViewErrno) -> [UInt8]

    /// A seq file whose content `render` builds at each open.
    /// - Parameters:
    ///   - permissions: mode bits; write bits are ignored (EACCES on write regardless).
    ///   - size: what `stat` reports.
    ///   - render: builds the content; throwing answers the open with that errno.
    public init(
        permissions: ViewPermissions = .readOnly,
        size: SizePolicy = .zero,
        render: @escaping @Sendable () throws(ViewErrno) -> [UInt8]
    ) {
        self.permissions = permissions
        self.sizePolicy = size
        self.render = render
    }

    /// A seq file of text (UTF-8, no NUL terminator added).
    public convenience init(
        permissions: ViewPermissions = .readOnly,
        size: SizePolicy = .zero,
        text: @escaping @Sendable () throws(ViewErrno) -> String
    ) {
        self.init(permissions: permissions, size: size) { () throws(ViewErrno) -> [UInt8] in
            Array(try text().utf8)
        }
    }

    /// Builds the content now: what an open does.
    public func snapshot() throws(ViewErrno) -> ViewSnapshot {
        ViewSnapshot(try render())
    }

    /// The size `stat` reports under this file's policy.
    public func reportedSize() -> Int {
        switch sizePolicy {
        case .zero: 0
        case .exact: (try? render().count) ?? 0
        }
    }
}
