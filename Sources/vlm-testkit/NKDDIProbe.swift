// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Foundation
import Platform
import PlatformSys
import Synchronization

/// `vlm-testkit nkddi-probe`: runs a script of NKDDI primitives as VM `--vm`
/// over an existing repository (`--prefix`), with the VMs' eventfds inherited as
/// `--doorbell ID=FD`. Prints one line per command (and `irq TAG XIRQ` per
/// handler run). Lifecycle hypercalls are printed as `hypercall …` and answered
/// `done` when no supervisor is attached. Tests use it to drive the primitives
/// across real processes.
struct NKDDIProbe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nkddi-probe",
        abstract: "Run a script of NKDDI primitives inside a VM process (for tests).",
        discussion: NKDDIScript.help
    )

    @Option(help: "This VM's id.") var vm: UInt32
    @Option(help: "Shared-memory name prefix of the repository (vlm.…).") var prefix: String
    @Option(name: .customLong("doorbell"), help: "A VM's eventfd as ID=FD (repeat).") var doorbells: [String] = []
    @Argument(help: "Commands, one per argument.") var commands: [String] = []

    func run() throws {
        let objects = try RepositoryObjects.open(prefix: prefix)
        var bells: [NkOsId: EventFD] = [:]
        for spec in doorbells {
            let parts = spec.split(separator: "=")
            guard parts.count == 2, let id = UInt32(parts[0]), let fd = Int32(parts[1]) else {
                throw ValidationError("bad --doorbell \(spec)")
            }
            bells[id] = EventFD(adopting: OwnedFD(adopting: fd))
        }
        let out = ProbeOutput()
        let nk = NKDDI(
            repository: objects.repository, id: vm, doorbells: bells, hypervisor: PrintingHypervisor(out: out))
        if let own = bells[vm] {
            let thread = Thread { nk.dispatcher.run(waiter: own) }
            thread.start()
        }
        let script = NKDDIScript(nk: nk, emit: out.line, sleep: { PlatformSys.ProcessInfo.sleep(for: $0) })
        guard script.run(commands) else { throw ExitCode(1) }
    }
}

/// Serialised, unbuffered output lines (the dispatcher thread prints too).
final class ProbeOutput: Sendable {
    private let lock = Mutex(())
    func line(_ s: String) {
        lock.withLock { _ in FileHandle.standardOutput.write(Data((s + "\n").utf8)) }
    }
}

/// Prints lifecycle hypercalls instead of sending them (no supervisor).
struct PrintingHypervisor: HypercallChannel {
    let out: ProbeOutput
    func hypercall(_ call: Hypercall) -> HypercallResult {
        out.line("hypercall \(call)")
        return .done
    }
}
