// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform
import PlatformSys
import VLMCommands

/// `vlm-testkit guest …`: `vlm guest` (the same guest kernel, views and
/// vdrivers) plus one test hook: `VLM_NKDDI_SCRIPT_<id>` (``NKDDIScript``
/// commands separated by `;`) runs inside VM `<id>` once it booted, on a
/// thread of its own, printing to the VM's console. The end-to-end tests and
/// `Scripts/bench.d/xirq` drive NKDDI inside real VMs this way.
struct ScriptedGuest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guest", abstract: "Run one VM, with its NKDDI script (started by `run`).", shouldDisplay: false)

    @OptionGroup var guest: Guest

    func run() throws {
        try guest.run(afterBoot: Self.startScript)
    }

    @Sendable static func startScript(vm id: Int, _ environment: GuestEnvironment) throws {
        guard let script = FileSystem.environment("VLM_NKDDI_SCRIPT_\(id)"), !script.isEmpty else { return }
        let commands = script.split(separator: ";").map { $0.trimmingCharacters() }
        let runner = NKDDIScript(
            nk: environment.nkddi, emit: environment.log, sleep: { PlatformSys.ProcessInfo.sleep(for: $0) })
        try DetachedThread.start { _ = runner.run(commands) }
    }
}

extension Substring {
    /// Without leading and trailing spaces.
    fileprivate func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
