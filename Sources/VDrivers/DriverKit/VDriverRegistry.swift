// SPDX-License-Identifier: Apache-2.0
public import Platform
public import PlatformViews

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
/// its devices and their nodes. One folder of `Sources/VDrivers` each
/// (docs/adding-a-vdriver.md).
public protocol VDriver: Sendable {
    /// The vlink name / `compatible` string it serves.
    static var compatible: String { get }
    /// Probes this VM's vlinks and starts the driver; `reserved` holds `dev/`
    /// names already taken and gets this driver's names added.
    static func probe(_ context: VDriverContext, reserved: inout Set<String>) -> any ProbedVDriver
}

/// A driver running in one VM: its device nodes, and its orderly stop.
public protocol ProbedVDriver: Sendable {
    /// Its devices, in probe order (each published in `dev/` under `name`).
    var devices: [any VDevice] { get }
    /// The VM stops: every end OFF and peers told (`vlink_drv_shutdown`), then
    /// its resources go (`vlink_drv_cleanup`).
    func stop()
}

/// One device of a driver, published in `dev/`.
public protocol VDevice: AnyObject, Sendable {
    /// The node name in `dev/`.
    var name: String { get }
}

/// The vdrivers of vlm, keyed by `compatible`, probed in this order.
public enum VDriverRegistry {
    /// Every driver.
    public static let drivers: [any VDriver.Type] = [VPipeDriver.self, VBPipeDriver.self]

    /// The driver for a `compatible` string.
    public static func driver(for compatible: String) -> (any VDriver.Type)? {
        drivers.first { $0.compatible == compatible }
    }

    /// Probes every driver, in order.
    public static func boot(_ context: VDriverContext) -> VDriverSet {
        var reserved = Set<String>(context.dev.childNames())
        return VDriverSet(drivers: drivers.map { $0.probe(context, reserved: &reserved) })
    }
}

/// The running drivers of one VM.
public final class VDriverSet: Sendable {
    /// Every driver, in probe order.
    public let drivers: [any ProbedVDriver]

    init(drivers: [any ProbedVDriver]) {
        self.drivers = drivers
    }

    /// Every device, in probe order.
    public var devices: [any VDevice] { drivers.flatMap(\.devices) }

    /// The device named `name`.
    public func device(named name: String) -> (any VDevice)? { devices.first { $0.name == name } }

    /// Orderly stop: every end OFF, peers told (GuestHooks.stop).
    public func stop() {
        for driver in drivers { driver.stop() }
    }
}
