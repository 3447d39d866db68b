// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import PlatformTestSupport
import Testing

/// The strings block: dtc 1.6.1's sharing (`stringtable_insert`: the first
/// offset where the name runs to a NUL), checked against that scan written
/// out naively, and against dtc itself.
@Suite struct StringTableTests {
    /// dtc's `stringtable_insert`, as written in `flattree.c`: O(block) per name.
    static func dtcStrings(_ names: [String]) -> (block: [UInt8], offsets: [Int]) {
        var block: [UInt8] = []
        var offsets: [Int] = []
        for name in names {
            let utf8 = Array(name.utf8)
            let found = block.indices.first { i in
                i + utf8.count < block.count && block[i + utf8.count] == 0 && Array(block[i..<i + utf8.count]) == utf8
            }
            if let found {
                offsets.append(found)
            } else {
                offsets.append(block.count)
                block += utf8 + [0]
            }
        }
        return (block, offsets)
    }

    /// Names from a three-letter alphabet, so that tails are shared often.
    static func names(seed: UInt64, count: Int) -> [String] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let length = 1 + Int(random.next() % (random.next() % 4 == 0 ? 24 : 6))
            return String((0..<length).map { _ in "abc".randomElement(using: &random)! })
        }
    }

    /// One node holding one property per name, in order.
    static func tree(_ names: [String]) -> DeviceTree {
        let tree = DeviceTree()
        for name in names { tree.root.properties.append(Property(name: name)) }
        return tree
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func offsetsAndBlockAreDTCs(seed: UInt64) throws {
        let names = Self.names(seed: seed, count: 400)
        let blob = DTB.encode(Self.tree(names))
        let expected = Self.dtcStrings(names)
        #expect(try DTBLayout(blob).strings == expected.block, "seed \(seed)")
        #expect(try DTBLayout(blob).nameOffsets == expected.offsets, "seed \(seed): \(names)")
    }

    @Test func emptyNameAndNamesThatEndEachOther() throws {
        let names = ["", "x", "cells", "#address-cells", "address-cells", "s", "", "#size-cells", "size-cells", "ells"]
        let blob = DTB.encode(Self.tree(names))
        let expected = Self.dtcStrings(names)
        #expect(try DTBLayout(blob).strings == expected.block)
        #expect(try DTBLayout(blob).nameOffsets == expected.offsets)
    }

    @Test(.enabled(if: DTC.shouldRun, DTC.skipReason), arguments: [11, 12, 13] as [UInt64])
    func blobIsDTCsForRandomNames(seed: UInt64) throws {
        // dtc refuses duplicate property names in a node: one node per name.
        let names = Self.names(seed: seed, count: 600)
        let nodes = names.enumerated().map { "\tn\($0.offset) { \($0.element); };\n" }
        let source = "/dts-v1/;\n/ {\n" + nodes.joined() + "};\n"
        let ours = DTB.encode(try Source.compile(source).tree)
        let theirs = try DTC.compile(source: source, force: false, in: NSTemporaryDirectory())
        #expect(theirs.status == 0, "\(theirs.standardError)")
        #expect(ours == theirs.standardOutput, "seed \(seed)")
    }
}

/// The strings block and each property's name offset, read from a blob.
struct DTBLayout {
    var strings: [UInt8]
    var nameOffsets: [Int] = []

    struct Malformed: Error {}

    init(_ blob: [UInt8]) throws {
        func word(_ at: Int) throws -> Int {
            guard at + 4 <= blob.count else { throw Malformed() }
            return blob[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        let structure = try word(8)
        let stringsOffset = try word(12)
        strings = Array(blob[stringsOffset..<stringsOffset + (try word(32))])
        var p = structure
        while true {
            switch try word(p) {
            case 1:  // FDT_BEGIN_NODE: name, NUL, padding
                guard let nul = blob[(p + 4)...].firstIndex(of: 0) else { throw Malformed() }
                p = (nul + 1 + 3) & ~3
            case 3:  // FDT_PROP: length, name offset, value, padding
                nameOffsets.append(try word(p + 8))
                p = (p + 12 + (try word(p + 4)) + 3) & ~3
            case 2, 4: p += 4  // FDT_END_NODE, FDT_NOP
            case 9: return  // FDT_END
            default: throw Malformed()
            }
        }
    }
}
