// SPDX-License-Identifier: Apache-2.0

/// The strings block with dtc's sharing: a name is stored once, and a name
/// that ends a stored one (`cells` in `#address-cells`) points into it.
///
/// dtc 1.6.1's `stringtable_insert` scans the block for the first offset
/// where the name runs up to a NUL, which is the tail of the earliest stored
/// name that ends with it. That is a prefix question on reversed names, so
/// the stored names live reversed in a radix tree (edges point into the
/// block, each node remembers the earliest name below it): a look-up or an
/// insertion costs the name's length, and memory grows with the count of
/// names, not their lengths. The offsets are dtc's, byte for byte.
struct StringTable {
    private(set) var bytes: [UInt8] = []
    private var known: [String: Int] = [:]
    /// Where each stored name starts and ends (its NUL) in `bytes`.
    private var entries: [(start: Int, end: Int)] = []
    private var tree = [TreeNode(depth: 0, entry: -1)]

    /// A node of the radix tree: the reversed path from the root has
    /// `depth` bytes and is a prefix of the reversed name `entry`, the
    /// earliest such name; edges are keyed by their first byte.
    private struct TreeNode {
        var depth: Int
        var entry: Int
        var children: [UInt8: Int] = [:]
    }

    /// The offset of `name` in the block, appending it when no stored name ends with it.
    mutating func offset(of name: String) -> Int {
        if let offset = known[name] { return offset }
        let utf8 = Array(name.utf8)
        let offset = findOrInsert(utf8)
        known[name] = offset
        return offset
    }

    /// Byte `k` of the reversed name `entry`.
    private func reversedByte(_ entry: Int, _ k: Int) -> UInt8 { bytes[entries[entry].end - 1 - k] }

    /// Walks the reversed `name` down the tree; returns the earliest stored
    /// name it ends, or stores it and hangs its reversed path on the tree.
    private mutating func findOrInsert(_ name: [UInt8]) -> Int {
        let n = name.count
        func query(_ k: Int) -> UInt8 { name[n - 1 - k] }
        var node = 0
        var k = 0
        while true {
            if k == n, tree[node].entry >= 0 { return tail(of: tree[node].entry, length: n) }
            guard k < n, let c = tree[node].children[query(k)] else { break }
            let child = tree[c]
            var j = k + 1
            while j < child.depth, j < n, reversedByte(child.entry, j) == query(j) { j += 1 }
            if j == child.depth {
                node = c
                k = j
                continue
            }
            if j == n { return tail(of: child.entry, length: n) }
            // The name leaves the edge at byte `j`: split it there.
            let middle = tree.count
            tree.append(TreeNode(depth: j, entry: child.entry, children: [reversedByte(child.entry, j): c]))
            tree[node].children[query(k)] = middle
            node = middle
            k = j
            break
        }
        let entry = append(name)
        if tree[0].entry < 0 { tree[0].entry = entry }
        if k < n {
            tree[node].children[query(k)] = tree.count
            tree.append(TreeNode(depth: n, entry: entry))
        }
        return entries[entry].start
    }

    /// The offset of the last `length` bytes of the stored name `entry`.
    private func tail(of entry: Int, length: Int) -> Int { entries[entry].end - length }

    private mutating func append(_ name: [UInt8]) -> Int {
        let start = bytes.count
        bytes.append(contentsOf: name)
        entries.append((start, bytes.count))
        bytes.append(0)
        return entries.count - 1
    }
}
