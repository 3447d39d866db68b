// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformSys
import PlatformTestSupport

/// `vlm run --no-init Tests/Fixtures/pipes/pipes.dts` in the background, and the
/// host-side tools the pipe end-to-end tests drive its device files with:
///
///     vm3/dev/vpipe0 (write) → vm2/dev/vpipe0 (read)     4 KiB ring (ff8 data bytes)
///     vm2/dev/vpipe1 (write) → vm3/dev/vpipe1 (read)
///     vm3/dev/vbpipe0 ⇄ vm4/dev/vbpipe0                  4 KiB rings (ff0 data bytes)
///
/// `policyConfig` is the platform of the vbpipe `a` policy tests:
///
///     vm2/dev/vbpipe0 ⇄ vm3/dev/vbpipe0                  4 KiB rings; vm2 has `a`, vm3 not
final class PipePlatform {
    static let config = ConfigFixtures.packageRoot + "/Tests/Fixtures/pipes/pipes.dts"
    /// `Tests/Fixtures/pipes/policy.dts`: one vbpipe, `a` on one side only.
    static let policyConfig = ConfigFixtures.packageRoot + "/Tests/Fixtures/pipes/policy.dts"
    /// `Scripts/pipe_soak.py`: the soak, shared with `Scripts/soak`.
    static let soakScript = ConfigFixtures.packageRoot + "/Scripts/pipe_soak.py"
    static var python: String { executableOnPath("python3") ?? "/usr/bin/python3" }

    let platform: RunningPlatform
    /// The run directory: the VMs' views are `run/vm<N>`.
    let run: String

    init(in directory: String, config: String = PipePlatform.config) throws {
        run = directory + "/run"
        platform = try RunningPlatform(runDirectory: run, extraArguments: [config, "--no-init"])
    }

    /// Runs `script` with `/bin/sh -c` in the run directory.
    func sh(_ script: String, timeout: Double = 20) throws -> ProcessOutcome {
        try ProcessRunner.run("/bin/sh", ["-c", script], in: run, timeout: timeout)
    }

    /// Runs Python `code` (after `PipePlatform.prelude`) in the run directory; its output.
    func python(_ code: String, timeout: Double = 20) throws -> ProcessOutcome {
        try ProcessRunner.run(Self.python, ["-c", Self.prelude + code], in: run, timeout: timeout)
    }

    /// Starts Python `code` in the background; `finish()` collects it.
    func startPython(_ code: String) throws -> StartedProcess {
        try ProcessRunner.start([
            "/bin/sh", "-c", "cd \"$0\" && exec \"$1\" -c \"$2\"", run, Self.python, Self.prelude + code,
        ])
    }

    /// `run/vm<vm>/<path>` as text.
    func read(_ vm: Int, _ path: String) -> String {
        String(decoding: (try? FileSystem.readFile("\(run)/vm\(vm)/\(path)")) ?? [], as: UTF8.self)
    }

    /// The data line of minor `minor` in `vm<vm>/proc/nk/<driver>`.
    func procLine(_ vm: Int, _ driver: String, minor: Int = 0) -> String {
        let lines = read(vm, "proc/nk/" + driver).split(separator: "\n").dropFirst()
        return lines.first { $0.split(separator: " ").first == "\(minor)" }.map(String.init) ?? ""
    }

    /// VM `vm`'s guest process id and restart count, from `vlm status --json`.
    func guest(_ vm: Int) -> (pid: Int32, restarts: Int)? {
        guard let output = try? platform.vlm(["status", "--json"]).output,
            let json = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
            let vms = json["vms"] as? [[String: Any]],
            let entry = vms.first(where: { $0["id"] as? Int == vm }),
            let pid = entry["pid"] as? Int, entry["state"] as? String == "running"
        else { return nil }
        return (Int32(pid), entry["restarts"] as? Int ?? 0)
    }

    /// `kill -9` of VM `vm`'s guest process; its pid.
    @discardableResult
    func crash(_ vm: Int) throws -> Int32 {
        guard let pid = guest(vm)?.pid else { throw RuntimeTestFailure("vm\(vm) is not running") }
        guard kill(pid, SIGKILL) == 0 else { throw RuntimeTestFailure("kill \(pid) failed") }
        return pid
    }

    /// Waits until VM `vm` runs again with another process than `old` and its views are back.
    func waitRestarted(_ vm: Int, from old: Int32, timeout: Duration = .seconds(15)) -> Bool {
        waitUntil(timeout: timeout, interval: .milliseconds(50)) {
            guard let now = guest(vm), now.pid != old else { return false }
            return read(vm, "proc/nk/id") == "\(vm)"
        }
    }

    /// Helpers every Python snippet may use.
    static let prelude = #"""
        import os, sys, time, errno, select, signal, ctypes, hashlib
        def err(f):
            try:
                r = f()
                return 'ok' if r is None else r
            except OSError as e:
                return errno.errorcode[e.errno]
        libc = ctypes.CDLL(None, use_errno=True)
        def raw_read(fd, n):
            buf = ctypes.create_string_buffer(n)
            r = libc.read(fd, buf, n)
            return buf.raw[:r] if r >= 0 else errno.errorcode[ctypes.get_errno()]
        def raw_write(fd, data):
            r = libc.write(fd, data, len(data))
            return r if r >= 0 else errno.errorcode[ctypes.get_errno()]
        def raw_open(path, flags):
            r = libc.open(path.encode(), flags)
            return r if r >= 0 else errno.errorcode[ctypes.get_errno()]
        def proc(vm, driver, minor=0):
            """The fields of minor `minor`'s line in vm<vm>/proc/nk/<driver>."""
            for line in open(f'vm{vm}/proc/nk/{driver}').read().splitlines()[1:]:
                if line.split()[:1] == [str(minor)]:
                    return line.split()
            return []
        def wait_for(condition, timeout=20):
            """Waits until `condition()` holds; whether it did."""
            deadline = time.monotonic() + timeout
            while not condition():
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.002)
            return True
        def later(f):
            """Runs `f` on a thread; the thread (join it)."""
            import threading
            t = threading.Thread(target=f)
            t.start()
            return t

        """#
}
