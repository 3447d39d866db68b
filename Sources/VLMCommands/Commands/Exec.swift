// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform
import PlatformSys

/// `vlm exec VM [--run-dir DIR] -- CMD ARGS…`: runs CMD as a program of the VM,
/// in the VM's sandbox (``VMSandbox``): its PID, mount, network, IPC, UTS and
/// user namespaces, where `/dev` holds the VM's nodes, `/sys/nk` and
/// `/proc/nk` are its views and the platform is out of sight. vlm waits for
/// CMD, passing on the signals it is sent, and ends as CMD did.
struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command inside a VM (its namespaces and views: /dev, /sys/nk, /proc/nk).")

    @Argument(help: "The VM: an id (3) or a name.")
    var vm: String

    @OptionGroup var runDirectory: RunDirectoryOption

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after `--`.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("missing the command after `--`") }
    }

    func run() throws {
        let directory = runDirectory.resolve()
        let (id, guestPID) = try Self.resolve(vm, in: directory)
        let views = GuestDrivers.mountPoint(runDirectory: directory.path, vm: id)
        guard let guestPID, FileSystem.isDirectory(views + "/" + VMNamespace.procView) else {
            throw RuntimeFailure("vm\(id) has no views mounted at \(views) (is it running?)")
        }
        let workingDirectory = Namespaces.currentDirectory()
        do {
            try VMSandbox.enter(vm: id, guestPID: guestPID)
        } catch {
            throw RuntimeFailure("cannot enter vm\(id): \(error)")
        }
        // The same directory inside when there is one (the host's file system is below), else /.
        if (try? Namespaces.changeDirectory(workingDirectory ?? "/")) == nil { try? Namespaces.changeDirectory("/") }
        let forwarded = [
            Signal.interrupt, .terminate, .hangUp, Signal(rawValue: 3), Signal(rawValue: 10), Signal(rawValue: 12),
        ]
        let signals = try SignalFD(forwarded)
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                executable: command[0], arguments: command, descriptors: [0, 1, 2], newProcessGroup: false,
                searchPath: true)
        } catch {
            printError("vlm exec: \(command[0]): \(error)")
            throw ExitCode(error.errno == .noSuchFileOrDirectory ? 127 : 126)
        }
        let status = try ExecWaiter.wait(for: child, passing: signals)
        switch status {
        case .exited(let code):
            throw ExitCode(code)
        case .signaled(let signal):
            // End as CMD did: the shell sees the same signal.
            Signal.restoreDefault(signal)
            try? Signal.unblock([signal])
            try? Signal.raise(signal)
            throw ExitCode(128 + signal.rawValue)
        }
    }

    /// The id of the VM named `vm` (an id or a name) in the running platform and
    /// its guest's pid; an unknown VM is bad input (exit 2).
    static func resolve(_ vm: String, in directory: RunDirectory) throws -> (id: Int, pid: Int32?) {
        let report: StatusReport
        do {
            guard case .status(let status) = try RuntimeClient.send(.status, to: directory) else {
                throw RuntimeFailure("unexpected reply to status")
            }
            report = status
        } catch let error as RuntimeError {
            throw RuntimeFailure(error.description)
        }
        if let match = report.vms.first(where: { String($0.id) == vm || $0.name == vm }) {
            return (match.id, match.pid)
        }
        let known = report.vms.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")
        printError("vlm exec: error: no VM '\(vm)' in the platform at \(directory.path); its VMs: \(known)")
        throw ExitCode(2)
    }
}

/// `vlm exec`'s wait: CMD's end, with the signals sent to vlm (by `kill`, not
/// by the terminal, which signals CMD's process group itself) passed on to CMD.
enum ExecWaiter {
    enum Token: UInt64, EpollToken {
        case child = 1
        case signals = 2
        var epollData: UInt64 { rawValue }
        init?(epollData: UInt64) { self.init(rawValue: epollData) }
    }

    static func wait(for child: ChildProcess, passing signals: SignalFD) throws -> ExitStatus {
        let epoll = try Epoll<Token>()
        try epoll.add(child.pidDescriptor.rawValue, token: .child)
        try epoll.add(signals.rawValue, token: .signals)
        while true {
            if let status = try child.tryWait() { return status }
            for (token, _) in try epoll.wait() where token == .signals {
                for (signal, sender) in try signals.drain() where sender != 0 { try? child.send(signal) }
            }
        }
    }
}
