// SPDX-License-Identifier: Apache-2.0

/// The incremental counters of one VSMQ end (VSMQ(4D), lines 12714–12746).
public struct VsmqStats: Sendable, Equatable {
    /// `Tx-Msg` / `Rx-Msg`: messages sent / received.
    public var messages: UInt64 = 0
    /// `Tx-Alloc`: messages allocated (transmitter).
    public var allocated: UInt64 = 0
    /// `Rx-Free`: messages freed (receiver).
    public var freed: UInt64 = 0
    /// `Tx-IRQ` / `Rx-IRQ`: xirqs sent / received.
    public var irqs: UInt64 = 0
    /// `Rx-Sysconf`: state changes of the peer seen.
    public var rxSysconf: UInt64 = 0
    /// `Tx-Sysconf`: SYSCONFs sent.
    public var txSysconf: UInt64 = 0
    /// `Reset`: resets of the queue.
    public var resets: UInt64 = 0
    /// vlm: messages refused because the peer's counter was corrupt.
    public var refused: UInt64 = 0

    public init() {}

    /// The header and the line of the `/proc/nk/vsmq-…` file:
    /// `Link Peer Tx-Msg Tx-Alloc Tx-IRQ Rx-Sysconf Tx-Sysconf Reset Name`
    /// (`Rx-Msg Rx-Free Rx-IRQ` for a receiver), widths from the manual's example.
    public func text(transmitter: Bool, link: Int, peer: UInt32, name: String) -> String {
        let header =
            transmitter
            ? "Link Peer    Tx-Msg    Tx-Alloc    Tx-IRQ Rx-Sysconf Tx-Sysconf Reset Name"
            : "Link Peer    Rx-Msg    Rx-Free    Rx-IRQ Rx-Sysconf Tx-Sysconf Reset Name"
        let columns: [(UInt64, Int)] = [
            (UInt64(link), 3), (UInt64(peer), 6), (messages, 11), (transmitter ? allocated : freed, 11), (irqs, 11),
            (rxSysconf, 11), (txSysconf, 9), (resets, 5),
        ]
        let line = columns.map { value, width in pad(String(value), width) }.joined(separator: " ") + " " + name
        return header + "\n" + line + "\n"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
