// SPDX-License-Identifier: Apache-2.0
import PlatformSys
import PlatformTestSupport
import Testing

@Suite("file locks and files", .timeLimit(.minutes(2)))
struct FileLockTests {
    @Test("a second holder is refused while the first holds the lock")
    func secondHolderRefused() throws {
        try withTemporaryDirectory { dir in
            let first = try FileLock.tryAcquire(path: dir + "/vlm.pid")
            let second = try FileLock.tryAcquire(path: dir + "/vlm.pid")
            #expect(first != nil)
            #expect(second == nil)
        }
    }

    @Test("the lock is free again once its holder is gone")
    func releasedWithHolder() throws {
        try withTemporaryDirectory { dir in
            var first = try FileLock.tryAcquire(path: dir + "/vlm.pid")
            #expect(first != nil)
            first = nil
            #expect(try FileLock.tryAcquire(path: dir + "/vlm.pid") != nil)
        }
    }

    @Test("a lock held by a killed process is released by the kernel")
    func lockOfKilledProcessReleased() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/vlm.pid"
            let ready = try Pipe()
            let child = try ChildProcess.spawn(
                executable: "/usr/bin/flock",
                arguments: ["flock", "-n", "-o", path, "sh", "-c", "echo locked; exec sleep 30"],
                descriptors: [nil, ready.writeEnd.rawValue, 2])
            #expect(try ready.readEnd.read(upTo: 16) == .processed(Array("locked\n".utf8)))
            #expect(try FileLock.tryAcquire(path: path) == nil)

            try Signal.send(.kill, to: -child.pid)  // its process group: flock and its shell
            _ = try child.wait()

            #expect(try FileLock.tryAcquire(path: path) != nil)
        }
    }

    @Test("the pid written through the lock is the file's content")
    func writeThroughLock() throws {
        try withTemporaryDirectory { dir in
            let lock = try #require(try FileLock.tryAcquire(path: dir + "/vlm.pid"))
            try lock.write(Array("123456\n".utf8))
            try lock.write(Array("42\n".utf8))
            #expect(try FileSystem.readFile(dir + "/vlm.pid") == Array("42\n".utf8))
        }
    }

    @Test("atomic writes replace the file; removeTree removes everything")
    func atomicWriteAndRemoveTree() throws {
        let dir = try FileSystem.makeTemporaryDirectory(prefix: "vlm-test.")
        try FileSystem.createDirectory(dir + "/a/b/c")
        try FileSystem.writeAtomically(dir + "/a/b/c/ready", Array("1".utf8))
        try FileSystem.writeAtomically(dir + "/a/b/c/ready", Array("2".utf8))
        #expect(try FileSystem.readFile(dir + "/a/b/c/ready") == Array("2".utf8))
        #expect(try FileSystem.listDirectory(dir + "/a/b/c") == ["ready"])

        try FileSystem.removeTree(dir)

        #expect(!FileSystem.exists(dir))
    }

    @Test("exclusive creation refuses an existing file")
    func exclusiveCreate() throws {
        try withTemporaryDirectory { dir in
            try FileSystem.createExclusively(dir + "/ready", [])
            #expect(throws: SyscallError(call: "open", errno: .fileExists)) {
                try FileSystem.createExclusively(dir + "/ready", [])
            }
        }
    }
}
