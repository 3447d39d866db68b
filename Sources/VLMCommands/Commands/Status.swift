// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform
import PlatformModel

/// `vlm status [--run-dir DIR] [--json]`.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the VMs (id, name, state, pid, restarts), the vlinks and the uptime.")

    @OptionGroup var runDirectory: RunDirectoryOption

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let reply: ClientReply
        do {
            reply = try RuntimeClient.send(.status, to: runDirectory.resolve())
        } catch let error as RuntimeError {
            throw RuntimeFailure(error.description)
        }
        guard case .status(let report) = reply else { throw RuntimeFailure("unexpected reply \(reply)") }
        print(json ? StatusFormat.json(report) : StatusFormat.table(report), terminator: "")
    }
}

/// Renders a `StatusReport` as a table or as JSON (PlatformModel's `JSON`).
enum StatusFormat {
    static func table(_ report: StatusReport) -> String {
        var out = "ID  NAME                STATE    PID      RESTARTS\n"
        for vm in report.vms {
            out +=
                pad("\(vm.id)", 4) + pad(vm.name, 20) + pad(vm.state, 9) + pad(vm.pid.map(String.init) ?? "-", 9)
                + "\(vm.restarts)\n"
        }
        if !report.vlinks.isEmpty {
            out += "\nVLINK               LINK  SERVER  CLIENT  S-STATE  C-STATE\n"
            for v in report.vlinks {
                out +=
                    pad(v.name, 20) + pad("\(v.link)", 6) + pad("\(v.server)", 8) + pad("\(v.client)", 8)
                    + pad(v.serverState, 9) + v.clientState + "\n"
            }
        }
        return out + "\nuptime \(report.uptimeMilliseconds / 1000).\(report.uptimeMilliseconds % 1000 / 100) s\n"
    }

    static func json(_ report: StatusReport) -> String {
        let vms = report.vms.map { vm -> JSON in
            .object([
                ("id", .number(vm.id)), ("name", .string(vm.name)), ("state", .string(vm.state)),
                ("pid", vm.pid.map { .number(Int($0)) } ?? .null), ("restarts", .number(vm.restarts)),
            ])
        }
        let vlinks = report.vlinks.map { vlink -> JSON in
            .object([
                ("name", .string(vlink.name)), ("link", .number(vlink.link)), ("server", .number(vlink.server)),
                ("client", .number(vlink.client)), ("serverState", .string(vlink.serverState)),
                ("clientState", .string(vlink.clientState)),
            ])
        }
        let uptime = Double(report.uptimeMilliseconds) / 1000
        return JSON.object([("vms", .array(vms)), ("vlinks", .array(vlinks)), ("uptime", .fraction(uptime))]).text
            + "\n"
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s + String(repeating: " ", count: max(1, width - s.count))
    }
}
