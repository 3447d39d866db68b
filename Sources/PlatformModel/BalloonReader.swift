// SPDX-License-Identifier: Apache-2.0
public import DeviceTree

/// The memory-ballooning region of the platform (NK_BALLOON_CTRL(3D), manual
/// lines 3140–3199): `pages` page frames that the `host` VM holds at boot and
/// that the `vms` may take with `NK_BALLOON_ALLOC` once another VM gave them
/// back with `NK_BALLOON_FREE`. Without one, ballooning is disabled for every VM.
public struct BalloonSpec: Sendable, Hashable {
    /// The balloon host (`NK_BALLOON_HOST`): holds every page at boot.
    public var host: Int
    /// Region size in 4 KiB page frames (`NK_BALLOON_RGN_SIZE`).
    public var pages: Int
    /// The non-host VMs taking part, in increasing order.
    public var vms: [Int]
    public var location: SourceLocation?

    public init(host: Int, pages: Int, vms: [Int], location: SourceLocation? = nil) {
        self.host = host
        self.pages = pages
        self.vms = vms
        self.location = location
    }

    /// The page size of the NK targets (`NK_PAGE_SIZE`).
    public static let pageSize = 4096
    /// The largest region vlm accepts: 256 MiB (its owner table lives in the repository).
    public static let maxPages = 65536
}

/// Reads `/vlm/balloon` (a vlm extension; the manual leaves the hypervisor
/// configuration of ballooning to the hypervisor's own tree):
///
/// ```dts
/// balloon {
///     host = <2>;          /* the VM that hosts every page at boot */
///     size = <0x400000>;   /* bytes, a multiple of 4096, at most 256 MiB */
///     vms = <3 4>;         /* the other VMs taking part; absent: every other VM */
/// };
/// ```
struct BalloonReader {
    var diagnostics: BuildDiagnostics
    /// The configured guest VM ids.
    let vmIDs: Set<Int>

    mutating func read(_ vlm: Node) -> BalloonSpec? {
        let nodes = vlm.children.filter { $0.baseName == "balloon" }
        guard let node = nodes.first else { return nil }
        for extra in nodes.dropFirst() {
            diagnostics.error("a platform has one balloon region (first at \(node.path))", at: extra)
        }
        guard let host = host(node), let pages = pages(node), let vms = vms(node, host: host) else { return nil }
        if vms.isEmpty {
            diagnostics.warning("no VM besides the host takes part in ballooning", at: node)
        }
        return BalloonSpec(host: host, pages: pages, vms: vms, location: node.location)
    }

    private mutating func host(_ node: Node) -> Int? {
        guard let property = node.property(named: "host") else {
            diagnostics.error("balloon needs host = <VM id>; (the VM holding every page at boot)", at: node)
            return nil
        }
        guard let cell = property.singleCell, vmIDs.contains(Int(cell)) else {
            diagnostics.error("balloon host must be one cell naming a configured VM", at: node, property: "host")
            return nil
        }
        return Int(cell)
    }

    private mutating func pages(_ node: Node) -> Int? {
        guard let property = node.property(named: "size") else {
            diagnostics.error("balloon needs size = <bytes>;", at: node)
            return nil
        }
        let limit = BalloonSpec.maxPages * BalloonSpec.pageSize
        guard let cell = property.singleCell, cell > 0, Int(cell) % BalloonSpec.pageSize == 0, Int(cell) <= limit else {
            diagnostics.error(
                "balloon size must be one cell: a non-zero multiple of 4096 bytes, at most \(limit)",
                at: node, property: "size")
            return nil
        }
        return Int(cell) / BalloonSpec.pageSize
    }

    private mutating func vms(_ node: Node, host: Int) -> [Int]? {
        guard let property = node.property(named: "vms") else { return vmIDs.subtracting([host]).sorted() }
        guard let cells = property.value.cells, property.isWrittenAsCells else {
            diagnostics.error("balloon vms must be cells: VM ids", at: node, property: "vms")
            return nil
        }
        var vms: [Int] = []
        for cell in cells.map(Int.init) {
            guard vmIDs.contains(cell), cell != host, !vms.contains(cell) else {
                let why =
                    cell == host ? "is the host" : vms.contains(cell) ? "is listed twice" : "is not a configured VM"
                diagnostics.error("balloon vms: VM \(cell) \(why)", at: node, property: "vms")
                return nil
            }
            vms.append(cell)
        }
        return vms.sorted()
    }
}
