// SPDX-License-Identifier: Apache-2.0

/// `vlm graph`: the platform as a Graphviz graph. VMs are boxes; each vlink
/// is one arrow from its client to its server, labelled `name link`;
/// the configured properties are listed in a legend.
public enum PlatformGraph {
    public static func dot(_ spec: PlatformSpec) -> String {
        var lines = [
            "digraph platform {",
            "    rankdir=LR;",
            "    node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\"];",
            "    edge [fontname=\"Helvetica\", fontsize=10];",
        ]
        if spec.vlinks.contains(where: {
            $0.serverID == PlatformLimits.hypervisorID || $0.clientID == PlatformLimits.hypervisorID
        }) {
            lines.append("    vm1 [label=\"VM 1\\nhypervisor\", style=\"dashed\"];")
        }
        for vm in spec.vms {
            var label = "VM \(vm.id)"
            if vm.name != "vm\(vm.id)" { label += "\n\(vm.name)" }
            if !vm.cpus.isEmpty { label += "\ncpus " + vm.cpus.map(String.init).joined(separator: ",") }
            let color = vm.color.map { ", color=\(quote($0))" } ?? ""
            lines.append("    vm\(vm.id) [label=\(quote(label))\(color)];")
        }
        for vlink in spec.vlinks {
            let style = vlink.isSymmetric ? ", style=dashed" : ""
            lines.append(
                "    vm\(vlink.clientID) -> vm\(vlink.serverID) [label=\(quote("\(vlink.name) \(vlink.link)"))\(style)];"
            )
        }
        lines.append("    legend [shape=note, style=filled, fillcolor=lightyellow, label=\(legend(spec))];")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The properties, left-aligned (`\l` line ends).
    private static func legend(_ spec: PlatformSpec) -> String {
        let configured = spec.properties.filter { $0.builtIn == nil }
        var text = "properties\\l"
        for property in configured {
            let line =
                "\(property.name) [\(property.size)] = \(PropertyText.value(property))"
                + "  get \(permission(property.allowGet)) set \(permission(property.allowSet))"
                + " notify \(permission(property.allowNotify))"
            text += escape(line) + "\\l"
        }
        let builtIns = spec.properties.count - configured.count
        text += "+ \(builtIns) built-in nk.* properties\\l"
        return "\"" + text + "\""
    }

    private static func permission(_ set: VMSet) -> String { set == .none ? "none" : set.description }

    /// A DOT string whose `\n` are line breaks.
    private static func quote(_ text: String) -> String {
        "\"" + escape(text).replacing("\n", with: "\\n") + "\""
    }

    private static func escape(_ text: String) -> String {
        text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
    }
}
