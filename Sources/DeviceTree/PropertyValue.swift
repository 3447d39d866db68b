// SPDX-License-Identifier: Apache-2.0

/// The bytes of a property, with markers that remember how the source wrote
/// them (dtc's `struct data` with its `marker` list).
///
/// Markers keep what the bytes alone lose: labels inside values, phandle and
/// path references (resolved in place once the tree is complete), and the
/// type of each piece (`<cells>`, `"string"`, `[bytes]`) so that canonical
/// source can be printed back.
public struct PropertyValue: Sendable, Hashable {
    public var bytes: [UInt8]
    public var markers: [Marker]

    public init(bytes: [UInt8] = [], markers: [Marker] = []) {
        self.bytes = bytes
        self.markers = markers
    }

    /// True for a property with no value (`status;`, `server;`).
    public var isEmpty: Bool { bytes.isEmpty }
}

/// A note attached to an offset of a property value.
public struct Marker: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `label:` written inside the value at this offset.
        case label(String)
        /// `<&ref>`: a 32-bit cell at this offset holds the phandle of `ref`.
        case phandleReference(String)
        /// `&ref` outside `< >`: the full path of `ref` (NUL-terminated) was spliced here.
        case pathReference(String)
        /// Start of a piece written as this type (dtc's TYPE_* markers).
        case type(ValueType)
    }

    public var offset: Int
    public var kind: Kind

    public init(offset: Int, kind: Kind) {
        self.offset = offset
        self.kind = kind
    }
}

/// How a piece of a property value was written in source.
public enum ValueType: Sendable, Hashable {
    case bytes  // [00 11 22]
    case string  // "text"
    case cells8  // /bits/ 8 <…>
    case cells16  // /bits/ 16 <…>
    case cells32  // <…>
    case cells64  // /bits/ 64 <…>
}

extension PropertyValue {
    /// The value as big-endian 32-bit cells, or nil when its length is not a multiple of 4.
    public var cells: [UInt32]? {
        guard bytes.count % 4 == 0 else { return nil }
        return stride(from: 0, to: bytes.count, by: 4).map { i -> UInt32 in
            var cell: UInt32 = 0
            for byte in bytes[i..<i + 4] { cell = cell << 8 | UInt32(byte) }
            return cell
        }
    }

    /// The value as a list of NUL-terminated strings, or nil when it is not one
    /// (empty, not NUL-terminated, or holding an empty string).
    public var strings: [String]? {
        guard let last = bytes.last, last == 0 else { return nil }
        let parts = bytes.dropLast().split(separator: 0, omittingEmptySubsequences: false)
        guard !parts.contains(where: \.isEmpty) else { return nil }
        return parts.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The value as one string, when it is exactly one NUL-terminated string.
    public var string: String? {
        guard let list = strings, list.count == 1 else { return nil }
        return list[0]
    }
}
