// SPDX-License-Identifier: Apache-2.0

/// `vlm check`'s output: a platform as text tables or as JSON.
public enum PlatformReport {
    /// Three tables: VMs, vlinks, properties.
    public static func tables(_ spec: PlatformSpec) -> String {
        let vms = TextTable(header: ["ID", "NAME", "CPUS", "RESTART", "COLOR", "INIT"])
        for vm in spec.vms {
            vms.add([
                "\(vm.id)", vm.name, vm.cpus.isEmpty ? "any" : vm.cpus.map(String.init).joined(separator: ","),
                vm.restart.rawValue, vm.color ?? "-", vm.initArgv.isEmpty ? "-" : shellWords(vm.initArgv),
            ])
        }
        let vlinks = TextTable(header: ["NAME", "LINK", "SERVER", "CLIENT", "SERVER INFO", "CLIENT INFO"])
        for vlink in spec.vlinks {
            vlinks.add([
                vlink.name, "\(vlink.link)", vmLabel(vlink.serverID, spec), vmLabel(vlink.clientID, spec),
                quoted(vlink.serverInfo), quoted(vlink.clientInfo),
            ])
        }
        let properties = TextTable(header: ["NAME", "SIZE", "VALUE", "GET", "SET", "NOTIFY", "FROM"])
        for property in spec.properties {
            properties.add([
                property.name, "\(property.size)", cell(PropertyText.value(property)), permission(property.allowGet),
                permission(property.allowSet), permission(property.allowNotify),
                property.builtIn == nil ? "config" : "built-in",
            ])
        }
        return "VMs\n\(vms.render())\nVlinks\n\(vlinks.render())\nProperties\n\(properties.render())"
    }

    /// `{"vms":[…],"vlinks":[…],"properties":[…]}`, keys in a fixed order, one object per line.
    public static func json(_ spec: PlatformSpec) -> String {
        let vms = spec.vms.map { vm in
            JSON.object([
                ("id", .number(vm.id)), ("name", .string(vm.name)), ("cpus", .array(vm.cpus.map { .number($0) })),
                ("restart", .string(vm.restart.rawValue)), ("init", .array(vm.initArgv.map { .string($0) })),
                ("color", vm.color.map { .string($0) } ?? .null), ("node", .string(vm.nodePath)),
            ])
        }
        let vlinks = spec.vlinks.map { vlink in
            JSON.object([
                ("name", .string(vlink.name)), ("link", .number(vlink.link)), ("server", .number(vlink.serverID)),
                ("client", .number(vlink.clientID)), ("serverInfo", .string(vlink.serverInfo)),
                ("clientInfo", .string(vlink.clientInfo)), ("symmetric", .bool(vlink.isSymmetric)),
                ("serverNode", .string(vlink.server.nodePath)), ("clientNode", .string(vlink.client.nodePath)),
            ])
        }
        let properties = spec.properties.map { property in
            JSON.object([
                ("name", .string(property.name)), ("size", .number(property.size)),
                ("value", .string(PropertyText.value(property, unset: ""))), ("isSet", .bool(property.value != nil)),
                ("allowGet", .string(property.allowGet.description)),
                ("allowSet", .string(property.allowSet.description)),
                ("allowNotify", .string(property.allowNotify.description)), ("builtIn", .bool(property.builtIn != nil)),
            ])
        }
        let lines = [
            "{\"vms\":[", list(vms), "],\"vlinks\":[", list(vlinks), "],\"properties\":[", list(properties), "]}",
        ]
        return lines.filter { !$0.isEmpty }.joined(separator: "\n") + "\n"
    }

    private static func list(_ items: [JSON]) -> String { items.map(\.text).joined(separator: ",\n") }

    private static func vmLabel(_ id: Int, _ spec: PlatformSpec) -> String {
        if id == PlatformLimits.hypervisorID { return "1 (hypervisor)" }
        return spec.vm(id: id).map { $0.name == "vm\(id)" ? "\(id)" : "\(id) (\($0.name))" } ?? "\(id)"
    }

    private static func permission(_ set: VMSet) -> String { set == .none ? "-" : set.description }

    private static func quoted(_ text: String) -> String { text.isEmpty ? "-" : "\"\(text)\"" }

    /// A value as a table cell: `""` when empty, cut at 40 characters.
    private static func cell(_ value: String) -> String {
        if value.isEmpty { return "\"\"" }
        return value.count > 40 ? value.prefix(39) + "…" : value
    }

    /// argv as a shell would need it typed.
    static func shellWords(_ argv: [String]) -> String {
        argv.map { word in
            let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "/._-=,:+@%".contains($0) }
            return plain ? word : "'" + word.replacing("'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}

/// How property values are shown.
public enum PropertyText {
    /// Printable text as is (without a final NUL; a lone NUL is ""), anything else as `0x` and hex bytes;
    /// `unset` when the value is not set (`Not set` in `/proc/nk/props`).
    public static func value(_ property: PropertySpec, unset: String = "(not set)") -> String {
        guard var bytes = property.value else { return property.builtIn?.isLive == true ? "(live)" : unset }
        if bytes.last == 0 { bytes.removeLast() }
        if bytes.isEmpty && !property.value!.isEmpty { return "" }
        if !bytes.isEmpty, bytes.allSatisfy({ (0x20..<0x7F).contains($0) }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        let digits = Array("0123456789abcdef")
        return "0x" + String(property.value!.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}
