// SPDX-License-Identifier: Apache-2.0

/// Builds a version-17 blob (dtc's `flattree.c`, `dt_to_blob`).
struct DTBWriter {
    private var structure: [UInt8] = []
    private var strings = StringTable()

    /// Lays out header, reservation map, structure and strings, as dtc does.
    mutating func encode(_ tree: DeviceTree) -> [UInt8] {
        if tree.isRootDeleted {
            structure.appendBigEndian(DTB.Token.end.rawValue)  // dtc's flatten_tree skips a deleted node
        } else {
            writeStructure(tree.root)
        }
        let reservationOffset = DTB.headerSize  // already 8-aligned (40)
        let reservationSize = (tree.memoryReservations.count + 1) * 16
        let structureOffset = reservationOffset + reservationSize
        let stringsOffset = structureOffset + structure.count
        let totalSize = stringsOffset + strings.bytes.count

        var blob: [UInt8] = []
        blob.reserveCapacity(totalSize)
        let header: [UInt32] = [
            DTB.magic, UInt32(totalSize), UInt32(structureOffset), UInt32(stringsOffset),
            UInt32(reservationOffset), DTB.version, DTB.lastCompatibleVersion, tree.bootCPUID,
            UInt32(strings.bytes.count), UInt32(structure.count),
        ]
        for word in header { blob.appendBigEndian(word) }
        for entry in tree.memoryReservations {
            blob.appendBigEndian(entry.address)
            blob.appendBigEndian(entry.size)
        }
        blob.append(contentsOf: repeatElement(0, count: 16))
        blob.append(contentsOf: structure)
        blob.append(contentsOf: strings.bytes)
        return blob
    }

    /// The structure block, walked without recursion so that depth costs no stack.
    private mutating func writeStructure(_ root: Node) {
        var stack: [(node: Node, next: Int)] = [(root, 0)]
        beginNode(root)
        while let top = stack.last {
            if top.next < top.node.children.count {
                let child = top.node.children[top.next]
                stack[stack.count - 1].next += 1
                beginNode(child)
                stack.append((child, 0))
            } else {
                structure.appendBigEndian(DTB.Token.endNode.rawValue)
                stack.removeLast()
            }
        }
        structure.appendBigEndian(DTB.Token.end.rawValue)
    }

    private mutating func beginNode(_ node: Node) {
        structure.appendBigEndian(DTB.Token.beginNode.rawValue)
        structure.append(contentsOf: node.name.utf8)
        structure.append(0)
        padStructure()
        for property in node.properties {
            structure.appendBigEndian(DTB.Token.property.rawValue)
            structure.appendBigEndian(UInt32(property.value.bytes.count))
            structure.appendBigEndian(UInt32(strings.offset(of: property.name)))
            structure.append(contentsOf: property.value.bytes)
            padStructure()
        }
    }

    private mutating func padStructure() {
        while structure.count % 4 != 0 { structure.append(0) }
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendBigEndian(_ value: UInt64) {
        appendBigEndian(UInt32(truncatingIfNeeded: value >> 32))
        appendBigEndian(UInt32(truncatingIfNeeded: value))
    }
}
