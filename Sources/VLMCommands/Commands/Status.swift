// SPDX-License-Identifier: Apache-2.0
import ArgumentParser
import Platform

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

/// Renders a `StatusReport` as text or JSON (no Foundation needed).
enum StatusFormat {
    static func table(_ report: StatusReport) -> String {
        var out = "ID  NAME                STATE    PID      RESTARTS\n"
        for vm in report.vms {
            out += pad("\(vm.id)", 4) + pad(vm.name, 20) + pad(vm.state, 9) + pad(vm.pid.map(String.init) ?? "-", 9)
                + "\(vm.restarts)\n"
        }
        if !report.vlinks.isEmpty {
            out += "\nVLINK               LINK  SERVER  CLIENT  S-STATE  C-STATE\n"
            for v in report.vlinks {
                out += pad(v.name, 20) + pad("\(v.link)", 6) + pad("\(v.server)", 8) + pad("\(v.client)", 8)
                    + pad(v.serverState, 9) + v.clientState + "\n"
            }
        }
        return out + "\nuptime \(report.uptimeMilliseconds / 1000).\(report.uptimeMilliseconds % 1000 / 100) s\n"
    }

    static func json(_ report: StatusReport) -> String {
        let vms = report.vms.map {
            #"{"id":\#($0.id),"name":\#(quote($0.name)),"state":\#(quote($0.state)),"pid":\#($0.pid.map(String.init) ?? "null"),"restarts":\#($0.restarts)}"#
        }
        let vlinks = report.vlinks.map {
            #"{"name":\#(quote($0.name)),"link":\#($0.link),"server":\#($0.server),"client":\#($0.client),"serverState":\#(quote($0.serverState)),"clientState":\#(quote($0.clientState))}"#
        }
        let uptime = Double(report.uptimeMilliseconds) / 1000
        return #"{"vms":[\#(vms.joined(separator: ","))],"vlinks":[\#(vlinks.joined(separator: ","))],"uptime":\#(uptime)}"# + "\n"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s + String(repeating: " ", count: max(1, width - s.count))
    }
}
