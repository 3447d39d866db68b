// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformViews

/// VPIPE(4D): unidirectional pipes (manual lines 10644–11032). The client end
/// of a `vpipe` vlink writes (`/dev/<name>` opened `O_WRONLY`), the server end
/// reads (`O_RDONLY`); the ring is `nk_pmem_alloc(plink, 0, size)`, the xirqs
/// `nk_pxirq_alloc(plink, 0, c_id, 1)` and `(plink, 1, s_id, 1)`.
public enum VPipeDriver: PipeDriver {
    public static let compatible = "vpipe"

    struct Found {
        let endpoint: VlinkEndpoint
        let size: Int
        let name: String?
    }

    static let rings = "the ring"

    public static func probe(_ context: VDriverContext, reserved: inout Set<String>) -> [PipeDevice] {
        probeDevices(context, reserved: &reserved)
    }

    /// The vlinks this VM is an end of, in lookup order (minor order).
    static func find(_ vlinks: [NkPhAddr], _ context: VDriverContext) -> [Found] {
        vlinks.compactMap { plink in
            guard let endpoint = VlinkEndpoint(nkddi: context.nkddi, plink: plink) else { return nil }
            let server = VPipeInfo.server(endpoint.serverInfo)
            let mine = endpoint.isServer ? server : VPipeInfo.client(endpoint.clientInfo)
            let label = "vpipe link \(endpoint.link)"
            for warning in mine.warnings { context.log("\(label): info: \(warning)") }
            return Found(endpoint: endpoint, size: server.size, name: mine.name)
        }
    }

    /// A `name=` from the info; minors follow the lookup order.
    static func wishes(_ end: Found) -> DeviceNaming.Request {
        DeviceNaming.Request(name: end.name)
    }

    static func makeDevice(_ end: Found, _ assigned: DeviceNaming.Assignment, _ context: VDriverContext) -> PipeDevice {
        let block = InfoFields.blockSize(end.size, layout: .vpipe)
        let links = PipeDevice.Links(
            reading: end.endpoint.isServer ? end.endpoint : nil, writing: end.endpoint.isServer ? nil : end.endpoint,
            dataSize: block - ExRingLayout.vpipe.headerSize)
        var reader: ReaderChannel?
        var writer: WriterChannel?
        if let ring = mapRing(end.endpoint, blockSize: block, layout: .vpipe), let xirqs = PipeXirqs.allocate(end.endpoint) {
            if end.endpoint.isServer {
                reader = ReaderChannel(endpoint: end.endpoint, ring: ring, xirqs: xirqs, readAll: false)
            } else {
                writer = WriterChannel(endpoint: end.endpoint, ring: ring, xirqs: xirqs)
            }
        }
        return PipeDevice(
            name: assigned.name, minor: assigned.minor, access: end.endpoint.isServer ? .readOnly : .writeOnly,
            links: links, reader: reader, writer: writer, nkddi: context.nkddi)
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
