// SPDX-License-Identifier: Apache-2.0

/// Everything a guest needs to boot, sent by the supervisor as the first message
/// on the guest's control socket (fd 3), with descriptors attached in this
/// order: the repository object, the PMEM pool object, then the doorbell
/// (eventfd) of each VM in `vmIDs` order.
public struct GuestManifest: Sendable, Equatable {
    /// Bumped whenever the manifest or the messages change incompatibly.
    public static let currentVersion = 1

    public var version = GuestManifest.currentVersion
    /// The VM this guest runs.
    public var vm: VMConfig
    /// The run directory.
    public var runDirectory: String
    /// Names of the shared-memory objects (the descriptors are attached too).
    public var repositoryObject: String
    public var pmemObject: String
    /// Every VM of the platform, in the order of the attached doorbells.
    public var vmIDs: [Int]

    public init(vm: VMConfig, runDirectory: String, repositoryObject: String, pmemObject: String, vmIDs: [Int]) {
        self.vm = vm
        self.runDirectory = runDirectory
        self.repositoryObject = repositoryObject
        self.pmemObject = pmemObject
        self.vmIDs = vmIDs
    }

    var records: [[String]] {
        [
            ["manifest", "\(version)", "\(vm.id)", vm.name, vm.color ?? "", vm.restart.rawValue, runDirectory,
             repositoryObject, pmemObject],
            vmIDs.map(String.init),
            ["init"] + (vm.initCommand ?? []),
        ]
    }

    init(records: [[String]]) throws(RuntimeError) {
        guard records.count == 3, records[0].count == 9, records[2].first == "init",
              try Wire.int(records[0], 1) == GuestManifest.currentVersion else {
            throw .protocolViolation("malformed or foreign-version guest manifest")
        }
        let head = records[0]
        let id = try Wire.int(head, 2)
        guard (2...31).contains(id), let restart = RestartPolicy(rawValue: head[5]) else {
            throw .protocolViolation("bad VM in manifest: \(head)")
        }
        let command = Array(records[2].dropFirst())
        vm = VMConfig(id: id, name: head[3], color: head[4].isEmpty ? nil : head[4], restart: restart,
                      initCommand: command.isEmpty ? nil : command)
        runDirectory = head[6]
        repositoryObject = head[7]
        pmemObject = head[8]
        vmIDs = try records[1].filter { !$0.isEmpty }.map { field throws(RuntimeError) in try Wire.int([field], 0) }
    }
}

/// Supervisor → guest. A closed set (anchors §12.6), versioned by the manifest.
public enum SupervisorMessage: WireMessage {
    /// First message: boot with this manifest (descriptors attached).
    case manifest(GuestManifest)
    /// Orderly stop: take vlink ends OFF, stop `vl,init`, exit 0.
    case stop

    public func encoded() -> [UInt8] {
        switch self {
        case .manifest(let manifest): Wire.encode(manifest.records)
        case .stop: Wire.encode([["stop"]])
        }
    }

    public init(decoding bytes: [UInt8]) throws(RuntimeError) {
        let records = Wire.decode(bytes)
        switch records.first?.first {
        case "manifest": self = .manifest(try GuestManifest(records: records))
        case "stop": self = .stop
        default: throw .protocolViolation("unknown supervisor message \(records.first ?? [])")
        }
    }
}

/// Guest → supervisor.
public enum GuestMessage: WireMessage {
    /// The guest mapped everything and runs (its drivers are up).
    case ready
    /// The guest asks for a lifecycle change of VM `vm` (`nk_start`, `nk_stop`,
    /// `nk_suspend`, `nk_resume` and the `nk.vm.<id>.state.*` properties).
    case lifecycle(LifecycleAction, vm: Int)

    public func encoded() -> [UInt8] {
        switch self {
        case .ready: Wire.encode([["ready"]])
        case .lifecycle(let action, let vm): Wire.encode([["lifecycle", action.rawValue, "\(vm)"]])
        }
    }

    public init(decoding bytes: [UInt8]) throws(RuntimeError) {
        let record = Wire.decode(bytes).first ?? []
        switch record.first {
        case "ready": self = .ready
        case "lifecycle":
            guard let action = LifecycleAction(rawValue: try Wire.string(record, 1)) else {
                throw .protocolViolation("unknown lifecycle action \(record)")
            }
            self = .lifecycle(action, vm: try Wire.int(record, 2))
        default: throw .protocolViolation("unknown guest message \(record)")
        }
    }
}

/// What `vlm start|stop|restart|pause|resume` ask for.
public enum LifecycleAction: String, Sendable, Equatable, CaseIterable {
    case start, stop, restart, pause, resume
}
