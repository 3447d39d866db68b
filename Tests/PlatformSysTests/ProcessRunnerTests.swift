// SPDX-License-Identifier: Apache-2.0
import PlatformSys
import PlatformTestSupport
import Synchronization
import Testing

@Suite("ProcessRunner children", .timeLimit(.minutes(2)))
struct ProcessRunnerTests {
    @Test("a child starts with no blocked signal and no descriptor but 0, 1 and 2")
    func cleanChild() throws {
        let outcomes = Mutex<Result<[ProcessOutcome], any Error>?>(nil)
        // Started from a thread that blocks SIGHUP, as the test runner's threads
        // block signals: a mask survives exec, so a child could inherit it.
        // (Not through sh: dash clears its mask at startup.)
        try DetachedThread.start {
            let result = Result { () throws -> [ProcessOutcome] in
                try Signal.block([.hangUp])
                return [
                    try ProcessRunner.run("/bin/grep", ["SigBlk", "/proc/self/status"]),
                    try ProcessRunner.run("/bin/ls", ["/proc/self/fd"]),
                ]
            }
            outcomes.withLock { $0 = result }
        }
        #expect(waitUntil(timeout: .seconds(60)) { outcomes.withLock { $0 != nil } })
        let (mask, descriptors) = try #require(try outcomes.withLock { try $0?.get() }).pair

        #expect((mask.status, mask.outputText) == (0, "SigBlk:\t0000000000000000\n"))
        // ls opens /proc/self/fd as 3; nothing of the test process leaked.
        #expect((descriptors.status, descriptors.outputText) == (0, "0\n1\n2\n3\n"))
    }

    @Test("exit codes, output, deadly signals and the time limit are reported")
    func outcomes() throws {
        let exits = try ProcessRunner.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 7"])
        let crashes = try ProcessRunner.run("/bin/sh", ["-c", "kill -SEGV $$"])
        let sleeps = try ProcessRunner.run("/bin/sleep", ["60"], timeout: 0.5)

        #expect((exits.status, exits.outputText, exits.standardError) == (7, "out\n", "err\n"))
        #expect(!exits.crashed && !exits.timedOut)
        #expect((crashes.status, crashes.crashed, crashes.timedOut) == (11, true, false))
        #expect((sleeps.status, sleeps.crashed, sleeps.timedOut) == (9, false, true))
    }
}

extension Array {
    /// The two elements of a two-element array.
    fileprivate var pair: (Element, Element) { (self[0], self[1]) }
}
