// SPDX-License-Identifier: Apache-2.0

/// The cheap warning-level checks of dtc 1.6.1, in dtc's order. Warnings
/// never stop compilation; like dtc, they only run when no error check failed.
extension Checker {
    mutating func runWarnings() {
        guard failed.isEmpty else { return }
        for name in ["#address-cells", "#size-cells", "#interrupt-cells"] {
            let check = name.dropFirst().replacingDashes + "_is_cell"
            warnEach(check) { c, node in
                if let p = node.property(name), p.value.bytes.count != 4 {
                    c.warn(check, node, p, "property is not a single cell")
                }
            }
        }
        for name in ["device_type", "model", "status", "label"] {
            warnEach("\(name)_is_string") { c, node in
                if let p = node.property(name), !Checker.isOneString(p.value.bytes) {
                    c.warn("\(name)_is_string", node, p, "property is not a string")
                }
            }
        }
        warnEach("compatible_is_string_list") { c, node in
            if let p = node.property("compatible"), !Checker.isStringList(p.value.bytes) {
                c.warn("compatible_is_string_list", node, p, "property is not a string list")
            }
        }
        warnEach("names_is_string_list") { c, node in
            for p in node.properties
            where !p.deleted && p.name.hasSuffix("-names") && !Checker.isStringList(p.value.bytes) {
                c.warn("names_is_string_list", node, p, "property is not a string list")
            }
        }
        warnEach("unit_address_vs_reg") { c, node in c.checkUnitAddressVersusReg(node) }
    }

    mutating func warnEach(_ check: String, _ body: (inout Checker, LiveNode) -> Void) {
        var stack = [root]
        while let node = stack.popLast() {
            body(&self, node)
            for child in node.children.reversed() where !child.deleted { stack.append(child) }
        }
    }

    mutating func warn(_ check: String, _ node: LiveNode, _ property: LiveProperty, _ message: String) {
        diagnostics.append(
            .warning(
                "\(node.fullPath):\(property.name): \(message)", at: property.location ?? node.location, check: check))
    }

    /// dtc's `check_unit_address_vs_reg`.
    mutating func checkUnitAddressVersusReg(_ node: LiveNode) {
        if node.child("__overlay__") != nil { return }
        var property = node.property("reg")
        if property == nil, let ranges = node.property("ranges"), !ranges.value.bytes.isEmpty { property = ranges }
        let hasUnit = node.basenameLength < node.name.utf8.count - 1
        let message: String
        if property != nil, !hasUnit {
            message = "node has a reg or ranges property, but no unit name"
        } else if property == nil, hasUnit {
            message = "node has a unit name, but no reg or ranges property"
        } else {
            return
        }
        diagnostics.append(.warning("\(node.fullPath): \(message)", at: node.location, check: "unit_address_vs_reg"))
    }

    /// dtc's `data_is_one_string`.
    static func isOneString(_ b: [UInt8]) -> Bool {
        !b.isEmpty && b.last == 0 && !b.dropLast().contains(0)
    }

    /// dtc's `check_is_string_list`: NUL-terminated strings, empty ones allowed.
    static func isStringList(_ b: [UInt8]) -> Bool { b.isEmpty || b.last == 0 }
}

extension Substring {
    var replacingDashes: String { String(map { $0 == "-" ? "_" : $0 }) }
}
