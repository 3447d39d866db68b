// SPDX-License-Identifier: Apache-2.0
public import DeviceTree
import PlatformSys

/// The host file system as the device-tree compiler's `SourceFileReader`
/// (`/include/`, `/incbin/` and the input itself), for `vlm` and the tests.
///
/// A target of its own so that neither side of it depends on the other:
/// `DeviceTree` stays free of I/O and `PlatformSys` of the compiler.
/// Relative paths are relative to the current directory, as dtc's are.
public struct HostSourceFiles: SourceFileReader, Sendable {
    public init() {}

    /// The bytes of the regular file at `path`, or nil when it cannot be read
    /// (`HostFiles.read`: a FIFO or a device is refused, never read).
    public func contents(of path: String) -> [UInt8]? { try? HostFiles.read(path) }
}
