// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import PlatformTestSupport
import Testing

/// Offsets a caller chooses (issue 17 audit): `lseek` on a view directory or
/// file to any offset, then a read, answers (the end) and crashes nothing.
@Suite("vlm run: views read from any offset", .timeLimit(.minutes(2)), .serialized, .enabled(if: VLMBinary.isBuilt))
struct ViewsOffsetTests {
    /// For each path in argv: `lseek` to each offset, then `getdents64` (a
    /// directory) or `read` (a file); prints one result per line.
    static let seekAndRead = """
        import ctypes, os, sys
        libc = ctypes.CDLL(None, use_errno=True)
        buf = ctypes.create_string_buffer(4096)
        for path in sys.argv[1:]:
            for offset in ((1 << 63) - 1, 1 << 62, 1 << 32, 100000):
                fd = os.open(path, os.O_RDONLY)
                os.lseek(fd, offset, os.SEEK_SET)
                n = libc.syscall(217, fd, buf, 4096) if os.path.isdir(path) else libc.read(fd, buf, 4096)
                print(n if n >= 0 else -ctypes.get_errno())
                os.close(fd)
        """

    @Test("getdents and read past the end, up to Int64.max: nothing, and the VM stays up")
    func hugeOffsets() throws {
        try withTemporaryDirectory { dir in
            let platform = try RunningPlatform(
                source: RuntimeFixtures.threeVMs(), in: dir, extraArguments: ["--no-init"])
            let views = dir + "/run/vm2"
            let paths = [
                views, views + "/proc/nk", views + "/sys/nk/prop", views + "/proc/nk/props", views + "/proc/nk/id",
            ]
            // A readdir offset near Int.max trapped counting up from it (illegal instruction).
            let outcome = try ProcessRunner.run(
                "/usr/bin/env", ["python3", "-c", Self.seekAndRead] + paths, timeout: 20)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            // A file read at Int64.max is refused by the kernel itself (offset + count overflows).
            let directory = "0\n0\n0\n0\n"
            let file = "-22\n0\n0\n0\n"
            #expect(outcome.outputText == String(repeating: directory, count: 3) + file + file, "\(outcome.outputText)")
            #expect(try vmTable(platform)[2]?.restarts == 0)
            #expect(platform.crashLines().isEmpty, "\(platform.crashLines())")
            #expect(try platform.stop() == .exited(0))
        }
    }
}
