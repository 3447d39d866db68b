// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import VLMCommands

/// `vlm-testkit`: the test-only tools, kept out of the shipped `vlm`. `run` is
/// `vlm run` itself (the same supervisor code); its guests are this binary's
/// `guest` (the supervisor re-executes `/proc/self/exe`), which is `vlm guest`
/// plus the `VLM_NKDDI_SCRIPT_<id>` hook. Built by `swift build` for the tests
/// and `Scripts/bench`; not a product.
@main
struct VLMTestKit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vlm-testkit",
        abstract: "Test-only tools for vlm (not shipped).",
        subcommands: [Run.self, ScriptedGuest.self, Reaper.self, NKDDIProbe.self, FuseDemo.self]
    )
}
