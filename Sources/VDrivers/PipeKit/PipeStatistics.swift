// SPDX-License-Identifier: Apache-2.0

/// The statistics of `ExDev` (manual lines 10988–10995, 6668–6672).
public struct PipeStatistics: Sendable, Equatable {
    /// First opens (transitions from closed to open).
    public var opens: UInt32 = 0
    /// `read` calls that moved at least one byte.
    public var reads: UInt32 = 0
    /// `write` calls that moved at least one byte.
    public var writes: UInt32 = 0
    /// Bytes read.
    public var readBytes: UInt64 = 0
    /// Bytes written.
    public var writtenBytes: UInt64 = 0

    public init() {}

    /// `Opns Reads ReadBytes- Wrtes WriteBytes`: `%4d %5d %10lld %5d %10lld`.
    public var columns: String {
        [
            ProcFormat.decimal(opens, width: 4), ProcFormat.decimal(reads, width: 5),
            ProcFormat.decimal(readBytes, width: 10), ProcFormat.decimal(writes, width: 5),
            ProcFormat.decimal(writtenBytes, width: 10),
        ].joined(separator: " ")
    }
}
