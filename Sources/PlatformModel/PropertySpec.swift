// SPDX-License-Identifier: Apache-2.0
public import DeviceTree

/// A hypervisor property (vproperty, manual lines 13067–13071): a value of at
/// most ``size`` bytes kept by the hypervisor, read with `nk_prop_get`,
/// written with `nk_prop_set`, with per-VM permissions.
public struct PropertySpec: Sendable, Hashable {
    /// The key: `nk.panic-trigger`, `nk.vm.3.state.running`.
    public var name: String
    /// The largest value in bytes. 0 for the device-tree blobs, which the hypervisor sizes when it builds them.
    public var size: Int
    /// The initial value; nil when not set (`/proc/nk/props` prints `Not set`) or filled at run time.
    public var value: [UInt8]?
    /// VMs that may read the value (`nk_prop_get`).
    public var allowGet: VMSet
    /// VMs that may write it (`nk_prop_set`).
    public var allowSet: VMSet
    /// VMs that get `NK_XIRQ_SYSCONF` when it changes.
    public var allowNotify: VMSet
    /// Where the property comes from.
    public var origin: PropertyOrigin

    public init(
        name: String, size: Int, value: [UInt8]? = nil, allowGet: VMSet = .all, allowSet: VMSet = .none,
        allowNotify: VMSet = .none, origin: PropertyOrigin
    ) {
        self.name = name
        self.size = size
        self.value = value
        self.allowGet = allowGet
        self.allowSet = allowSet
        self.allowNotify = allowNotify
        self.origin = origin
    }

    /// The `ATTR` column of `/proc/nk/props` for VM `id`: `r`/`-`, `w`/`-`, `n`/`-` (manual line 14110).
    public func attributes(forVM id: Int) -> String {
        (allowGet.contains(id) ? "r" : "-") + (allowSet.contains(id) ? "w" : "-")
            + (allowNotify.contains(id) ? "n" : "-")
    }

    /// The built-in property this is, or nil for a `&hyp_property` node.
    public var builtIn: BuiltInProperty? {
        if case .builtIn(let which) = origin { return which }
        return nil
    }
}

/// Where a property was defined.
public enum PropertyOrigin: Sendable, Hashable {
    /// A child node of `&hyp_property` in the configuration.
    case configuration(nodePath: String, location: SourceLocation?)
    /// One of the hypervisor's own `nk.*` properties (/sys/nk(5), /proc/nk(5)).
    case builtIn(BuiltInProperty)
}

/// The hypervisor's own properties, named in /sys/nk(5) (manual lines 13143–13347)
/// and /proc/nk(5). The runtime keeps the ``isLive`` ones up to date.
public enum BuiltInProperty: Sendable, Hashable {
    case buildID
    case versionHypervisor, versionBuildDate, versionCompiler
    case versionBSP, versionBSPBuildDate, versionBSPCompiler
    case featuresAll, featuresOn, featuresOff
    case featuresAllString, featuresOnString, featuresOffString
    case errorIgnoreAllocAfterBoot, errorIgnoreNonAllowedIOSharing
    case memoryHeapFree, memoryHeapUsed, memoryPMEMFree, memoryPMEMUsed
    case cpusOnline
    case monitoringEnable
    /// The event-log filter as a 160-bit mask (`nk.event-log.filter`, manual line 13603).
    case eventLogFilter
    case focus
    /// The compiled platform tree (`nk.vlm-dtb`, manual line 13314).
    case vlmDTB
    case vmRunning(Int)
    case vmPaused(Int)
    case vmCPUs(Int)
    case vmBootComplete(Int)
    /// VM `id`'s virtual-platform subtree as a blob (`nk.vm.<id>.vplatform-dtb`, DT(4D)).
    case vmPlatformDTB(Int)

    /// True when the hypervisor computes the value at run time (memory counters,
    /// online CPUs, VM states, blobs) instead of taking it from the model.
    public var isLive: Bool {
        switch self {
        case .memoryHeapFree, .memoryHeapUsed, .memoryPMEMFree, .memoryPMEMUsed, .cpusOnline, .vlmDTB,
            .vmRunning, .vmPaused, .vmPlatformDTB, .eventLogFilter:
            true
        default:
            false
        }
    }
}
