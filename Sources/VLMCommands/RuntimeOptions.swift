// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform
import PlatformSys

/// `--run-dir DIR`, shared by the runtime commands.
struct RunDirectoryOption: ParsableArguments {
    @Option(
        name: .customLong("run-dir"),
        help: "The platform's run directory (default: $VLM_RUN_DIR, /run/vlm/<config>, $XDG_RUNTIME_DIR/vlm/<config>).")
    var path: String?

    /// The run directory for config `configName` (`demo` when none).
    func resolve(configName: String = "demo") -> RunDirectory {
        RunDirectory(path: path ?? RunDirectory.defaultPath(configName: configName))
    }
}

/// Runs one lifecycle action for `vlm start|stop|restart|pause|resume`.
enum LifecycleCommand {
    static func run(_ action: LifecycleAction, vm: String, runDirectory: RunDirectoryOption) throws {
        do {
            switch try RuntimeClient.send(.lifecycle(action, vm: vm), to: runDirectory.resolve()) {
            case .ok(let text): print(text)
            case .error(let text): throw RuntimeFailure(text)
            case .status: throw RuntimeFailure("unexpected status reply")
            }
        } catch let error as RuntimeError {
            throw RuntimeFailure(error.description)
        }
    }
}

/// A runtime failure: printed as `vlm: error: …`, exit status 1.
struct RuntimeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}

/// Writes `text` and a newline to standard error.
func printError(_ text: String) {
    try? OwnedFD.duplicate(of: 2).writeAll(Array((text + "\n").utf8))
}
