// SPDX-License-Identifier: Apache-2.0
import PlatformSys

extension VMSandbox {
    /// The VM's init (`vlm guest --sandbox-init`), PID 1 of the VM's PID
    /// namespace, in the holder's mount namespace: fd 3 talks to the holder,
    /// fd 4 hears from it. Mounts the VM's procfs (on the `exec-proc/` the
    /// holder staged at `procStaging`, then over `/proc`), takes the user namespace
    /// (the holder maps its ids), then network, IPC, UTS and mount namespaces
    /// owned by it; sets the hostname to `label`, brings `lo` up, mounts the
    /// VM's own `mqueue` and `devpts`, says ready, starts `vl,init` (`command`)
    /// and reaps every process that ends in the VM until it is killed.
    public static func runInit(
        id: Int, label: String, procStaging: String, runDirectory: String, command: [String]
    ) -> GuestExit {
        let console = GuestConsole(vm: id)
        do {
            // Armed first: SIGCHLD must queue for the reaper, not be lost.
            let signals = try SignalFD([.childExited, .terminate, .interrupt, .hangUp])
            // The holder is outside this PID namespace: its death comes as SIGKILL.
            guard try ParentDeath.arm(expectedParent: 0) else { return .orphaned }
            try VMNamespace.finishProc(staging: procStaging, runDirectory: runDirectory)
            try Namespaces.unshare(.user)
            let toHolder = try OwnedFD.duplicate(of: 3)
            let fromHolder = try OwnedFD.duplicate(of: 4)
            try toHolder.writeAll([1])
            guard case .processed(let mapped) = try fromHolder.read(upTo: 1), mapped == [1] else { return .orphaned }
            try Namespaces.unshare([.mount, .network, .ipc, .uts])
            try Namespaces.setHostname(label)
            try Namespaces.bringLoopbackUp()
            try MountNamespace.mountFresh("mqueue", at: "/dev/mqueue")
            try MountNamespace.mountFresh(
                "devpts", at: "/dev/pts", options: "newinstance,ptmxmode=0666,mode=0620,gid=5", devices: true)
            try toHolder.writeAll([1])
            // The guest must hold this procfs (its exec-proc/ view lists it) before vl,init looks at /proc.
            guard case .processed(let go) = try fromHolder.read(upTo: 1), go == [1] else { return .orphaned }
            // The name says "ready" to `vlm exec` (VMSandbox.initProcess).
            try ProcessInfo.setName(initName(id))
            let initPID = try startInit(command, vm: id, console: console)
            return try reap(signals, initPID: initPID, console: console)
        } catch {
            console.write("vm\(id): sandbox init: \(error)")
            return .bootFailed
        }
    }

    /// Starts `vl,init` (looked up on PATH) with the VM's console as stdout and stderr.
    private static func startInit(_ command: [String], vm: Int, console: GuestConsole) throws -> Int32? {
        guard !command.isEmpty else { return nil }
        let devNull = try FileSystem.openReadOnly("/dev/null")
        do {
            let process = try ChildProcess.spawn(
                executable: command[0], arguments: command, descriptors: [devNull.rawValue, 1, 2],
                newProcessGroup: false, searchPath: true)
            console.write("vm\(vm): started vl,init \(command.joined(separator: " ")) (pid \(process.pid))")
            return process.pid
        } catch {
            console.write("vm\(vm): vl,init: cannot run \(command[0]): \(error.errno)")
            return nil
        }
    }

    /// PID 1's loop: reaps whatever ends (orphans included), reports `vl,init`'s end.
    private static func reap(_ signals: SignalFD, initPID: Int32?, console: GuestConsole) throws -> GuestExit {
        let epoll = try Epoll<SandboxToken>()
        try epoll.add(signals.rawValue, token: .signals)
        while true {
            _ = try epoll.wait()
            _ = try signals.drain()
            for (pid, status) in try ChildProcess.reapAny() where pid == initPID {
                console.write("vm\(console.vm): vl,init \(status)")
            }
        }
    }
}

/// The init's one epoll registration.
enum SandboxToken: UInt64, EpollToken {
    case signals = 1

    var epollData: UInt64 { rawValue }
    init?(epollData: UInt64) { self.init(rawValue: epollData) }
}
