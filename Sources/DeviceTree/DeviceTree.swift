// SPDX-License-Identifier: Apache-2.0

/// A complete device tree (dtc's `struct dt_info`): the root node, the memory
/// reservation map, the boot CPU and the source flags.
public final class DeviceTree {
    public var root: Node
    public var memoryReservations: [MemoryReservation]
    /// `boot_cpuid_phys` of the DTB header.
    public var bootCPUID: UInt32
    /// `/plugin/;` was given: the tree is an overlay.
    public var isPlugin: Bool
    /// `/delete-node/ &{/};` deleted the root (and everything in it). dtc
    /// 1.6.1 accepts that and flattens nothing: the blob's structure block is
    /// a lone `FDT_END`, which dtc itself (and `DTB.decode`) then refuses.
    public var isRootDeleted = false

    public init(
        root: Node = Node(name: ""), memoryReservations: [MemoryReservation] = [], bootCPUID: UInt32 = 0,
        isPlugin: Bool = false
    ) {
        self.root = root
        self.memoryReservations = memoryReservations
        self.bootCPUID = bootCPUID
        self.isPlugin = isPlugin
    }

    /// The node at an absolute path (`/vlm/vm@2`), or nil.
    public func node(atPath path: String) -> Node? {
        var node = root
        for component in path.split(separator: "/") {
            guard
                let next = node.children.first(where: { $0.name == component })
                    ?? node.children.first(where: { $0.baseName == component && !component.contains("@") })
            else { return nil }
            node = next
        }
        return node
    }

    /// The node carrying `label`, or nil.
    public func node(withLabel label: String) -> Node? {
        root.subtree.first { $0.labels.contains(label) }
    }

    /// The node whose phandle is `phandle` (never for 0), or nil.
    public func node(withPhandle phandle: UInt32) -> Node? {
        guard phandle != 0, phandle != 0xFFFF_FFFF else { return nil }
        return root.subtree.first { $0.phandle == phandle }
    }
}

/// One `/memreserve/ address size;` entry.
public struct MemoryReservation: Sendable, Hashable {
    public var address: UInt64
    public var size: UInt64
    public var labels: [String]

    public init(address: UInt64, size: UInt64, labels: [String] = []) {
        self.address = address
        self.size = size
        self.labels = labels
    }
}
