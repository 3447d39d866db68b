// SPDX-License-Identifier: Apache-2.0
import VlinkLib

/// One line of `/proc/nk/vpipe` (manual lines 10711–10726, behaviour-reference
/// §1.5): `"%2u %2d %2d %c%c%1d %c%c %4x %4d %5d %10lld %5d %10lld %s"`.
public struct VPipeProcLine: Sendable, Equatable {
    /// The header line.
    public static let header = "Mi Pr Id EDU St Size Opns Reads ReadBytes- Wrtes WriteBytes Name"

    public var minor: Int
    /// The peer VM id.
    public var peer: Int
    /// The vlink's link number.
    public var link: Int
    /// All resources allocated (`E`, else `.`).
    public var enabled: Bool
    /// This VM is the server (reader, `R`) rather than the client (writer, `W`).
    public var server: Bool
    /// Current open count.
    public var openCount: Int
    /// The raw `c_state` and `s_state` words.
    public var clientState: Int32
    public var serverState: Int32
    /// Bytes of `ring[]`.
    public var dataSize: Int
    public var statistics: PipeStatistics
    /// The node name.
    public var name: String

    public init(
        minor: Int, peer: Int, link: Int, enabled: Bool, server: Bool, openCount: Int, clientState: Int32,
        serverState: Int32, dataSize: Int, statistics: PipeStatistics, name: String
    ) {
        self.minor = minor
        self.peer = peer
        self.link = link
        self.enabled = enabled
        self.server = server
        self.openCount = openCount
        self.clientState = clientState
        self.serverState = serverState
        self.dataSize = dataSize
        self.statistics = statistics
        self.name = name
    }

    /// The formatted line, without newline.
    public var text: String {
        let edu = "\(enabled ? "E" : ".")\(server ? "R" : "W")\(openCount)"
        let st = "\(VlinkState.letter(ofWord: clientState))\(VlinkState.letter(ofWord: serverState))"
        return [
            ProcFormat.decimal(minor, width: 2), ProcFormat.decimal(peer, width: 2), ProcFormat.decimal(link, width: 2),
            edu, st, ProcFormat.hex(dataSize, width: 4), statistics.columns, name,
        ].joined(separator: " ")
    }
}
