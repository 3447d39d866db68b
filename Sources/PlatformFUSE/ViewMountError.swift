// SPDX-License-Identifier: Apache-2.0

/// Why a view tree could not be mounted.
public enum ViewMountError: Error, Sendable, CustomStringConvertible {
    /// libfuse refused the options (`fuse_session_new` failed).
    case sessionFailed
    /// Mounting at the path failed (missing directory, no permission, no `/dev/fuse`).
    case mountFailed(path: String)
    /// A syscall around the session failed.
    case system(String)

    public var description: String {
        switch self {
        case .sessionFailed: "cannot create a FUSE session (libfuse rejected the options)"
        case .mountFailed(let path): "cannot mount the views at \(path)"
        case .system(let message): "FUSE setup failed: \(message)"
        }
    }
}
