// SPDX-License-Identifier: Apache-2.0
import CVPlat
import Glibc
import SystemPackage

/// A shared-memory object: a POSIX `shm_open` object named `vlm.…` (visible as
/// `/dev/shm/vlm.…`, so a dead run's leftovers can be found and removed) or
/// an anonymous memfd. Map it with `map()`.
public final class SharedMemory: Sendable {
    /// Every POSIX object vlm creates has a name starting with this.
    public static let namePrefix = "vlm."
    /// Where Linux shows POSIX shared-memory objects.
    public static let directory = "/dev/shm"

    /// The owned descriptor.
    public let descriptor: OwnedFD
    /// The object's name without the leading `/` (`vlm.…`), nil for a memfd.
    public let name: String?
    /// Size in bytes.
    public let size: Int

    private init(descriptor: consuming OwnedFD, name: String?, size: Int) {
        self.descriptor = descriptor
        self.name = name
        self.size = size
    }

    /// Creates a new object `name` (must start with `vlm.`, no `/`) of `size`
    /// bytes, mode 0600; fails with `EEXIST` when it already exists.
    /// The corresponding C functions are `shm_open(O_CREAT|O_EXCL)` and `ftruncate`.
    public static func create(name: String, size: Int) throws(SyscallError) -> SharedMemory {
        let path = try objectPath(name)
        // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
        let fd = OwnedFD(
            adopting: try syscall("shm_open") {
                unsafe shm_open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            })
        do {
            try syscall("ftruncate") { ftruncate(fd.rawValue, off_t(size)) }
        } catch {
            // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
            _ = unsafe shm_unlink(path)
            throw error
        }
        return SharedMemory(descriptor: fd, name: name, size: size)
    }

    /// Opens the existing object `name` read-write; its size comes from `fstat`.
    public static func open(name: String) throws(SyscallError) -> SharedMemory {
        let path = try objectPath(name)
        // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
        let fd = OwnedFD(adopting: try syscall("shm_open") { unsafe shm_open(path, O_RDWR | O_CLOEXEC, 0) })
        let size = try fileSize(fd.rawValue)
        return SharedMemory(descriptor: fd, name: name, size: size)
    }

    /// Wraps a received shared-memory descriptor (shm or memfd); size from `fstat`.
    public static func adopting(_ descriptor: consuming OwnedFD, name: String? = nil) throws(SyscallError)
        -> SharedMemory
    {
        let size = try fileSize(descriptor.rawValue)
        return SharedMemory(descriptor: descriptor, name: name, size: size)
    }

    /// Creates an anonymous object of `size` bytes. The corresponding C function is `memfd_create`.
    public static func anonymous(label: String, size: Int) throws(SyscallError) -> SharedMemory {
        // SAFETY: `label` is bridged to a C string for the call only.
        let fd = OwnedFD(
            adopting: try syscall("memfd_create") { unsafe CVPlat_memfd_create(label, CVPlat_MFD_CLOEXEC) })
        try syscall("ftruncate") { ftruncate(fd.rawValue, off_t(size)) }
        return SharedMemory(descriptor: fd, name: nil, size: size)
    }

    /// Removes the name `name`; mappings stay valid. The corresponding C function is `shm_unlink`.
    public static func unlink(name: String) throws(SyscallError) {
        let path = try objectPath(name)
        // SAFETY: the String is bridged to a NUL-terminated C string that lives for the call only.
        try syscall("shm_unlink") { unsafe shm_unlink(path) }
    }

    /// The names (without `/`) in `/dev/shm` that start with `prefix` (default `vlm.`), sorted.
    public static func list(prefix: String = namePrefix) throws(SyscallError) -> [String] {
        try FileSystem.listDirectory(directory).filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// Maps the whole object shared and read-write.
    public func map() throws(SyscallError) -> MappedRegion {
        try MappedRegion(mapping: descriptor.rawValue, size: size)
    }

    static func objectPath(_ name: String) throws(SyscallError) -> String {
        guard name.hasPrefix(namePrefix), !name.contains("/"), name.utf8.count < 255 else {
            throw SyscallError(call: "shm_open", errno: .invalidArgument)
        }
        return "/" + name
    }

    static func fileSize(_ fd: CInt) throws(SyscallError) -> Int {
        var info = stat()
        // SAFETY: fstat fills the local stat buffer.
        try syscall("fstat") { unsafe fstat(fd, &info) }
        return Int(info.st_size)
    }
}
