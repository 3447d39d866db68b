// SPDX-License-Identifier: Apache-2.0
import PlatformSys
import PlatformTestSupport
import Testing

/// pidfds of any process (the reaper's view of the supervisor and the guests).
@Suite("process handles (pidfds)", .timeLimit(.minutes(1)))
struct ProcessHandleTests {
    @Test("a handle sees its process run, signals it, and sees it end, reaped or not")
    func lifecycle() throws {
        let child = try ChildProcess.spawn(executable: "/bin/sleep", arguments: ["sleep", "600"], descriptors: [])
        let handle = try ProcessHandle.open(child.pid)

        #expect(handle.pid == child.pid)
        #expect(!handle.hasExited)
        #expect(!handle.waitForExit(timeout: .milliseconds(10)))
        try handle.send(.kill)
        #expect(handle.waitForExit(timeout: .seconds(10)))  // ended, still a zombie: not reaped yet
        #expect(try child.wait() == .signaled(.kill))
        #expect(handle.hasExited)
        try handle.send(.kill)  // after the end: not an error
    }

    @Test("this process's own handle: running")
    func ownProcess() throws {
        let own = try ProcessHandle.open(ProcessInfo.currentID)
        #expect(!own.hasExited)
    }

    @Test("a descriptor is open or not")
    func descriptorOpen() throws {
        let fd = try FileSystem.openReadOnly("/dev/null")
        #expect(FileSystem.isDescriptorOpen(fd.rawValue))
        // (A closed number could be reused at once by another test's thread: use one never valid.)
        #expect(!FileSystem.isDescriptorOpen(-1))
    }
}
