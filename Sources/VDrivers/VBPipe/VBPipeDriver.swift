// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformViews
import VlinkLib

/// VBPIPE(4D): bidirectional pipes (manual lines 6353–6721) made of two
/// `vbpipe` vlinks with the same link number and swapped ends: this VM reads
/// the ring of the vlink it serves and writes the ring of the one it is the
/// client of (behaviour-reference §1.6). Open blocks until the other side opens.
public enum VBPipeDriver: PipeDriver {
    public static let compatible = "vbpipe"

    struct Pair {
        let reading: Vlink
        let writing: Vlink
        let info: VBPipeInfo
    }

    static let flags: VlinkDrvType = .symmetric
    static let rings = "the rings"

    public static func probe(_ context: VDriverContext, reserved: inout Set<String>) -> any ProbedVDriver {
        probeDevices(context, reserved: &reserved)
    }

    /// Each vlink's ring is sized by its server's `info`.
    static func ring(of vlink: Vlink) -> PipeRing {
        let info = VBPipeInfo.parse(vlink.endpoint.serverInfo)
        return PipeRing(
            blockSize: InfoFields.blockSize(info.size, layout: .vbpipe), layout: .vbpipe, readAll: !info.waitOnlyOnEmpty
        )
    }

    /// Every vlink this VM serves with its reverse (`sym_vlink`: same link,
    /// swapped ids, another record, which matters when both ends are this VM).
    static func find(_ drv: VlinkDrv, _ context: VDriverContext) -> [Pair] {
        drv.vlinks.compactMap { reading in
            guard reading.server, let writing = reading.sym_vlink else { return nil }
            let info = VBPipeInfo.parse(reading.endpoint.serverInfo)
            for warning in info.warnings { context.log("vbpipe link \(reading.endpoint.link): info: \(warning)") }
            return Pair(reading: reading, writing: writing, info: info)
        }
    }

    /// The `minor=` and `name=` of the served vlink's info.
    static func wishes(_ pair: Pair) -> DeviceNaming.Request {
        DeviceNaming.Request(minor: pair.info.minor, name: pair.info.name)
    }

    static func makeDevice(_ pair: Pair, _ assigned: DeviceNaming.Assignment, _ context: VDriverContext) -> PipeDevice {
        let links = PipeDevice.Links(
            reading: pair.reading.endpoint, writing: pair.writing.endpoint,
            dataSize: ring(of: pair.reading).blockSize - ExRingLayout.vbpipe.headerSize,
            waitOnlyOnEmpty: pair.info.waitOnlyOnEmpty)
        return PipeDevice(
            name: assigned.name, minor: assigned.minor, access: .any, links: links, reader: pair.reading.reader,
            writer: pair.writing.writer, nkddi: context.nkddi)
    }

    /// `/proc/nk/vbpipe`.
    static func procText(_ devices: [PipeDevice]) -> String {
        var lines = [VBPipeProcLine.header]
        for device in devices.sorted(by: { $0.minor < $1.minor }) {
            guard let reading = device.links.reading, let writing = device.links.writing else { continue }
            lines.append(
                VBPipeProcLine(
                    minor: device.minor, peer: Int(reading.peer), link: reading.link, enabled: device.enabled,
                    waitOnlyOnEmpty: device.links.waitOnlyOnEmpty, openCount: device.openCount,
                    states: (writing.clientWord, writing.serverWord, reading.clientWord, reading.serverWord),
                    dataSize: device.links.dataSize, statistics: device.statistics
                ).text)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
