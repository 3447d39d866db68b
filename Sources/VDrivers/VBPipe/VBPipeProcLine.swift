// SPDX-License-Identifier: Apache-2.0
import VlinkLib

/// One line of `/proc/nk/vbpipe` (manual lines 6420–6436):
/// `"%2u %2d %2d %c%c%1d %c%c%c%c %4x %4d %5d %10lld %5d %10lld"`; the manual's
/// example `0 2 0 E.0 FFFF ff0 0 0 0 0 0` lost its alignment in the export.
public struct VBPipeProcLine: Sendable, Equatable {
    /// The header line.
    public static let header = "Mi Pr Id EaU Stat Size Opns Reads ReadBytes- Wrtes WriteBytes"

    public var minor: Int
    public var peer: Int
    public var link: Int
    public var enabled: Bool
    /// The `a` flag (`EMPTY_WAIT_ONLY`).
    public var waitOnlyOnEmpty: Bool
    public var openCount: Int
    /// `Stat`: client vlink client side, client vlink server side, server vlink
    /// client side, server vlink server side (raw state words).
    public var states: (Int32, Int32, Int32, Int32)
    /// Bytes of `ring[]` of each ring.
    public var dataSize: Int
    public var statistics: PipeStatistics

    public init(
        minor: Int, peer: Int, link: Int, enabled: Bool, waitOnlyOnEmpty: Bool, openCount: Int,
        states: (Int32, Int32, Int32, Int32), dataSize: Int, statistics: PipeStatistics
    ) {
        self.minor = minor
        self.peer = peer
        self.link = link
        self.enabled = enabled
        self.waitOnlyOnEmpty = waitOnlyOnEmpty
        self.openCount = openCount
        self.states = states
        self.dataSize = dataSize
        self.statistics = statistics
    }

    public static func == (lhs: VBPipeProcLine, rhs: VBPipeProcLine) -> Bool { lhs.text == rhs.text }

    /// The formatted line, without newline.
    public var text: String {
        let eau = "\(enabled ? "E" : ".")\(waitOnlyOnEmpty ? "a" : ".")\(openCount)"
        let stat = [states.0, states.1, states.2, states.3].map { String(VlinkState.letter(ofWord: $0)) }.joined()
        return [
            ProcFormat.decimal(minor, width: 2), ProcFormat.decimal(peer, width: 2), ProcFormat.decimal(link, width: 2),
            eau, stat, ProcFormat.hex(dataSize, width: 4), statistics.columns,
        ].joined(separator: " ")
    }
}
