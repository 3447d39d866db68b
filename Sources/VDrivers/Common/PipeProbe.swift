// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformViews

/// What the vpipe and vbpipe probes share. `compatible` names the vlinks, and
/// is also the prefix of the default node names (`vpipe0`) and the name of the
/// `/proc/nk` file.
struct PipeProbe {
    let compatible: String
    let context: VDriverContext

    /// Every vlink called `compatible`, in `nk_vlink_lookup` order.
    func vlinks() -> [NkPhAddr] {
        var all: [NkPhAddr] = []
        var plink = context.nkddi.nk_vlink_lookup(compatible, 0)
        while plink != 0 {
            all.append(plink)
            plink = context.nkddi.nk_vlink_lookup(compatible, plink)
        }
        return all
    }

    /// Gives each of `found` (in lookup order) its minor and node name
    /// (`DeviceNaming`, after the names in `reserved`, which gets the new ones),
    /// makes its device and publishes it in `dev/`. Logs what naming refused and
    /// the devices that could not allocate `parts` ("the ring") or the xirqs.
    func devices<Found>(
        _ found: [Found], wishes: (Found) -> DeviceNaming.Request, parts: String, reserved: inout Set<String>,
        make: (Found, DeviceNaming.Assignment) -> PipeDevice
    ) -> [PipeDevice] {
        let names = DeviceNaming.assign(found.map(wishes), prefix: compatible, reserved: reserved)
        var devices: [PipeDevice] = []
        for (one, assigned) in zip(found, names) {
            for warning in assigned.warnings { context.log("\(compatible)\(assigned.minor): \(warning)") }
            let device = make(one, assigned)
            if !device.enabled { context.log("\(compatible)\(assigned.minor): cannot allocate \(parts) or the xirqs") }
            device.publish(in: context.dev)
            reserved.insert(device.name)
            devices.append(device)
        }
        return devices
    }

    /// `/proc/nk/<compatible>`: `text` of the devices, read anew at every open.
    func publishProc(_ devices: [PipeDevice], text: @escaping @Sendable ([PipeDevice]) -> String) {
        context.procNK.add(compatible, .seqFile(SeqFile(text: { [devices] in text(devices) })))
    }
}
