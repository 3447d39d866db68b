// SPDX-License-Identifier: Apache-2.0

/// How the compiler reads files (`/include/`, `/incbin/`, the input itself).
///
/// `DeviceTree` does no I/O of its own: the caller injects the file system,
/// so the library stays free of libc and Foundation and tests can compile
/// sources held in memory.
public protocol SourceFileReader {
    /// The bytes of the file at `path`, or nil when there is no such file.
    func contents(of path: String) -> [UInt8]?
}

/// An in-memory file system: path → bytes. For tests and embedded sources.
public struct InMemorySourceFiles: SourceFileReader, Sendable {
    public var files: [String: [UInt8]]

    public init(_ files: [String: [UInt8]] = [:]) { self.files = files }

    public init(_ files: [String: String]) {
        self.files = files.mapValues { Array($0.utf8) }
    }

    public func contents(of path: String) -> [UInt8]? { files[path] }
}
