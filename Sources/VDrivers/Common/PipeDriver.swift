// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformViews

/// vpipe and vbpipe: what differs between their probes. The rest
/// (`probeDevices`) is the same: `compatible` names the vlinks, and is also the
/// prefix of the default node names (`vpipe0`) and the `/proc/nk` file's name.
protocol PipeDriver: VDriver {
    /// The vlinks of one device: a vpipe end, a vbpipe pair.
    associatedtype Found
    /// What a disabled device could not allocate, besides the xirqs ("the ring").
    static var rings: String { get }
    /// The devices this VM has among `vlinks` (every vlink called `compatible`,
    /// in `nk_vlink_lookup` order), in minor order.
    static func find(_ vlinks: [NkPhAddr], _ context: VDriverContext) -> [Found]
    /// The minor and node name `found` asks for (from `info`).
    static func wishes(_ found: Found) -> DeviceNaming.Request
    /// The device of `found`, named `assigned`.
    static func makeDevice(_ found: Found, _ assigned: DeviceNaming.Assignment, _ context: VDriverContext) -> PipeDevice
    /// `/proc/nk/<compatible>`.
    static func procText(_ devices: [PipeDevice]) -> String
}

extension PipeDriver {
    /// Finds the devices, gives each its minor and node name (`DeviceNaming`,
    /// after the names in `reserved`, which gets the new ones), makes it and
    /// publishes it in `dev/`, then the `/proc/nk` file. Logs what naming refused
    /// and the devices that could not allocate their rings or xirqs.
    static func probeDevices(_ context: VDriverContext, reserved: inout Set<String>) -> [PipeDevice] {
        let found = find(vlinks(context.nkddi), context)
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
        context.procNK.add(compatible, .seqFile(SeqFile(text: { [devices] in procText(devices) })))
        return devices
    }

    /// Every vlink called `compatible`, in `nk_vlink_lookup` order.
    static func vlinks(_ nkddi: NKDDI) -> [NkPhAddr] {
        var all: [NkPhAddr] = []
        var plink = nkddi.nk_vlink_lookup(compatible, 0)
        while plink != 0 {
            all.append(plink)
            plink = nkddi.nk_vlink_lookup(compatible, plink)
        }
        return all
    }
}
