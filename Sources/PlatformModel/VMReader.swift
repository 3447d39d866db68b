// SPDX-License-Identifier: Apache-2.0
import DeviceTree

/// A `/vlm/vm@<id>` node: a guest VM, or VM 1 (the hypervisor) which only holds vlink ends.
struct VMNode {
    let id: Int
    let node: Node
}

/// Reads the VM nodes under `/vlm`.
struct VMReader {
    /// Colours a console may take (ANSI names).
    static let colors: Set = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white", "default"]

    var diagnostics: BuildDiagnostics

    /// Every VM node with a valid, unused id, and the guest VMs among them.
    mutating func read(_ vlm: Node) -> (nodes: [VMNode], vms: [VMSpec]) {
        var nodes: [VMNode] = []
        var vms: [VMSpec] = []
        for child in vlm.children {
            guard let id = vmID(of: child) else { continue }
            if let other = nodes.first(where: { $0.id == id }) {
                diagnostics.error("VM id \(id) is used twice (first by \(other.node.path))", at: child)
                continue
            }
            nodes.append(VMNode(id: id, node: child))
            if id != PlatformLimits.hypervisorID { vms.append(vm(id, child)) }
        }
        checkNames(vms, nodes)
        return (nodes, vms)
    }

    /// The id of a `vm@<id>` / `vm<id>` node, nil (with an error) when bad, nil for other nodes.
    private mutating func vmID(of node: Node) -> Int? {
        let text: Substring
        if node.baseName == "vm", let address = node.unitAddress {
            text = address
        } else if node.name.hasPrefix("vm"), node.name.dropFirst(2).allSatisfy(\.isNumber), node.name.count > 2 {
            text = node.name.dropFirst(2)
        } else {
            return nil
        }
        guard let id = Int(text) else {
            diagnostics.error("VM node \(node.name): the unit address must be a decimal VM id", at: node)
            return nil
        }
        guard id == PlatformLimits.hypervisorID || PlatformLimits.guestIDs.contains(id) else {
            diagnostics.error("VM id \(id) is outside 2…31 (VM 1 is the hypervisor)", at: node)
            return nil
        }
        return id
    }

    private mutating func vm(_ id: Int, _ node: Node) -> VMSpec {
        VMSpec(
            id: id, name: name(node), cpus: cpus(node), color: color(node), initArgv: initArgv(node),
            restart: restart(node), nodePath: node.path, vplatformPath: node.child(base: "vplatform")?.path,
            location: node.location)
    }

    private mutating func name(_ node: Node) -> String? {
        guard let property = node.property(named: "label") else { return nil }
        guard let name = property.value.string, !name.isEmpty else {
            diagnostics.error("label must be one non-empty string", at: node, property: "label")
            return nil
        }
        return name
    }

    private mutating func color(_ node: Node) -> String? {
        guard let console = node.child(base: "console"), console.property(named: "color") != nil else { return nil }
        guard let color = console.property(named: "color")?.value.string else {
            diagnostics.error("color must be a string", at: console, property: "color")
            return nil
        }
        if !Self.colors.contains(color) {
            diagnostics.warning(
                "unknown console colour \"\(color)\" (\(Self.colors.sorted().joined(separator: ", ")))",
                at: console, property: "color")
        }
        return color
    }

    private mutating func initArgv(_ node: Node) -> [String] {
        guard let property = node.property(named: "vl,init") else { return [] }
        guard let argv = property.stringList, let program = argv.first, !program.isEmpty else {
            diagnostics.error("vl,init must be a list of strings, the program first", at: node, property: "vl,init")
            return []
        }
        return argv
    }

    private mutating func restart(_ node: Node) -> RestartPolicy {
        guard let property = node.property(named: "vl,restart") else { return .never }
        guard let text = property.value.string, let policy = RestartPolicy(rawValue: text) else {
            let written = property.value.string.map { "\"\($0)\"" } ?? "this value"
            diagnostics.error(
                "unknown restart policy \(written) (never, on-crash, always)", at: node, property: "vl,restart")
            return .never
        }
        return policy
    }

    private mutating func checkNames(_ vms: [VMSpec], _ nodes: [VMNode]) {
        var seen: [String: Int] = [:]
        for vm in vms {
            if let first = seen[vm.name], let node = nodes.first(where: { $0.id == vm.id })?.node {
                diagnostics.error(
                    "VM name \"\(vm.name)\" is used twice (first by VM \(first))", at: node, property: "label")
            } else {
                seen[vm.name] = vm.id
            }
        }
    }
}
