import NKViews
// SPDX-License-Identifier: Apache-2.0
import Platform
import Testing

/// Writes to the built-in properties the platform reads through `/sys/nk/prop`
/// (issue 17): a value that means nothing is EINVAL and changes nothing, as
/// `/proc/nk/focus` refuses a bad id.
@Suite(.timeLimit(.minutes(2)), .serialized) struct PropertyWriteTests {
    func write(_ platform: ViewsPlatform, _ name: String, _ text: String) throws -> ViewShellResult {
        try ViewShell.write(platform.path(2, "sys/nk/prop/" + name), text)
    }

    @Test("nk.focus takes a configured VM id, as one byte or as decimal text")
    func focusTakesAVMID() throws {
        let platform = try ViewsPlatform()
        #expect(try write(platform, "nk.focus", "3\n").status == 0)
        #expect(platform.supervisor.propertyValue("nk.focus") == [3])
        #expect(try platform.cat(4, "proc/nk/focus") == "3\n")
        #expect(try write(platform, "nk.focus", "\u{4}").status == 0)
        #expect(platform.supervisor.propertyValue("nk.focus") == [4])
        // Any byte was stored: `proc/nk/focus` then read 51 or 255, no such VM.
        for text in ["9", "1", "0", "\u{1}", "\u{9}", "\u{ff}", "abc", "3 4", "-3", "31", "\n", "33333333333333333333"]
        {
            let result = try write(platform, "nk.focus", text)
            #expect(result.status != 0 && result.error.contains("EINVAL"), "'\(text)': \(result.error)")
        }
        #expect(platform.supervisor.propertyValue("nk.focus") == [4], "nothing changed")
    }

    @Test("nk.monitoring.enable takes 0, 1 or 2, binary or ASCII")
    func monitoringEnableTakesALevel() throws {
        let platform = try ViewsPlatform()
        for text in ["2", "1\n", "\u{1}", "\u{2}"] {
            #expect(try write(platform, "nk.monitoring.enable", text).status == 0, "'\(text)'")
        }
        for text in ["7", "22", "x", "3\n", "\u{3}", "2 "] {
            let result = try write(platform, "nk.monitoring.enable", text)
            #expect(result.status != 0 && result.error.contains("EINVAL"), "'\(text)': \(result.error)")
        }
        #expect(platform.supervisor.propertyValue("nk.monitoring.enable") == [2])
    }

    @Test("properties of the configuration take any bytes")
    func configuredPropertiesTakeAnyBytes() throws {
        let platform = try ViewsPlatform()
        #expect(try write(platform, "nk.panic-trigger", "\u{ff}").status == 0)
        #expect(platform.supervisor.propertyValue("nk.panic-trigger") == [0xff])
    }
}
