// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformViews
import Synchronization
import VlinkLib

/// vpipe and vbpipe on the driver kit: what differs between them. The rest
/// (`probeDevices`) is the same: a `VlinkDrv` named `compatible` (also the
/// prefix of the default node names, `vpipe0`, and the `/proc/nk` file's name)
/// whose `vlink_init` maps the vlink's ring and allocates its xirqs, and whose
/// vlinks come up on the device's first open (`onDemand`).
protocol PipeDriver: VDriver {
    /// The vlinks of one device: a vpipe end, a vbpipe pair.
    associatedtype Found
    /// Which ends the driver serves (`VlinkDrv.flags`).
    static var flags: VlinkDrvType { get }
    /// What a disabled device could not allocate, besides the xirqs ("the ring").
    static var rings: String { get }
    /// The ring of one vlink: its block size and layout, and whether a blocking
    /// read waits for all its bytes (vbpipe without `a`).
    static func ring(of vlink: Vlink) -> PipeRing
    /// The devices among the probed vlinks, in minor order; logs `info` warnings.
    static func find(_ drv: VlinkDrv, _ context: VDriverContext) -> [Found]
    /// The minor and node name `found` asks for (from `info`).
    static func wishes(_ found: Found) -> DeviceNaming.Request
    /// The device of `found`, named `assigned`.
    static func makeDevice(_ found: Found, _ assigned: DeviceNaming.Assignment, _ context: VDriverContext) -> PipeDevice
    /// `/proc/nk/<compatible>`.
    static func procText(_ devices: [PipeDevice]) -> String
}

/// The ring a pipe's `vlink_init` maps.
struct PipeRing {
    var blockSize: Int
    var layout: ExRingLayout
    var readAll = false
}

/// A pipe driver running in one VM: its `VlinkDrv` and its devices.
final class ProbedPipeDriver: ProbedVDriver {
    let drv: VlinkDrv
    /// Set once the devices are made; the SYSCONF event may come before.
    let pipes = Mutex<[PipeDevice]>([])

    init(drv: VlinkDrv) {
        self.drv = drv
    }

    var devices: [any VDevice] { pipes.withLock { $0 } }

    func stop() {
        drv.vlink_drv_shutdown()
        drv.vlink_drv_cleanup()
    }
}

extension PipeDriver {
    /// Probes and starts the `VlinkDrv`, then finds the devices, gives each its
    /// minor and node name (`DeviceNaming`, after the names in `reserved`, which
    /// gets the new ones), makes it and publishes it in `dev/`, then the
    /// `/proc/nk` file. Logs what naming refused, the vbpipe vlinks without a
    /// reverse, and the devices that could not allocate their rings or xirqs.
    static func probeDevices(_ context: VDriverContext, reserved: inout Set<String>) -> any ProbedVDriver {
        let drv = VlinkDrv(
            name: compatible, flags: flags.union(.onDemand), nkddi: context.nkddi,
            vlink_init: { vlink in initialise(vlink) },
            event: { drv in
                for device in (drv.private as? ProbedPipeDriver)?.pipes.withLock({ $0 }) ?? [] { device.sysconf() }
            })
        let probed = ProbedPipeDriver(drv: drv)
        drv.private = probed
        if drv.vlink_drv_probe() == VlinkReturn.EINVAL {
            for end in drv.unpaired where end.isServer {
                context.log("\(compatible) link \(end.link): no reverse vlink from vm\(end.record.c_id); ignored")
            }
        }
        _ = drv.vlink_drv_startup()
        let found = find(drv, context)
        let names = DeviceNaming.assign(found.map(wishes), prefix: compatible, reserved: reserved)
        var devices: [PipeDevice] = []
        for (one, assigned) in zip(found, names) {
            for warning in assigned.warnings { context.log("\(compatible)\(assigned.minor): \(warning)") }
            let device = makeDevice(one, assigned, context)
            if !device.enabled { context.log("\(compatible)\(assigned.minor): cannot allocate \(rings) or the xirqs") }
            device.publish(in: context.dev)
            reserved.insert(device.name)
            devices.append(device)
        }
        probed.pipes.withLock { $0 = devices }
        context.procNK.add(compatible, .seqFile(SeqFile(text: { [devices] in procText(devices) })))
        return probed
    }

    /// `vlink_init`: maps the vlink's ring, allocates its xirqs and makes its
    /// channel (a server end reads, a client end writes). `-ENOMEM` when the
    /// pool or the xirqs refuse: the vlink stays `VLINK_CLEAN`, its device disabled.
    static func initialise(_ vlink: Vlink) -> Int32 {
        let spec = ring(of: vlink)
        guard let ring = mapRing(vlink.endpoint, blockSize: spec.blockSize, layout: spec.layout),
            let xirqs = PipeXirqs.allocate(vlink.endpoint)
        else { return VlinkReturn.ENOMEM }
        let channel: any PipeChannel =
            vlink.server
            ? ReaderChannel(vlink: vlink, ring: ring, xirqs: xirqs, readAll: spec.readAll)
            : WriterChannel(vlink: vlink, ring: ring, xirqs: xirqs)
        channel.registerOps()
        vlink.private = channel
        return VlinkReturn.ok
    }
}

/// A reading or writing channel as the driver glue sees it.
protocol PipeChannel: AnyObject, Sendable {
    /// Registers its RESET, ABORT and STOP callbacks on its vlink.
    func registerOps()
}

extension Vlink {
    /// The reading channel `vlink_init` made, if it succeeded on a server end.
    var reader: ReaderChannel? { self.private as? ReaderChannel }
    /// The writing channel `vlink_init` made, if it succeeded on a client end.
    var writer: WriterChannel? { self.private as? WriterChannel }
}
