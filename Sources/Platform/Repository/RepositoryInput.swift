// SPDX-License-Identifier: Apache-2.0

/// What `Repository.format` writes into a fresh repository: the platform reduced
/// to the facts the shared-memory ABI holds. `Repository.format(spec:)` builds it
/// from a `PlatformSpec`; tests build it directly.
public struct RepositoryInput: Sendable, Equatable {
    /// A configured VM.
    public struct VM: Sendable, Equatable {
        public var id: NkOsId
        public var name: String
        public init(id: NkOsId, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// A vlink, written as one `NkDevVlink` record.
    public struct Vlink: Sendable, Equatable {
        public var name: String
        public var link: Int32
        public var serverID: NkOsId
        public var clientID: NkOsId
        public var serverInfo: String
        public var clientInfo: String
        public init(
            name: String, link: Int32, serverID: NkOsId, clientID: NkOsId, serverInfo: String = "",
            clientInfo: String = ""
        ) {
            self.name = name
            self.link = link
            self.serverID = serverID
            self.clientID = clientID
            self.serverInfo = serverInfo
            self.clientInfo = clientInfo
        }
    }

    /// A hypervisor property with its permissions as VM masks (bit i ⇔ VM i).
    public struct Property: Sendable, Equatable {
        public var name: String
        public var maxSize: UInt32
        public var value: [UInt8]
        public var allowGet: NkOsMask
        public var allowSet: NkOsMask
        public var allowNotify: NkOsMask
        public init(
            name: String, maxSize: UInt32, value: [UInt8], allowGet: NkOsMask, allowSet: NkOsMask, allowNotify: NkOsMask
        ) {
            self.name = name
            self.maxSize = maxSize
            self.value = value
            self.allowGet = allowGet
            self.allowSet = allowSet
            self.allowNotify = allowNotify
        }
    }

    /// A balloon region: `pages` pages, initially all hosted by `host`, shared with `vms`.
    public struct Balloon: Sendable, Equatable {
        public var host: NkOsId
        public var pages: UInt32
        public var vms: NkOsMask
        public init(host: NkOsId, pages: UInt32, vms: NkOsMask) {
            self.host = host
            self.pages = pages
            self.vms = vms
        }
    }

    public var vms: [VM]
    public var vlinks: [Vlink]
    public var properties: [Property]
    /// Size of the PMEM pool in bytes (rounded up to pages).
    public var pmemSize: UInt64
    /// Size of the PDEV heap for `nk_pdev_alloc` blocks, beyond strings and values.
    public var pdevHeapSize: Int
    /// Capacity of the resource label table.
    public var labelCapacity: Int
    /// Ballooning, when the tree configures a balloon region.
    public var balloon: Balloon?

    public init(
        vms: [VM], vlinks: [Vlink] = [], properties: [Property] = [], pmemSize: UInt64 = 32 << 20,
        pdevHeapSize: Int = 256 << 10, labelCapacity: Int = 2048, balloon: Balloon? = nil
    ) {
        self.vms = vms
        self.vlinks = vlinks
        self.properties = properties
        self.pmemSize = pmemSize
        self.pdevHeapSize = pdevHeapSize
        self.labelCapacity = labelCapacity
        self.balloon = balloon
    }

    /// Mask of every configured VM.
    public var allVMs: NkOsMask { vms.reduce(0) { $0 | (1 << $1.id) } }

    /// The properties plus the built-ins vlm always provides (`nk.version.api`,
    /// `nk.focus`, `nk.vm.<id>.state.running|paused`) when the input lacks them.
    public var propertiesWithBuiltins: [Property] {
        var result = properties
        let names = Set(properties.map(\.name))
        let all = allVMs
        func add(_ name: String, _ size: UInt32, _ value: [UInt8], set: NkOsMask) {
            if !names.contains(name) {
                result.append(
                    Property(name: name, maxSize: size, value: value, allowGet: all, allowSet: set, allowNotify: all))
            }
        }
        // NUL-ended, as device-tree strings.
        add("nk.version.api", 16, Array("9.0.0".utf8CString.map { UInt8(bitPattern: $0) }), set: 0)
        add("nk.focus", 1, [UInt8(vms.first?.id ?? 2)], set: all)
        for vm in vms {
            add("nk.vm.\(vm.id).state.running", 4, [0, 0, 0, 0], set: all)
            add("nk.vm.\(vm.id).state.paused", 4, [0, 0, 0, 0], set: all)
        }
        return result
    }
}
