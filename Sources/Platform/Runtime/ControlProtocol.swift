// SPDX-License-Identifier: Apache-2.0
import PlatformModel

/// Everything a guest needs to boot, sent by the supervisor as the first message
/// on the guest's control socket (fd 3), with descriptors attached in this
/// order: the repository object, the PMEM pool object, the doorbell (eventfd)
/// of each VM in `vmIDs` order, this VM's console bell (an eventfd the
/// guest rings after `nk_cons_write` so the supervisor streams the history),
/// then its console doorbell (an eventfd the supervisor rings when a console
/// this VM's readers wait for has new output, ``Repository/watchConsole(_:by:)``).
public struct GuestManifest: Sendable, Equatable {
    /// Bumped whenever the manifest or the messages change incompatibly.
    public static let currentVersion = 3

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
    /// Whether to start `vl,init`.
    public var startsInit: Bool

    public init(
        vm: VMConfig, runDirectory: String, repositoryObject: String, pmemObject: String, vmIDs: [Int],
        startsInit: Bool = true
    ) {
        self.startsInit = startsInit
        self.vm = vm
        self.runDirectory = runDirectory
        self.repositoryObject = repositoryObject
        self.pmemObject = pmemObject
        self.vmIDs = vmIDs
    }

    var records: [[String]] {
        [
            [
                "manifest", "\(version)", "\(vm.id)", vm.name, vm.color ?? "", vm.restart.rawValue, runDirectory,
                repositoryObject, pmemObject, startsInit ? "init" : "no-init",
            ],
            vmIDs.map(String.init),
            ["init"] + (vm.initCommand ?? []),
        ]
    }

    init(records: [[String]]) throws(RuntimeError) {
        guard records.count == 3, records[0].count == 10, records[2].first == "init",
            try Wire.int(records[0], 1) == GuestManifest.currentVersion
        else {
            throw .protocolViolation("malformed or foreign-version guest manifest")
        }
        let head = records[0]
        let id = try Wire.int(head, 2)
        guard (2...31).contains(id), let restart = RestartPolicy(rawValue: head[5]) else {
            throw .protocolViolation("bad VM in manifest: \(head)")
        }
        let command = Array(records[2].dropFirst())
        vm = VMConfig(
            id: id, name: head[3], color: head[4].isEmpty ? nil : head[4], restart: restart,
            initCommand: command.isEmpty ? nil : command)
        runDirectory = head[6]
        repositoryObject = head[7]
        pmemObject = head[8]
        startsInit = head[9] == "init"
        vmIDs = try records[1].filter { !$0.isEmpty }.map { field throws(RuntimeError) in try Wire.int([field], 0) }
    }
}

/// Supervisor → guest. A closed set (anchors §12.6), versioned by the manifest.
public enum SupervisorMessage: WireMessage {
    /// First message: boot with this manifest (descriptors attached).
    case manifest(GuestManifest)
    /// Orderly stop: take vlink ends OFF, stop `vl,init`, exit 0.
    case stop
    /// The answer to the guest's last `GuestMessage.hypercall`.
    case hypercallResult(HypercallResult)

    public func encoded() -> [UInt8] {
        switch self {
        case .manifest(let manifest): Wire.encode(manifest.records)
        case .stop: Wire.encode([["stop"]])
        case .hypercallResult(.done): Wire.encode([["result", "done"]])
        case .hypercallResult(.unknownVM): Wire.encode([["result", "unknown-vm"]])
        case .hypercallResult(.refused(let why)): Wire.encode([["result", "refused", why]])
        }
    }

    public init(decoding bytes: [UInt8]) throws(RuntimeError) {
        let records = Wire.decode(bytes)
        let head = records.first ?? []
        switch (head.first, head.count > 1 ? head[1] : "") {
        case ("manifest", _): self = .manifest(try GuestManifest(records: records))
        case ("stop", _): self = .stop
        case ("result", "done"): self = .hypercallResult(.done)
        case ("result", "unknown-vm"): self = .hypercallResult(.unknownVM)
        case ("result", "refused"): self = .hypercallResult(.refused(try Wire.string(head, 2)))
        default: throw .protocolViolation("unknown supervisor message \(head)")
        }
    }
}

/// Guest → supervisor.
public enum GuestMessage: WireMessage {
    /// The guest mapped everything and runs (its drivers are up).
    case ready
    /// A lifecycle hypercall (`nk_start`, `nk_stop`, `nk_suspend`, `nk_resume`
    /// and writes to `nk.vm.<id>.state.*`); the supervisor answers with
    /// `SupervisorMessage.hypercallResult`. The only path from a VM to the
    /// supervisor besides `ready`.
    case hypercall(Hypercall)

    public func encoded() -> [UInt8] {
        switch self {
        case .ready: Wire.encode([["ready"]])
        case .hypercall(let call): Wire.encode([["hypercall", call.wireName, "\(call.lifecycle.1)"]])
        }
    }

    public init(decoding bytes: [UInt8]) throws(RuntimeError) {
        let record = Wire.decode(bytes).first ?? []
        switch record.first {
        case "ready": self = .ready
        case "hypercall":
            let vm = NkOsId(truncatingIfNeeded: try Wire.int(record, 2))
            guard let call = Hypercall(wireName: try Wire.string(record, 1), vm: vm) else {
                throw .protocolViolation("unknown hypercall \(record)")
            }
            self = .hypercall(call)
        default: throw .protocolViolation("unknown guest message \(record)")
        }
    }
}

extension Hypercall {
    /// The hypercall's name on the wire.
    var wireName: String {
        switch self {
        case .start: "start"
        case .restart: "restart"
        case .stop: "stop"
        case .suspend: "suspend"
        case .resume: "resume"
        }
    }

    init?(wireName: String, vm: NkOsId) {
        switch wireName {
        case "start": self = .start(vm: vm)
        case "restart": self = .restart(vm: vm)
        case "stop": self = .stop(vm: vm)
        case "suspend": self = .suspend(vm: vm)
        case "resume": self = .resume(vm: vm)
        default: return nil
        }
    }
}

/// What `vlm start|stop|restart|pause|resume` ask for.
public enum LifecycleAction: String, Sendable, Equatable, CaseIterable {
    case start, stop, restart, pause, resume
}
