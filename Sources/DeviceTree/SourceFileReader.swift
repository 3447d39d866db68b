// SPDX-License-Identifier: Apache-2.0

/// How the compiler reads files (`/include/`, `/incbin/`, the input itself).
///
/// `DeviceTree` does no I/O of its own: the caller injects the file system,
/// so the library stays free of libc and Foundation and tests can compile
/// sources held in memory.
public protocol SourceFileReader {
    /// The bytes of the file at `path`, or nil when there is no such file.
    func contents(of path: String) -> [UInt8]?

    /// The bytes of the file at `path`, or why there are none. The default
    /// asks `contents(of:)` and calls nil `.notFound`.
    func read(_ path: String) -> Result<[UInt8], SourceFileProblem>
}

extension SourceFileReader {
    public func read(_ path: String) -> Result<[UInt8], SourceFileProblem> {
        contents(of: path).map { .success($0) } ?? .failure(.notFound)
    }
}

/// Why a source file could not be read.
public enum SourceFileProblem: Error, Equatable, Sendable {
    /// Nothing at that path (the search goes on to the next directory).
    case notFound
    /// The path names a directory.
    case directory
    /// The path names a device, a FIFO or a socket: never read, since it may never end.
    case notRegularFile
    /// The file is there but cannot be read (the reason, e.g. `Permission denied`).
    case unreadable(String)
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
