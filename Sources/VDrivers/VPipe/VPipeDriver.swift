// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformViews
import VlinkLib

/// VPIPE(4D): unidirectional pipes (manual lines 10644–11032). The client end
/// of a `vpipe` vlink writes (`/dev/<name>` opened `O_WRONLY`), the server end
/// reads (`O_RDONLY`); the ring is `nk_pmem_alloc(plink, 0, size)`, the xirqs
/// `nk_pxirq_alloc(plink, 0, c_id, 1)` and `(plink, 1, s_id, 1)`, all in
/// `vlink_init` (PipeDriver).
public enum VPipeDriver: PipeDriver {
    public static let compatible = "vpipe"

    struct Found {
        let vlink: Vlink
        let name: String?
    }

    static let flags: VlinkDrvType = [.server, .client]
    static let rings = "the ring"

    public static func probe(_ context: VDriverContext, reserved: inout Set<String>) -> any ProbedVDriver {
        probeDevices(context, reserved: &reserved)
    }

    /// The client maps the block the server sized (its `s_info`).
    static func ring(of vlink: Vlink) -> PipeRing {
        PipeRing(
            blockSize: InfoFields.blockSize(VPipeInfo.server(vlink.endpoint.serverInfo).size, layout: .vpipe),
            layout: .vpipe)
    }

    /// The ends this VM has, in lookup order (minor order).
    static func find(_ drv: VlinkDrv, _ context: VDriverContext) -> [Found] {
        drv.vlinks.map { vlink in
            let endpoint = vlink.endpoint
            let mine = endpoint.isServer ? VPipeInfo.server(endpoint.serverInfo) : VPipeInfo.client(endpoint.clientInfo)
            for warning in mine.warnings { context.log("vpipe link \(endpoint.link): info: \(warning)") }
            return Found(vlink: vlink, name: mine.name)
        }
    }

    /// A `name=` from the info; minors follow the lookup order.
    static func wishes(_ end: Found) -> DeviceNaming.Request {
        DeviceNaming.Request(name: end.name)
    }

    static func makeDevice(_ end: Found, _ assigned: DeviceNaming.Assignment, _ context: VDriverContext) -> PipeDevice {
        let endpoint = end.vlink.endpoint
        let links = PipeDevice.Links(
            reading: endpoint.isServer ? endpoint : nil, writing: endpoint.isServer ? nil : endpoint,
            dataSize: ring(of: end.vlink).blockSize - ExRingLayout.vpipe.headerSize)
        return PipeDevice(
            name: assigned.name, minor: assigned.minor, access: endpoint.isServer ? .readOnly : .writeOnly,
            links: links, reader: end.vlink.reader, writer: end.vlink.writer, nkddi: context.nkddi)
    }

    /// `/proc/nk/vpipe`.
    static func procText(_ devices: [PipeDevice]) -> String {
        var lines = [VPipeProcLine.header]
        for device in devices.sorted(by: { $0.minor < $1.minor }) {
            guard let end = device.links.reading ?? device.links.writing else { continue }
            lines.append(
                VPipeProcLine(
                    minor: device.minor, peer: Int(end.peer), link: end.link, enabled: device.enabled,
                    server: end.isServer, openCount: device.openCount, clientState: end.clientWord,
                    serverState: end.serverWord, dataSize: device.links.dataSize, statistics: device.statistics,
                    name: device.name
                ).text)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
