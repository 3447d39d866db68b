// SPDX-License-Identifier: Apache-2.0
public import PlatformModel

/// One VM as the runtime needs it: identity, console colour, restart policy
/// (`PlatformModel.RestartPolicy`, from `vl,restart`), first user program.
/// Built from a `VMSpec` (or by hand in tests).
public struct VMConfig: Sendable, Equatable {
    /// VM id, 2…31.
    public var id: Int
    /// `label` of the vm node; `vm<id>` by default.
    public var name: String
    /// `console { color = … }`: a colour name (`green`, `cyan`, …), nil for none.
    public var color: String?
    /// `vl,restart`.
    public var restart: RestartPolicy
    /// `vl,init`: argv of the first user program, nil for none.
    public var initCommand: [String]?
    /// Whether the VM boots with the platform.
    public var bootsAtStart: Bool

    public init(
        id: Int, name: String? = nil, color: String? = nil, restart: RestartPolicy = .never,
        initCommand: [String]? = nil, bootsAtStart: Bool = true
    ) {
        precondition((2...31).contains(id), "VM ids are 2…31, got \(id)")
        self.id = id
        self.name = name ?? "vm\(id)"
        self.color = color
        self.restart = restart
        self.initCommand = initCommand
        self.bootsAtStart = bootsAtStart
    }

    /// The runtime view of a checked VM.
    public init(_ spec: VMSpec) {
        self.init(
            id: spec.id, name: spec.name, color: spec.color, restart: spec.restart,
            initCommand: spec.initArgv.isEmpty ? nil : spec.initArgv)
    }

    /// `vm2 (server)`, as logs and `ps` show the VM.
    public var displayName: String { name == "vm\(id)" ? name : "vm\(id) (\(name))" }
}

/// The platform as the supervisor runs it: the checked `PlatformSpec` (which
/// `Repository.format` lays out in shared memory) and the runtime view of its VMs.
public struct RuntimeConfig: Sendable, Equatable {
    /// The config's name (file name without extension, `demo` for the embedded
    /// demo): names the default run directory.
    public var name: String
    /// The VMs, in id order.
    public var vms: [VMConfig]
    /// The platform the repository is formatted from.
    public var spec: PlatformSpec
    /// Values of the size-0 device-tree properties (`nk.vlm-dtb`,
    /// `nk.vm.<id>.vplatform-dtb`), by name, built by the caller.
    public var blobs: [String: [UInt8]]
    /// Size of the PMEM pool shared-memory object (`vlm.<run>.pmem`).
    public var pmemSize: UInt64
    /// Whether guests start their `vl,init` (tests and benchmarks turn it off).
    public var startsInit = true

    /// The platform of a checked spec.
    public init(name: String, spec: PlatformSpec, blobs: [String: [UInt8]] = [:], pmemSize: UInt64 = 32 << 20) {
        self.name = name
        self.spec = spec
        self.vms = spec.vms.map(VMConfig.init).sorted { $0.id < $1.id }
        self.blobs = blobs
        self.pmemSize = pmemSize
    }

    /// A platform of VMs only (no vlinks, built-in properties), for tests.
    public init(name: String, vms: [VMConfig], pmemSize: UInt64 = 32 << 20) {
        let specs = vms.map {
            VMSpec(id: $0.id, name: $0.name, color: $0.color, initArgv: $0.initCommand ?? [], restart: $0.restart)
        }
        self.init(
            name: name, spec: PlatformSpec(vms: specs, properties: PlatformBuilder.builtInProperties(for: specs)),
            pmemSize: pmemSize)
        self.vms = vms.sorted { $0.id < $1.id }
    }

    /// The VM with `id`, or whose name is `nameOrID`.
    public func vm(_ nameOrID: String) -> VMConfig? {
        if let id = Int(nameOrID) { return vms.first { $0.id == id } }
        return vms.first { $0.name == nameOrID }
    }
}
