// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import PlatformTestSupport
import Testing

/// Malformed blobs: each `DTBDecodingFailure` is triggered by a blob made
/// for it (named after the failure), and no mutation of a good blob crashes
/// or hangs the reader.
@Suite struct DTBDecodingTests {
    /// A small valid blob: `/ { compatible = "t"; c { reg = <1>; }; }` with one reservation.
    static let good: [UInt8] = {
        let tree = DeviceTree(memoryReservations: [MemoryReservation(address: 0x1000, size: 0x100)])
        tree.root.properties = [Property(name: "compatible", value: PropertyValue(bytes: Array("t\0".utf8)))]
        let child = Node(name: "c")
        child.properties = [Property(name: "reg", value: PropertyValue(bytes: [0, 0, 0, 1]))]
        tree.root.append(child)
        return DTB.encode(tree)
    }()

    static func word(_ blob: [UInt8], _ offset: Int) -> Int {
        blob[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
    }

    static func setting(_ blob: [UInt8], _ offset: Int, to value: Int) -> [UInt8] {
        var blob = blob
        for i in 0..<4 { blob[offset + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * i)) }
        return blob
    }

    /// The fixture of each failure: the good blob broken in exactly one way.
    static func fixture(_ failure: DTBDecodingFailure) -> [UInt8] {
        let blob = good
        let structure = word(blob, 8)
        let structureEnd = structure + word(blob, 36)
        switch failure {
        case .truncatedHeader: return Array(blob.prefix(6))
        case .badMagic: return setting(blob, 0, to: 0xD00D_FEEE)
        case .badTotalSize: return setting(blob, 4, to: blob.count + 1)
        case .unsupportedVersion: return setting(blob, 20, to: 15)
        case .blockOutOfBounds: return setting(blob, 36, to: blob.count)
        case .reservationMapUnterminated: return setting(blob, 16, to: blob.count - 8)
        case .badStructureToken: return setting(blob, structure, to: 7)
        case .propertyOutsideNode: return setting(blob, structure, to: 3)
        case .truncatedStructure: return setting(blob, 36, to: 4)
        case .nameOutOfStrings:  // root BEGIN_NODE, "", PROP, len, nameoff
            return setting(blob, structure + 16, to: 0xFFFF)
        case .missingEnd: return setting(blob, structureEnd - 4, to: 4)
        case .unclosedNode: return setting(blob, structureEnd - 8, to: 4)
        case .nestingTooDeep: return deepBlob(depth: DTB.maximumDepth + 1)
        }
    }

    static func deepBlob(depth: Int) -> [UInt8] {
        let tree = DeviceTree()
        var node = tree.root
        for _ in 1..<depth {
            let child = Node(name: "n")
            node.append(child)
            node = child
        }
        return DTB.encode(tree)
    }

    @Test func goodBlobDecodes() throws {
        let tree = try DTB.decode(Self.good)
        #expect(tree.root.children.map(\.name) == ["c"])
        #expect(tree.memoryReservations == [MemoryReservation(address: 0x1000, size: 0x100)])
        #expect(DTB.encode(tree) == Self.good)
    }

    @Test("each malformed blob fails with its own error", arguments: DTBDecodingFailure.allCases)
    func malformedBlobIsRefused(_ failure: DTBDecodingFailure) {
        #expect {
            _ = try DTB.decode(Self.fixture(failure))
        } throws: { error in
            let diagnostic = (error as? DeviceTreeError)?.diagnostics.first
            return diagnostic?.check == failure.rawValue && diagnostic?.severity == .error
                && diagnostic?.message.hasPrefix("invalid device tree blob: ") == true
        }
    }

    @Test func deepestAllowedNestingDecodes() throws {
        let tree = try DTB.decode(Self.deepBlob(depth: DTB.maximumDepth))
        #expect(tree.root.children.count == 1)
    }

    @Test func phandleComesFromThePhandleProperty() throws {
        let tree = DeviceTree()
        let node = Node(name: "n")
        node.properties = [
            Property(name: "linux,phandle", value: PropertyValue(bytes: [0, 0, 0, 7])),
            Property(name: "phandle", value: PropertyValue(bytes: [0, 0, 0, 9])),
        ]
        tree.root.append(node)
        #expect(try DTB.decode(DTB.encode(tree)).root.children[0].phandle == 9)
    }

    /// Every truncation and thousands of seeded byte flips of a good blob:
    /// the reader returns or throws, and never traps; what it returns prints
    /// and encodes.
    @Test func mutatedBlobsNeverCrash() {
        var random = SplitMix64(seed: 0x5EED_0D7B)
        var decoded = 0
        for length in 0..<Self.good.count where (try? DTB.decode(Array(Self.good.prefix(length)))) != nil {
            decoded += 1
        }
        for _ in 0..<5000 {
            var blob = Self.good
            for _ in 0..<Int(random.next() % 4 + 1) {
                blob[Int(random.next() % UInt64(blob.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            if let tree = try? DTB.decode(blob) {
                _ = DTSPrinter.print(tree)
                _ = DTB.encode(tree)
            }
        }
        #expect(decoded == 0, "no proper prefix of a blob is a blob")
    }
}
