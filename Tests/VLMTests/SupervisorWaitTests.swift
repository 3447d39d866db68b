// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Testing

/// The supervisor never waits on a word a guest can leave held: a property
/// update in progress, a console lock. The test maps the platform's repository
/// and leaves those words as a VM paused or killed inside the update would.
@Suite(
    "vlm run: the supervisor never waits on a guest's word", .timeLimit(.minutes(2)), .serialized,
    .enabled(if: VLMBinary.isBuilt))
struct SupervisorWaitTests {
    /// The running platform's repository, mapped by the test.
    static func repository(_ dir: String) throws -> MappedRegion {
        try SharedMemory.open(name: RunDirectory(path: dir + "/run").repositoryObject).map()
    }

    /// The pid of each running VM from `vlm status`, or nil when the supervisor
    /// did not answer within 10 s (its loop is stuck).
    static func runningPIDs(_ dir: String) throws -> [Int: Int32]? {
        let outcome = try ProcessRunner.run(VLMBinary.path, ["status", "--run-dir", dir + "/run"], timeout: 10)
        guard !outcome.timedOut, outcome.status == 0 else { return nil }
        var pids: [Int: Int32] = [:]
        for line in outcome.outputText.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ")
            if f.count == 5, let id = Int(f[0]), f[2] == "running", let pid = Int32(f[3]) { pids[id] = pid }
        }
        return pids
    }

    /// The offset of property `name`'s sequence word.
    static func sequenceWord(_ repo: MappedRegion, _ name: String) throws -> Int {
        let table = Int(repo.load64(RepositoryABI.Header.propertyTable))
        let count = Int(repo.load32(RepositoryABI.Header.propertyCount))
        let index = try #require(
            (0..<count).first {
                repo.loadCString(table + $0 * RepositoryABI.Property.size, limit: RepositoryABI.Property.nameLimit)
                    == name
            })
        return table + index * RepositoryABI.Property.size + RepositoryABI.Property.sequence
    }

    @Test(
        "input is forwarded while a guest's nk.focus update stays open; the update is closed when that VM dies, another VM's is not"
    )
    func propertyUpdateOfADeadVM() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(), in: dir, scripts: [2: ["conswrite go", "consline"]], withInput: true
            )
            platform.waitForOutput("server | go")
            let repo = try Self.repository(dir)
            let focus = try Self.sequenceWord(repo, "nk.focus")
            let version = try Self.sequenceWord(repo, "nk.version.api")
            // VM 3 (client) is inside an nk.focus update; VM 4 (peer) inside one of nk.version.api.
            let open3 = PropertySequence(word: repo.load32(focus)).claimed(by: 3)
            let open4 = PropertySequence(word: repo.load32(version)).claimed(by: 4)
            repo.store32(focus, open3.word)
            repo.store32(version, open4.word)

            // The old supervisor spun on the odd nk.focus word here, for good.
            try platform.input!.writeEnd.writeAll(Array("typed while busy\n".utf8))
            platform.waitForOutput("server | consline => typed while busy")

            let client = try #require(try Self.runningPIDs(dir)?[3], "the supervisor answers")
            try Signal.send(.kill, to: client)
            let output = platform.waitForOutput("vm3 (client) died updating property nk.focus: update closed")
            #expect(output.contains("vm3 (client) died updating property nk.focus: update closed"))
            #expect(repo.load32(focus) == open3.finished.word, "closed by VM 3's id")
            #expect(repo.load32(version) == open4.word, "VM 4 is alive: its update stays open")
            #expect(!output.contains("died updating property nk.version.api"))
            repo.store32(version, open4.finished.word)
            #expect(try platform.stop() == .exited(0))
        }
    }

    @Test("a VM's output waits while it holds its console lock, and is kept when it dies holding it")
    func consoleLockHeldByAGuest() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(source: RuntimeFixtures.threeVMs(), in: dir)
            let repo = try Self.repository(dir)
            let lock =
                Int(repo.load64(RepositoryABI.Header.vmTable)) + 2 * RepositoryABI.VM.size + RepositoryABI.VM.consLock
            let server = try #require(try Self.runningPIDs(dir)?[2])
            // The guest's stdout: what is written here is in the supervisor's pipe on return.
            let stdout = try FileSystem.openForWriting("/proc/\(server)/fd/1")

            repo.store32(lock, 2)  // VM 2 paused inside nk_cons_write
            try stdout.writeAll(Array("one\n".utf8))
            // Answered in a later loop turn than the pipe's bytes were read. The old
            // supervisor spun on the lock there: `vlm status` went unanswered.
            try #require(try Self.runningPIDs(dir)?[2] == server, "the supervisor answers")
            #expect(!platform.consoleOutput().contains("server | one"))
            repo.store32(lock, 0)  // its write ends
            try stdout.writeAll(Array("two\n".utf8))
            let output = platform.waitForOutput("server | two")
            #expect(lines(output, of: "server").suffix(2) == ["one", "two"], "in order")

            repo.store32(lock, 2)  // VM 2 killed inside nk_cons_write, its last output unread
            try stdout.writeAll(Array("three\n".utf8))
            try #require(try Self.runningPIDs(dir)?[2] == server, "the supervisor answers")
            try Signal.send(.kill, to: server)
            #expect(platform.waitForOutput("server | three").contains("server | three"))
            #expect(try platform.stop() == .exited(0))
        }
    }
}
