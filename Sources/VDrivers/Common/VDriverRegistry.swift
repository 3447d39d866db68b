// SPDX-License-Identifier: Apache-2.0
public import Platform
public import PlatformViews
import Synchronization

/// What a vdriver gets when it probes: the VM's NKDDI and where its nodes go.
public struct VDriverContext: Sendable {
    /// The VM's NKDDI.
    public let nkddi: NKDDI
    /// The VM's `dev/` directory.
    public let dev: ViewDirectory
    /// The VM's `proc/nk/` directory.
    public let procNK: ViewDirectory
    /// Writes a line on the VM's console (probe messages, `info` warnings).
    public let log: @Sendable (String) -> Void

    public init(nkddi: NKDDI, dev: ViewDirectory, procNK: ViewDirectory, log: @escaping @Sendable (String) -> Void) {
        self.nkddi = nkddi
        self.dev = dev
        self.procNK = procNK
        self.log = log
    }
}

/// A virtual driver: finds its vlinks by `compatible` (the vlink name), sets up
/// its devices and their nodes.
public protocol VDriver: Sendable {
    /// The vlink name / `compatible` string it serves.
    static var compatible: String { get }
    /// Probes this VM's vlinks; `reserved` holds `dev/` names already taken and
    /// gets this driver's names added.
    static func probe(_ context: VDriverContext, reserved: inout Set<String>) -> [PipeDevice]
}

/// The vdrivers of vlm, keyed by `compatible`, probed in this order.
public enum VDriverRegistry {
    /// Every driver.
    public static let drivers: [any VDriver.Type] = [VPipeDriver.self, VBPipeDriver.self]

    /// The driver for a `compatible` string.
    public static func driver(for compatible: String) -> (any VDriver.Type)? {
        drivers.first { $0.compatible == compatible }
    }

    /// Probes every driver and attaches the `NK_XIRQ_SYSCONF` handler that runs
    /// their handshakes.
    public static func boot(_ context: VDriverContext) -> VDriverSet {
        var reserved = Set<String>(context.dev.childNames())
        let devices = drivers.flatMap { $0.probe(context, reserved: &reserved) }
        return VDriverSet(nkddi: context.nkddi, devices: devices)
    }
}

/// The devices of one VM, and their SYSCONF handler.
public final class VDriverSet: Sendable {
    /// Every device, in probe order.
    public let devices: [PipeDevice]
    private let nkddi: NKDDI
    private let handler: Mutex<NkXIrqId>

    init(nkddi: NKDDI, devices: [PipeDevice]) {
        self.nkddi = nkddi
        self.devices = devices
        self.handler = Mutex(0)
        let id = nkddi.nk_xirq_attach(NK_XIRQ_SYSCONF, { [devices] _, _ in devices.forEach { $0.sysconf() } }, nil)
        handler.withLock { $0 = id }
    }

    /// The device named `name`.
    public func device(named name: String) -> PipeDevice? { devices.first { $0.name == name } }

    /// Orderly stop: every end OFF, peers told (GuestHooks.stop).
    public func stop() {
        let id = handler.withLock { id in
            defer { id = 0 }
            return id
        }
        if id != 0 { nkddi.nk_xirq_detach(id) }
        for device in devices { device.shutDown() }
    }
}

/// A VM's view tree as the guest kernel mounts it at `DIR/vm<N>`: `dev/` with
/// the device nodes and `proc/nk/` with the driver files (DESIGN §1.2).
public struct VMView: Sendable {
    /// The root to mount.
    public let root: ViewDirectory
    /// The probed drivers (stop them on an orderly VM stop).
    public let drivers: VDriverSet

    /// Probes every vdriver of the VM into a fresh tree (or `root`, when other
    /// layers already put `sys/nk` or more `proc/nk` files there).
    public static func boot(
        nkddi: NKDDI, root: ViewDirectory = ViewDirectory(), log: @escaping @Sendable (String) -> Void
    ) -> VMView {
        let context = VDriverContext(
            nkddi: nkddi, dev: root.makeDirectories("dev"), procNK: root.makeDirectories("proc/nk"), log: log)
        return VMView(root: root, drivers: VDriverRegistry.boot(context))
    }
}
