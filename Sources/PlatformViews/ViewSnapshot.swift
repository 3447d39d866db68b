// SPDX-License-Identifier: Apache-2.0

/// The content of a seq file as built at open: every read of that open file is answered
/// from it, at the caller's offset, so a reader sees one consistent state even if it
/// reads in small pieces while the platform changes.
public struct ViewSnapshot: Sendable, Equatable {
    /// The whole content.
    public let bytes: [UInt8]

    /// A snapshot holding `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Up to `count` bytes from `offset`; empty at or past the end (end of file).
    public func read(offset: Int, count: Int) -> ArraySlice<UInt8> {
        guard offset >= 0, count > 0, offset < bytes.count else { return [] }
        return bytes[offset..<min(bytes.count, offset + count)]
    }
}
