// SPDX-License-Identifier: Apache-2.0
import PlatformSys

extension Supervisor {
    /// More reaper deaths than this are not answered with a new reaper.
    static let reaperRestartLimit = 5

    /// Spawns the run directory's reaper (``RunReaper``), tells it about every
    /// guest already running, and watches it: a reaper that dies is replaced.
    func startReaper() throws {
        let link = try ReaperLink.start(executable: executable, runDirectory: runDirectory)
        reaper = link
        try epoll.add(link.process.pidDescriptor.rawValue, token: .reaper)
        for slot in slots.values { slot.process.map(link.watch) }
    }

    /// The reaper ended while the platform runs (someone killed it): reap it and
    /// start another, so that a `kill -9` of `vlm run` still leaves nothing.
    func reaperEnded() {
        guard let link = reaper, let status = try? link.process.tryWait() else { return }
        try? epoll.remove(link.process.pidDescriptor.rawValue)
        reaper = nil
        guard !shuttingDown, reaperRestarts < Self.reaperRestartLimit else {
            console.log("the run directory's reaper (pid \(link.process.pid)) \(status)")
            return
        }
        reaperRestarts += 1
        do {
            try startReaper()
            console.log(
                "the run directory's reaper (pid \(link.process.pid)) \(status): started another (pid \(reaper!.process.pid))"
            )
        } catch {
            console.log(
                "the run directory's reaper (pid \(link.process.pid)) \(status) and cannot be restarted: \(error)")
        }
    }
}
