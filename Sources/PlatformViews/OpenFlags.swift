// SPDX-License-Identifier: Apache-2.0

/// The `open(2)` flags of a request, as the kernel passed them (Linux values).
///
/// Reads and writes carry the file's *current* flags, so an `fcntl(F_SETFL, O_NONBLOCK)`
/// after `open` is seen by the next request.
public struct OpenFlags: Sendable, Hashable {
    /// The raw `flags` word.
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// How the file was opened.
    public enum AccessMode: Sendable, Hashable {
        case readOnly, writeOnly, readWrite
    }

    /// `O_ACCMODE` decoded.
    public var accessMode: AccessMode {
        switch rawValue & 0o3 {
        case 0o1: .writeOnly
        case 0o2: .readWrite
        default: .readOnly
        }
    }

    /// Whether the opener may read (`O_RDONLY` or `O_RDWR`).
    public var wantsRead: Bool { accessMode != .writeOnly }
    /// Whether the opener may write (`O_WRONLY` or `O_RDWR`).
    public var wantsWrite: Bool { accessMode != .readOnly }
    /// `O_NONBLOCK` (`0o4000`): a request that would block answers EAGAIN instead.
    public var isNonBlocking: Bool { rawValue & 0o4000 != 0 }
    /// `O_TRUNC` (`0o1000`): what `echo x > file` asks for; control files ignore it.
    public var truncates: Bool { rawValue & 0o1000 != 0 }

    /// Flags for an open with the given access mode, for tests and in-process callers.
    public static func accessMode(_ mode: AccessMode, nonBlocking: Bool = false) -> OpenFlags {
        let access: Int32 =
            switch mode {
            case .readOnly: 0
            case .writeOnly: 1
            case .readWrite: 2
            }
        return OpenFlags(rawValue: access | (nonBlocking ? 0o4000 : 0))
    }
}
