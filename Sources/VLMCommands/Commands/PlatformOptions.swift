// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import DeviceTree
import DeviceTreeHost
import PlatformModel

/// `CONFIG [-i DIR]…`: the platform a command works on; the embedded demo when absent.
struct PlatformOptions: ParsableArguments {
    @Argument(help: "The platform's .dts file (default: the embedded demo platform).")
    var config: String?

    @Option(
        name: [.customShort("i"), .customLong("include")],
        help: "Add a directory to the /include/ and /incbin/ search path.")
    var includePaths: [String] = []

    /// The config's name: its file name without directory and extension, `demo`
    /// for the embedded demo. It names the default run directory.
    var configName: String {
        guard let config else { return "demo" }
        let file = config.split(separator: "/").last.map(String.init) ?? config
        return file.hasSuffix(".dts") ? String(file.dropLast(4)) : file
    }

    /// The file name diagnostics use.
    var fileName: String { config ?? DemoPlatform.fileName }

    /// Compiles the config and builds its platform, printing every diagnostic to standard error.
    ///
    /// - Throws: `ExitCode(2)` when the source or the platform has an error.
    func load() throws -> PlatformSpec { try loadWithTree().spec }

    /// `load()`, with the compiled tree (the runtime serves it as `nk.vlm-dtb`).
    func loadWithTree() throws -> (spec: PlatformSpec, tree: DeviceTree) {
        let options = CompileOptions(includePaths: includePaths)
        let compiled: CompileResult
        do {
            if let config {
                compiled = try DeviceTreeCompiler.compile(file: config, reader: HostSourceFiles(), options: options)
            } else {
                let demo = InMemorySourceFiles([DemoPlatform.fileName: DemoPlatform.source])
                compiled = try DeviceTreeCompiler.compile(file: DemoPlatform.fileName, reader: demo, options: options)
            }
        } catch {
            DiagnosticPrinter.print(error.diagnostics, file: fileName)
            throw ExitCode(2)
        }
        let (spec, diagnostics) = PlatformBuilder.build(compiled.tree)
        DiagnosticPrinter.print(Self.platformRelevant(compiled.diagnostics) + diagnostics, file: fileName)
        guard let spec else { throw ExitCode(2) }
        return (spec, compiled.tree)
    }

    /// dtc's warning-level binding checks (`unit_address_vs_reg` …) fire on every
    /// VLX platform tree (`vm@2` has no `reg`, and the manual's own examples are
    /// written that way), so the platform commands leave them to `vlm dt compile`.
    static func platformRelevant(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.filter { $0.severity == .error || $0.check == nil }
    }
}
