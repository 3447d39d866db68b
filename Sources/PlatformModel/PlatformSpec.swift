// SPDX-License-Identifier: Apache-2.0
public import DeviceTree

/// A checked VLX platform: the guest VMs, the vlinks of the persistent device
/// repository and the hypervisor properties, as the runtime boots them.
///
/// Built from a device tree by ``PlatformBuilder``. Plain data, no I/O:
/// the runtime, the views and `vlm check` all read the same value.
public struct PlatformSpec: Sendable, Hashable {
    /// Guest VMs (ids 2…31) in tree order. VM 1, the hypervisor, is not listed.
    public var vms: [VMSpec]
    /// Vlinks in repository order: the order `nk_vlink_lookup` walks them.
    public var vlinks: [VlinkSpec]
    /// Built-in `nk.*` properties first, then the `&hyp_property` nodes in tree order.
    public var properties: [PropertySpec]
    /// The balloon region (`/vlm/balloon`); nil: ballooning is disabled.
    public var balloon: BalloonSpec?

    public init(
        vms: [VMSpec] = [], vlinks: [VlinkSpec] = [], properties: [PropertySpec] = [], balloon: BalloonSpec? = nil
    ) {
        self.vms = vms
        self.vlinks = vlinks
        self.properties = properties
        self.balloon = balloon
    }

    /// The VM with this id, or nil.
    public func vm(id: Int) -> VMSpec? { vms.first { $0.id == id } }

    /// The VM named `reference` (its `label`), or whose id is `reference` (`"3"`).
    public func vm(named reference: String) -> VMSpec? {
        vms.first { $0.name == reference } ?? Int(reference).flatMap { vm(id: $0) }
    }

    /// Every vlink called `name`, in repository order (`nk_vlink_lookup` loop, manual line 4236).
    public func vlinks(named name: String) -> [VlinkSpec] { vlinks.filter { $0.name == name } }

    /// The vlinks with an end (server or client) in VM `id`.
    public func vlinks(ofVM id: Int) -> [VlinkSpec] { vlinks.filter { $0.serverID == id || $0.clientID == id } }

    /// The property called `name`, or nil.
    public func property(named name: String) -> PropertySpec? { properties.first { $0.name == name } }

    /// The greatest configured guest id (`nk_last_id_get`, `/proc/nk/last`).
    public var lastID: Int { vms.map(\.id).max() ?? PlatformLimits.hypervisorID }
}

/// The numeric limits of the NK ABI that the model checks.
public enum PlatformLimits {
    /// VM 1 is the hypervisor itself (server end of `vl,hypevent.v1` vlinks, manual line 12851).
    public static let hypervisorID = 1
    /// Guest VM ids are 2…31 (`NK_OS_LIMIT = 32`).
    public static let guestIDs: ClosedRange<Int> = 2...31
    /// `NK_DEV_VLINK_NAME_LIMIT` is 16: at most 15 characters and a NUL (manual line 4183).
    public static let vlinkNameLimit = 15
}

/// What the hypervisor does when a VM's process ends (`vl,restart`, a vlm extension).
public enum RestartPolicy: String, Sendable, Hashable, CaseIterable {
    /// The VM stays stopped (the default).
    case never
    /// The VM boots again when it crashed (died on a signal or exited non-zero).
    case onCrash = "on-crash"
    /// The VM boots again whenever it ends.
    case always
}

/// A guest VM: a `/vlm/vm@<id>` node.
public struct VMSpec: Sendable, Hashable {
    /// 2…31.
    public var id: Int
    /// `label`, default `vm<id>`.
    public var name: String
    /// Physical CPUs the VM may run on (`vcpus { cpus = <…>; }`); empty means any.
    public var cpus: [Int]
    /// Console colour (`console { color = "green"; }`), or nil.
    public var color: String?
    /// The first user program (`vl,init`, a vlm extension); empty: none.
    public var initArgv: [String]
    public var restart: RestartPolicy
    /// The VM node's path (`/vlm/vm@2`).
    public var nodePath: String
    /// The VM's own device-tree nodes (`/vlm/vm@2/vplatform`), served as
    /// `nk.vm.<id>.vplatform-dtb` (DT(4D), manual line 5973); nil when absent.
    public var vplatformPath: String?
    public var location: SourceLocation?

    public init(
        id: Int, name: String? = nil, cpus: [Int] = [], color: String? = nil, initArgv: [String] = [],
        restart: RestartPolicy = .never, nodePath: String? = nil, vplatformPath: String? = nil,
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name ?? "vm\(id)"
        self.cpus = cpus
        self.color = color
        self.initArgv = initArgv
        self.restart = restart
        self.nodePath = nodePath ?? "/vlm/vm@\(id)"
        self.vplatformPath = vplatformPath
        self.location = location
    }

    /// `nk.vm.<id>.cpus`: bit i set when the VM may use physical CPU i; nil when any CPU.
    public var cpuMask: UInt32? {
        guard !cpus.isEmpty else { return nil }
        return cpus.reduce(UInt32(0)) { $1 < 32 ? $0 | (1 << UInt32($1)) : $0 }
    }
}
