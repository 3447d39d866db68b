// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform
import PlatformSys

/// `vlm exec VM [--run-dir DIR] -- CMD ARGS…`: runs CMD as a program of the VM,
/// in a private mount namespace showing the VM's `dev/` nodes under `/dev`, its
/// `sys/nk` at `/sys/nk` and its `proc/nk` at `/proc/nk` (``VMNamespace``).
/// The process becomes CMD, so CMD's exit status is vlm's.
struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command inside a VM's views (/dev, /sys/nk, /proc/nk).")

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
        let id = try Self.resolve(vm, in: directory)
        let views = GuestDrivers.mountPoint(runDirectory: directory.path, vm: id)
        guard FileSystem.isDirectory(views + "/" + VMNamespace.procView) else {
            throw RuntimeFailure("vm\(id) has no views mounted at \(views) (is it running?)")
        }
        do {
            try VMNamespace.enter(views: views)
            try MountNamespace.clearSignalMask()
        } catch {
            throw RuntimeFailure("cannot enter the views of vm\(id): \(error)")
        }
        do {
            try ChildProcess.exec(command)
        } catch {
            printError("vlm exec: \(command[0]): \(error)")
            throw ExitCode(error.errno == .noSuchFileOrDirectory ? 127 : 126)
        }
    }

    /// The id of the VM named `vm` (an id or a name) in the running platform;
    /// an unknown VM is bad input (exit 2).
    static func resolve(_ vm: String, in directory: RunDirectory) throws -> Int {
        let report: StatusReport
        do {
            guard case .status(let status) = try RuntimeClient.send(.status, to: directory) else {
                throw RuntimeFailure("unexpected reply to status")
            }
            report = status
        } catch let error as RuntimeError {
            throw RuntimeFailure(error.description)
        }
        if let match = report.vms.first(where: { String($0.id) == vm || $0.name == vm }) { return match.id }
        let known = report.vms.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")
        printError("vlm exec: error: no VM '\(vm)' in the platform at \(directory.path); its VMs: \(known)")
        throw ExitCode(2)
    }
}
