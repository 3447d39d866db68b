// SPDX-License-Identifier: Apache-2.0

/// Reads a blob back into a tree (dtc's `dt_from_blob`), checking every
/// offset against the blob before touching it.
struct DTBReader {
    private let bytes: [UInt8]
    /// The structure block, `[start, end)` in `bytes`.
    private var structure = 0..<0
    /// The strings block, `[start, end)` in `bytes`.
    private var strings = 0..<0
    /// Cursor in the structure block.
    private var cursor = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func decode() throws(DTBDecodingError) -> DeviceTree {
        let header = try readHeader()
        let reservations = try readReservations(from: header.reservationOffset, limit: header.totalSize)
        let root = try readStructure()
        return DeviceTree(root: root, memoryReservations: reservations, bootCPUID: header.bootCPUID)
    }

    // MARK: Header

    private struct Header {
        var totalSize: Int
        var reservationOffset: Int
        var bootCPUID: UInt32
    }

    private mutating func readHeader() throws(DTBDecodingError) -> Header {
        guard bytes.count >= 8 else { throw fail(.truncatedHeader, "the blob has \(bytes.count) bytes") }
        let magic = word(at: 0)
        guard magic == DTB.magic else { throw fail(.badMagic, "magic is 0x\(hex(magic)), not 0xd00dfeed") }
        let totalSize = Int(word(at: 4))
        guard totalSize <= bytes.count else {
            throw fail(.badTotalSize, "totalsize \(totalSize) exceeds the \(bytes.count) bytes given")
        }
        guard totalSize >= DTB.headerSize else {
            throw fail(.truncatedHeader, "totalsize \(totalSize) is smaller than the \(DTB.headerSize)-byte header")
        }
        let version = word(at: 20)
        let lastCompatible = word(at: 24)
        guard version >= 16, lastCompatible <= DTB.version else {
            throw fail(
                .unsupportedVersion, "version \(version) (last compatible \(lastCompatible)); 16 and 17 are supported")
        }
        let structureOffset = Int(word(at: 8))
        let stringsOffset = Int(word(at: 12))
        let stringsSize = Int(word(at: 32))
        // Version 16 has no structure size: the block runs to the end of the blob.
        let structureSize = version >= 17 ? Int(word(at: 36)) : totalSize - min(structureOffset, totalSize)
        structure = try block("structure", at: structureOffset, size: structureSize, within: totalSize)
        strings = try block("strings", at: stringsOffset, size: stringsSize, within: totalSize)
        return Header(totalSize: totalSize, reservationOffset: Int(word(at: 16)), bootCPUID: word(at: 28))
    }

    private func block(_ name: String, at offset: Int, size: Int, within total: Int) throws(DTBDecodingError) -> Range<
        Int
    > {
        guard offset <= total, size <= total - offset else {
            throw fail(.blockOutOfBounds, "\(name) block [\(offset), +\(size)) lies outside totalsize \(total)")
        }
        return offset..<offset + size
    }

    // MARK: Memory reservation map

    private func readReservations(from offset: Int, limit: Int) throws(DTBDecodingError) -> [MemoryReservation] {
        var entries: [MemoryReservation] = []
        var at = offset
        while true {
            guard at <= limit - 16 else {
                throw fail(.reservationMapUnterminated, "memory reservation map at \(offset) has no terminating entry")
            }
            let address = UInt64(word(at: at)) << 32 | UInt64(word(at: at + 4))
            let size = UInt64(word(at: at + 8)) << 32 | UInt64(word(at: at + 12))
            // dtc and libfdt stop at the first entry of size 0.
            if size == 0 { return entries }
            entries.append(MemoryReservation(address: address, size: size))
            at += 16
        }
    }

    // MARK: Structure block

    private mutating func readStructure() throws(DTBDecodingError) -> Node {
        cursor = structure.lowerBound
        var first = try nextToken()
        while first == .nop { first = try nextToken() }
        guard first == .beginNode else {
            if first == .property { throw fail(.propertyOutsideNode, "a property comes before the root node") }
            throw fail(.badStructureToken, "structure block does not start with FDT_BEGIN_NODE")
        }
        let root = Node(name: try readName())
        var stack: [Node] = [root]
        while let node = stack.last {
            let at = cursor
            switch try nextToken() {
            case .beginNode:
                guard stack.count < DTB.maximumDepth else {
                    throw fail(.nestingTooDeep, "nodes nest deeper than \(DTB.maximumDepth) at offset \(at)")
                }
                let child = Node(name: try readName())
                node.append(child)
                stack.append(child)
            case .property:
                node.properties.append(try readProperty())
            case .endNode:
                assignPhandle(node)
                stack.removeLast()
            case .end:
                throw fail(.unclosedNode, "FDT_END at offset \(at) inside the unclosed node '\(node.name)'")
            case .nop:
                continue
            }
        }
        try expectEnd()
        return root
    }

    private mutating func expectEnd() throws(DTBDecodingError) {
        while cursor < structure.upperBound {
            let at = cursor
            switch try nextToken() {
            case .nop: continue
            case .end: return
            default: throw fail(.badStructureToken, "token at offset \(at) after the root node closed")
            }
        }
        throw fail(.missingEnd, "structure block ends without FDT_END")
    }

    private mutating func nextToken() throws(DTBDecodingError) -> DTB.Token {
        let at = cursor
        let raw = try readWord()
        guard let token = DTB.Token(rawValue: raw) else {
            throw fail(.badStructureToken, "unknown token 0x\(hex(raw)) at offset \(at)")
        }
        return token
    }

    private mutating func readWord() throws(DTBDecodingError) -> UInt32 {
        guard cursor <= structure.upperBound - 4 else {
            throw fail(.truncatedStructure, "structure block ends inside a token at offset \(cursor)")
        }
        defer { cursor += 4 }
        return word(at: cursor)
    }

    private mutating func readName() throws(DTBDecodingError) -> String {
        guard let nul = bytes[cursor..<structure.upperBound].firstIndex(of: 0) else {
            throw fail(.truncatedStructure, "node name at offset \(cursor) is not NUL-terminated")
        }
        let name = String(decoding: bytes[cursor..<nul], as: UTF8.self)
        cursor = min(align4(nul + 1), structure.upperBound)
        return name
    }

    private mutating func readProperty() throws(DTBDecodingError) -> Property {
        let length = Int(try readWord())
        let nameOffset = Int(try readWord())
        guard length <= structure.upperBound - cursor else {
            throw fail(
                .truncatedStructure,
                "property value of \(length) bytes at offset \(cursor) overruns the structure block")
        }
        let value = Array(bytes[cursor..<cursor + length])
        cursor = min(align4(cursor + length), structure.upperBound)
        return Property(name: try propertyName(at: nameOffset), value: PropertyValue(bytes: value))
    }

    private func propertyName(at offset: Int) throws(DTBDecodingError) -> String {
        guard offset < strings.count,
            let nul = bytes[(strings.lowerBound + offset)..<strings.upperBound].firstIndex(of: 0)
        else {
            throw fail(
                .nameOutOfStrings, "property name offset \(offset) is outside the \(strings.count)-byte strings block")
        }
        return String(decoding: bytes[(strings.lowerBound + offset)..<nul], as: UTF8.self)
    }

    /// `phandle` wins over the older `linux,phandle`, as in dtc's checks.
    private func assignPhandle(_ node: Node) {
        for name in ["linux,phandle", "phandle"] {
            if let cells = node.property(named: name)?.value.cells, cells.count == 1 { node.phandle = cells[0] }
        }
    }

    // MARK: Helpers

    /// The big-endian word at `offset`; callers have checked `offset + 4 <= bytes.count`.
    private func word(at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    private func align4(_ offset: Int) -> Int { (offset + 3) & ~3 }

    private func hex(_ value: UInt32) -> String { String(value, radix: 16) }

    private func fail(_ failure: DTBDecodingFailure, _ detail: String) -> DTBDecodingError {
        DTBDecodingError(failure: failure, detail: detail)
    }
}
