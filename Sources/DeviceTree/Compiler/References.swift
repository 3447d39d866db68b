// SPDX-License-Identifier: Apache-2.0

/// Phandle assignment as dtc 1.6.1's `get_node_phandle`: a node keeps an
/// explicit phandle; otherwise it gets the lowest free value not below the
/// last one handed out, and a `phandle` property is appended (`-H epapr`).
struct PhandleAllocator {
    var byPhandle: [UInt32: LiveNode] = [:]
    var next: UInt32 = 1

    init(root: LiveNode) {}

    static func isValid(_ phandle: UInt32) -> Bool { phandle != 0 && phandle != 0xFFFF_FFFF }

    /// The live node holding `phandle` (dtc's `get_node_by_phandle`).
    func node(withPhandle phandle: UInt32) -> LiveNode? {
        guard let node = byPhandle[phandle], !node.deleted else { return nil }
        return node
    }

    mutating func record(_ node: LiveNode, phandle: UInt32) {
        node.phandle = phandle
        if byPhandle[phandle] == nil || byPhandle[phandle]!.deleted { byPhandle[phandle] = node }
    }

    mutating func phandle(for target: LiveNode) -> UInt32 {
        let node = target
        if PhandleAllocator.isValid(node.phandle) { return node.phandle }
        while self.node(withPhandle: next) != nil { next += 1 }
        record(node, phandle: next)
        if node.property("phandle") == nil {
            var value = PropertyValue(markers: [Marker(offset: 0, kind: .type(.cells32))])
            value.bytes = PhandleAllocator.cell(next)
            node.properties.append(LiveProperty(name: "phandle", value: value, location: nil))
        }
        return next
    }

    static func cell(_ v: UInt32) -> [UInt8] {
        [
            UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8),
            UInt8(truncatingIfNeeded: v),
        ]
    }
}

/// The reference checks: explicit phandles, `<&ref>` and `&ref` fix-ups,
/// `/omit-if-no-ref/`.
extension Checker {
    mutating func checkExplicitPhandles(_ node: LiveNode) {
        let check = "explicit_phandles"
        var phandle = explicitPhandle(node, "phandle")
        let linuxPhandle = explicitPhandle(node, "linux,phandle")
        guard phandle != 0 || linuxPhandle != 0 else { return }
        if linuxPhandle != 0, phandle != 0, phandle != linuxPhandle {
            fail(check, node, "mismatching 'phandle' and 'linux,phandle' properties")
        }
        if phandle == 0 { phandle = linuxPhandle }
        if let other = phandles.node(withPhandle: phandle), other !== node {
            fail(check, node, "duplicated phandle 0x\(String(phandle, radix: 16)) (seen before at \(other.fullPath))")
            return
        }
        phandles.record(node, phandle: phandle)
    }

    /// dtc's `check_phandle_prop`: the value of a phandle property, 0 when none or invalid.
    mutating func explicitPhandle(_ node: LiveNode, _ name: String) -> UInt32 {
        guard let property = node.property(name) else { return 0 }
        let check = "explicit_phandles"
        guard property.value.bytes.count == 4 else {
            fail(check, node, property, "bad length (\(property.value.bytes.count)) \(name) property")
            return 0
        }
        for marker in property.value.markers {
            guard case .phandleReference(let ref) = marker.kind else { continue }
            if builder.node(byReference: ref) !== node {
                fail(check, node, "\(name) is a reference to another node")
            }
            return 0  // filled in later, as a self-reference
        }
        let b = property.value.bytes
        let phandle = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
        guard PhandleAllocator.isValid(phandle) else {
            fail(check, node, property, "bad value (0x\(String(phandle, radix: 16))) in \(name) property")
            return 0
        }
        return phandle
    }

    /// Fills `<&ref>` cells with the target's phandle (dtc's `fixup_phandle_references`).
    mutating func fixPhandleReferences(_ node: LiveNode) {
        for property in node.properties where !property.deleted {
            for marker in property.value.markers {
                guard case .phandleReference(let ref) = marker.kind else { continue }
                guard let target = builder.node(byReference: ref) else {
                    if !isPlugin {
                        fail("phandle_references", node, "Reference to non-existent node or label \"\(ref)\"")
                    }
                    continue
                }
                let cell = PhandleAllocator.cell(phandles.phandle(for: target))
                property.value.bytes.replaceSubrange(marker.offset..<(marker.offset + 4), with: cell)
                target.isReferenced = true
            }
        }
    }

    /// Splices the full path of each `&ref` target (dtc's `fixup_path_references`).
    mutating func fixPathReferences(_ node: LiveNode) {
        for property in node.properties where !property.deleted {
            var i = 0
            while i < property.value.markers.count {
                defer { i += 1 }
                guard case .pathReference(let ref) = property.value.markers[i].kind else { continue }
                guard let target = builder.node(byReference: ref) else {
                    fail("path_references", node, "Reference to non-existent node or label \"\(ref)\"")
                    continue
                }
                let path = Array(target.fullPath.utf8) + [0]
                property.value.bytes.insert(contentsOf: path, at: property.value.markers[i].offset)
                for j in (i + 1)..<property.value.markers.count { property.value.markers[j].offset += path.count }
                target.isReferenced = true
            }
        }
    }

    /// dtc's `fixup_omit_unused_nodes` (labelled nodes stay with `-@`).
    mutating func omitUnusedNode(_ node: LiveNode) {
        if generateSymbols, !node.labels.isEmpty { return }
        if node.omitIfUnused, !node.isReferenced { node.delete() }
    }
}
