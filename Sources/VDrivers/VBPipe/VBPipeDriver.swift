// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformViews

/// VBPIPE(4D): bidirectional pipes (manual lines 6353–6721) made of two
/// `vbpipe` vlinks with the same link number and swapped ends: this VM reads
/// the ring of the vlink it serves and writes the ring of the one it is the
/// client of (behaviour-reference §1.6). Open blocks until the other side opens.
public enum VBPipeDriver: PipeDriver {
    public static let compatible = "vbpipe"

    struct Pair {
        let reading: VlinkEndpoint
        let writing: VlinkEndpoint
        let info: VBPipeInfo
        let peerSize: Int
    }

    static let rings = "the rings"

    public static func probe(_ context: VDriverContext, reserved: inout Set<String>) -> [PipeDevice] {
        probeDevices(context, reserved: &reserved)
    }

    /// For every vbpipe vlink this VM serves, its reverse: same link, swapped
    /// ids, another record (which matters when both ends are this VM).
    static func find(_ all: [NkPhAddr], _ context: VDriverContext) -> [Pair] {
        let nkddi = context.nkddi
        var pairs: [Pair] = []
        for served in all {
            guard let reading = VlinkEndpoint(nkddi: nkddi, plink: served), reading.isServer else { continue }
            let record = reading.record
            let reverse = all.first { other in
                guard other != served, let end = VlinkEndpoint(nkddi: nkddi, plink: other, preferServer: false) else {
                    return false
                }
                return !end.isServer && end.record.s_id == record.c_id && end.record.c_id == record.s_id
                    && end.record.link == record.link
            }
            guard let reverse, let writing = VlinkEndpoint(nkddi: nkddi, plink: reverse, preferServer: false) else {
                context.log("vbpipe link \(record.link): no reverse vlink from vm\(record.c_id); ignored")
                continue
            }
            let info = VBPipeInfo.parse(reading.serverInfo)
            for warning in info.warnings { context.log("vbpipe link \(record.link): info: \(warning)") }
            pairs.append(Pair(reading: reading, writing: writing, info: info, peerSize: VBPipeInfo.parse(writing.serverInfo).size))
        }
        return pairs
    }

    /// The `minor=` and `name=` of the served vlink's info.
    static func wishes(_ pair: Pair) -> DeviceNaming.Request {
        DeviceNaming.Request(minor: pair.info.minor, name: pair.info.name)
    }

    static func makeDevice(_ pair: Pair, _ assigned: DeviceNaming.Assignment, _ context: VDriverContext) -> PipeDevice {
        let inBlock = InfoFields.blockSize(pair.info.size, layout: .vbpipe)
        let outBlock = InfoFields.blockSize(pair.peerSize, layout: .vbpipe)
        let links = PipeDevice.Links(
            reading: pair.reading, writing: pair.writing, dataSize: inBlock - ExRingLayout.vbpipe.headerSize,
            waitOnlyOnEmpty: pair.info.waitOnlyOnEmpty)
        var reader: ReaderChannel?
        var writer: WriterChannel?
        if let ring = mapRing(pair.reading, blockSize: inBlock, layout: .vbpipe), let xirqs = PipeXirqs.allocate(pair.reading) {
            reader = ReaderChannel(endpoint: pair.reading, ring: ring, xirqs: xirqs, readAll: !pair.info.waitOnlyOnEmpty)
        }
        if let ring = mapRing(pair.writing, blockSize: outBlock, layout: .vbpipe), let xirqs = PipeXirqs.allocate(pair.writing) {
            writer = WriterChannel(endpoint: pair.writing, ring: ring, xirqs: xirqs)
        }
        return PipeDevice(
            name: assigned.name, minor: assigned.minor, access: .any, links: links, reader: reader, writer: writer,
            nkddi: context.nkddi)
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
