// SPDX-License-Identifier: Apache-2.0
public import PlatformSys

/// The run directory of one platform (DESIGN §1.1): `vlm.pid` (the lock, holding
/// the supervisor's pid), `vlm.sock`, `ready`, and the names of the run's
/// shared-memory objects, which all start with `vlm.<tag>.` so that the leftovers
/// of a dead run can be found without touching other runs.
public struct RunDirectory: Sendable, Equatable {
    /// The directory.
    public let path: String

    public init(path: String) {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.path = trimmed
    }

    /// The default for config `configName`: `$VLM_RUN_DIR`, else
    /// `/run/vlm/<name>` as root, else `$XDG_RUNTIME_DIR/vlm/<name>`, else
    /// `/tmp/vlm-<uid>/<name>`.
    public static func defaultPath(configName: String) -> String {
        if let dir = FileSystem.environment("VLM_RUN_DIR"), !dir.isEmpty { return dir }
        if ProcessInfo.userID == 0 { return "/run/vlm/\(configName)" }
        if let xdg = FileSystem.environment("XDG_RUNTIME_DIR"), !xdg.isEmpty { return "\(xdg)/vlm/\(configName)" }
        return "/tmp/vlm-\(ProcessInfo.userID)/\(configName)"
    }

    /// `DIR/vlm.pid`: the supervisor's pid; its `flock` marks the directory in use.
    public var pidFile: String { path + "/vlm.pid" }
    /// `DIR/vlm.sock`: the supervisor's control socket.
    public var socket: String { path + "/vlm.sock" }
    /// `DIR/ready`: exists once every VM that boots at start runs.
    public var readyFile: String { path + "/ready" }

    /// A short tag derived from the path (FNV-1a, 32 bits, hex): the run's
    /// namespace in `/dev/shm`.
    public var tag: String {
        var hash: UInt32 = 0x811c_9dc5
        for byte in path.utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// The prefix of every shared-memory object of this run.
    public var sharedMemoryPrefix: String { SharedMemory.namePrefix + tag + "." }
    /// The prefix `Repository.format` and `RepositoryObjects` take: `vlm.<tag>`.
    public var objectPrefix: String { String(sharedMemoryPrefix.dropLast()) }
    /// The repository object.
    public var repositoryObject: String { sharedMemoryPrefix + "repo" }
    /// The PMEM pool object.
    public var pmemObject: String { sharedMemoryPrefix + "pmem" }

    /// Creates the directory, takes its lock and writes our pid, after removing
    /// what a dead run left (stale `ready` first, socket, shm objects). Throws
    /// `RuntimeError.runDirectoryInUse` when a live supervisor holds it.
    ///
    /// While the lock's holder is not the live process `vlm.pid` names, it is
    /// the reaper of a dead run cleaning up (``RunReaper``): wait for it, up to
    /// ``reaperWait``.
    public func acquire() throws -> FileLock {
        try FileSystem.createDirectory(path)
        let clock = ContinuousClock()
        let deadline = clock.now + Self.reaperWait
        while true {
            if let lock = try FileLock.tryAcquire(path: pidFile) {
                try cleanLeftovers()
                try lock.write(Array("\(ProcessInfo.currentID)\n".utf8))
                return lock
            }
            let holder = recordedPID
            if holder.map(Self.isRunning) ?? false || clock.now >= deadline {
                throw RuntimeError.runDirectoryInUse(path: path, pid: holder)
            }
            ProcessInfo.sleep(for: .milliseconds(5))
        }
    }

    /// How long `acquire` waits for a dead run's reaper to finish.
    public static let reaperWait: Duration = .seconds(3)

    /// The pid written in `vlm.pid`, if any.
    var recordedPID: Int32? {
        let text = (try? FileSystem.readFile(pidFile)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return Int32(text.filter(\.isNumber))
    }

    /// Whether `pid` is a process that has not ended (not a zombie).
    static func isRunning(_ pid: Int32) -> Bool {
        ProcessInfo.exists(pid) && (try? ProcessInfo.cpuTimes(of: pid).state) != "Z"
    }

    /// Removes `ready`, the socket, the `vm<N>` mount points (lazily unmounting a
    /// mount a killed run left behind), sandbox scratch directories and every
    /// `/dev/shm` object of this run.
    /// Only call it while holding the lock. Returns the shm objects removed.
    @discardableResult
    public func cleanLeftovers() throws -> [String] {
        try FileSystem.removeIfPresent(readyFile)
        try FileSystem.removeIfPresent(socket)
        removeMountPoints()
        removeSandboxScratch()
        let leftovers = try SharedMemory.list(prefix: sharedMemoryPrefix)
        for name in leftovers { try? SharedMemory.unlink(name: name) }
        return leftovers
    }

    /// Detaches whatever is still mounted at `DIR/vm<N>` (`umount2(MNT_DETACH)`; a
    /// guest's watcher normally did it) and removes those directories when empty.
    private func removeMountPoints() {
        let names = (try? FileSystem.listDirectory(path)) ?? []
        for name in names where name.hasPrefix("vm") && name.count > 2 && name.dropFirst(2).allSatisfy(\.isNumber) {
            let mountPoint = path + "/" + name
            for _ in 0..<8 where FUSESupport.detachMount(mountPoint) {}  // stacked mounts, one by one
            try? FileSystem.removeIfPresent(mountPoint)
        }
    }

    /// Removes the empty scratch directories a VM's sandbox holder left when it
    /// was killed before its init finished (``VMNamespace/scratchPrefix``).
    private func removeSandboxScratch() {
        let names = (try? FileSystem.listDirectory(path)) ?? []
        for name in names where name.hasPrefix(VMNamespace.scratchPrefix) {
            try? FileSystem.removeIfPresent(path + "/" + name)
        }
    }

    /// Clean shutdown: everything `cleanLeftovers` removes, then `vlm.pid` (still locked).
    public func release(_ lock: FileLock) throws {
        try cleanLeftovers()
        try lock.unlinkFile()
    }
}
