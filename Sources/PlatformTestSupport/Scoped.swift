// SPDX-License-Identifier: Apache-2.0
public import PlatformSys
import Synchronization

/// Creates a fresh directory under `/tmp`, runs `body` with its path, and
/// removes it with everything inside, whatever `body` does.
@discardableResult
public func withTemporaryDirectory<R>(
    prefix: String = "vlm-test.", _ body: (String) async throws -> R
) async throws -> R {
    let path = try FileSystem.makeTemporaryDirectory(prefix: prefix)
    do {
        let result = try await body(path)
        try FileSystem.removeTree(path)
        return result
    } catch {
        try? FileSystem.removeTree(path)
        throw error
    }
}

/// Synchronous `withTemporaryDirectory`.
@discardableResult
public func withTemporaryDirectory<R>(prefix: String = "vlm-test.", _ body: (String) throws -> R) throws -> R {
    let path = try FileSystem.makeTemporaryDirectory(prefix: prefix)
    defer { try? FileSystem.removeTree(path) }
    return try body(path)
}

/// A `vlm.`-prefixed shared-memory name no other test or run uses.
public func uniqueSharedMemoryName(_ tag: String = "test") -> String {
    "vlm.\(tag).\(ProcessInfo.currentID).\(UniqueCounter.next())"
}

/// Creates a POSIX shared-memory object of `size` bytes, runs `body`, and
/// unlinks the object afterwards (even if `body` throws).
@discardableResult
public func withSharedMemory<R>(size: Int, _ body: (SharedMemory) throws -> R) throws -> R {
    let name = uniqueSharedMemoryName()
    let memory = try SharedMemory.create(name: name, size: size)
    defer { try? SharedMemory.unlink(name: name) }
    return try body(memory)
}

/// Polls `condition` every `interval` until it holds or `timeout` passes; returns whether it held.
public func waitUntil(
    timeout: Duration = .seconds(5), interval: Duration = .milliseconds(10), _ condition: () throws -> Bool
) rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try condition() { return true }
        ProcessInfo.sleep(for: interval)
    }
    return try condition()
}

/// The first executable named `name` on `PATH`, nil when there is none.
public func executableOnPath(_ name: String) -> String? {
    let path = FileSystem.environment("PATH") ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileSystem.isExecutable($0) }
}

/// Process-wide counter for unique names.
enum UniqueCounter {
    private static let value = Mutex(0)
    static func next() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}
