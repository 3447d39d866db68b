// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformViews

/// VBPIPE(4D): bidirectional pipes (manual lines 6353–6721) made of two
/// `vbpipe` vlinks with the same link number and swapped ends: this VM reads
/// the ring of the vlink it serves and writes the ring of the one it is the
/// client of (behaviour-reference §1.6). Open blocks until the other side opens.
public enum VBPipeDriver: VDriver {
    public static let compatible = "vbpipe"

    struct Pair {
        let reading: VlinkEndpoint
        let writing: VlinkEndpoint
        let info: VBPipeInfo
        let peerSize: Int
    }

    public static func probe(_ context: VDriverContext, reserved: inout Set<String>) -> [PipeDevice] {
        let pairs = findPairs(context)
        let requests = pairs.map { DeviceNaming.Request(minor: $0.info.minor, name: $0.info.name) }
        let names = DeviceNaming.assign(requests, prefix: "vbpipe", reserved: reserved)
        var devices: [PipeDevice] = []
        for (pair, assigned) in zip(pairs, names) {
            for warning in assigned.warnings { context.log("vbpipe\(assigned.minor): \(warning)") }
            let device = makeDevice(pair, assigned, context)
            if !device.enabled { context.log("vbpipe\(assigned.minor): cannot allocate the rings or the xirqs") }
            device.publish(in: context.dev)
            reserved.insert(device.name)
            devices.append(device)
        }
        context.procNK.add("vbpipe", .seqFile(SeqFile(text: { [devices] in procText(devices) })))
        return devices
    }

    /// For every vbpipe vlink this VM serves, its reverse: same link, swapped
    /// ids, another record (which matters when both ends are this VM).
    static func findPairs(_ context: VDriverContext) -> [Pair] {
        let nkddi = context.nkddi
        var all: [NkPhAddr] = []
        var plink = nkddi.nk_vlink_lookup(compatible, 0)
        while plink != 0 {
            all.append(plink)
            plink = nkddi.nk_vlink_lookup(compatible, plink)
        }
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
