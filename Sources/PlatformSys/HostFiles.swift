import Glibc
// SPDX-License-Identifier: Apache-2.0
import SystemPackage

/// Whole-file reads and writes on the host, for the CLI.
public enum HostFiles {
    /// Reads the whole regular file at `path`.
    ///
    /// Only regular files are read: a FIFO or a device such as `/dev/zero`
    /// could block or never end, and the compiler must never hang (the open
    /// is non-blocking, so that a FIFO without a writer does not block it).
    ///
    /// - Throws: `Errno` from `open(2)`/`read(2)`, `EISDIR` for a directory,
    ///   `EINVAL` for another non-regular file.
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec, .nonBlocking])
        defer { try? fd.close() }
        switch fileType(fd) {
        case S_IFREG: break
        case S_IFDIR: throw Errno.isDirectory
        default: throw Errno.invalidArgument
        }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            // SAFETY: the buffer is `chunk`'s own storage, valid for the whole
            // closure; `read` writes at most `count` bytes into it.
            let count = try unsafe chunk.withUnsafeMutableBytes { buffer in
                try unsafe fd.read(into: buffer)
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// Creates or truncates the file at `path` (mode 0644) and writes `bytes` to it.
    ///
    /// - Throws: `Errno` from `open(2)`/`write(2)`.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = try FileDescriptor.open(
            FilePath(path), .writeOnly, options: [.create, .truncate, .closeOnExec],
            permissions: [.ownerReadWrite, .groupRead, .otherRead])
        defer { try? fd.close() }
        _ = try fd.writeAll(bytes)
    }

    /// Writes `bytes` to standard output.
    public static func writeStandardOutput(_ bytes: [UInt8]) throws {
        _ = try FileDescriptor.standardOutput.writeAll(bytes)
    }

    /// Writes `text` to standard error, ignoring failures (nowhere to report them).
    public static func writeStandardError(_ text: String) {
        _ = try? FileDescriptor.standardError.writeAll(Array(text.utf8))
    }

    /// The `S_IFMT` bits of the open file's mode (0 when `fstat(2)` fails).
    private static func fileType(_ fd: FileDescriptor) -> mode_t {
        var status = stat()
        // SAFETY: `status` is a local, fully initialised `stat` that `fstat(2)`
        // fills; it is not retained beyond the call.
        guard unsafe fstat(fd.rawValue, &status) == 0 else { return 0 }
        return status.st_mode & S_IFMT
    }
}
