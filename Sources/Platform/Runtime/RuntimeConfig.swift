// SPDX-License-Identifier: Apache-2.0

/// What `vl,restart` says to do when a VM's process ends (DESIGN §1.5).
public enum RestartPolicy: String, Sendable, Equatable, CaseIterable {
    /// Never boot it again by itself.
    case never
    /// Boot it again when it crashed (died without being asked to stop).
    case onCrash = "on-crash"
    /// Boot it again whenever it ends without being asked to stop.
    case always
}

/// One VM as the runtime needs it: identity, console colour, restart policy,
/// first user program. Built from a `PlatformSpec` (or by hand in tests).
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

    /// `vm2 (server)`, as logs and `ps` show the VM.
    public var displayName: String { name == "vm\(id)" ? name : "vm\(id) (\(name))" }
}

/// The platform as the supervisor runs it.
public struct RuntimeConfig: Sendable, Equatable {
    /// The config's name (file name without extension, `demo` for the embedded
    /// demo): names the default run directory.
    public var name: String
    /// The VMs, in id order.
    public var vms: [VMConfig]
    /// Size of the repository shared-memory object (`vlm.<run>.repo`).
    public var repositorySize: Int
    /// Size of the PMEM pool shared-memory object (`vlm.<run>.pmem`).
    public var pmemSize: Int

    public init(name: String, vms: [VMConfig], repositorySize: Int = 1 << 20, pmemSize: Int = 32 << 20) {
        self.name = name
        self.vms = vms.sorted { $0.id < $1.id }
        self.repositorySize = repositorySize
        self.pmemSize = pmemSize
    }

    /// The VM with `id`, or whose name is `nameOrID`.
    public func vm(_ nameOrID: String) -> VMConfig? {
        if let id = Int(nameOrID) { return vms.first { $0.id == id } }
        return vms.first { $0.name == nameOrID }
    }
}
