// SPDX-License-Identifier: Apache-2.0
import Glibc
import SystemPackage

/// An exclusive `flock` on a file, held while this object lives: the "run
/// directory in use" guard. The kernel drops the lock when the holder dies,
/// even by SIGKILL, so a stale file never blocks the next run.
public final class FileLock: Sendable {
    /// The locked file's path.
    public let path: String
    /// The owned descriptor holding the lock.
    public let descriptor: OwnedFD

    private init(path: String, descriptor: consuming OwnedFD) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Takes the lock on `path` (created mode 0600 if missing) without waiting;
    /// nil when another open file description holds it. Guards against the
    /// holder unlinking the file between our `open` and `flock` by checking the
    /// locked inode is still the one at `path`. The corresponding C function is `flock(LOCK_EX|LOCK_NB)`.
    public static func tryAcquire(path: String) throws(SyscallError) -> FileLock? {
        while true {
            // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
            let fd = OwnedFD(
                adopting: try syscall("open") {
                    unsafe open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
                })
            do {
                try syscall("flock") { flock(fd.rawValue, LOCK_EX | LOCK_NB) }
            } catch  where error.errno == .wouldBlock {
                return nil
            }
            if try sameFile(fd.rawValue, path) { return FileLock(path: path, descriptor: fd) }
        }
    }

    /// Replaces the file's contents (e.g. the supervisor's pid in `vlm.pid`) in place,
    /// keeping the locked inode.
    public func write(_ bytes: [UInt8]) throws(SyscallError) {
        try syscall("ftruncate") { ftruncate(descriptor.rawValue, 0) }
        try syscall("lseek") { lseek(descriptor.rawValue, 0, SEEK_SET) }
        try descriptor.writeAll(bytes)
    }

    /// Removes the file while still holding the lock (clean shutdown).
    public func unlinkFile() throws(SyscallError) {
        try FileSystem.removeIfPresent(path)
    }

    private static func sameFile(_ fd: CInt, _ path: String) throws(SyscallError) -> Bool {
        var open = stat()
        var named = stat()
        // SAFETY: fstat/stat fill the local buffers.
        try syscall("fstat") { unsafe fstat(fd, &open) }
        guard unsafe stat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }
}
