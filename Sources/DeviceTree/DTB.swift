// SPDX-License-Identifier: Apache-2.0

/// The flattened device tree (DTB) format: encoding a tree to a blob and
/// decoding a blob back to a tree.
///
/// The layout is the one dtc writes by default (version 17, last compatible
/// version 16): a 40-byte header, the memory reservation map (8-aligned,
/// terminated by an all-zero entry), the structure block and the strings block,
/// in that order and without padding, so blobs compare byte for byte with dtc's.
public enum DTB {
    /// `FDT_MAGIC`, the first word of every blob.
    static let magic: UInt32 = 0xD00D_FEED
    /// The version written by `encode`.
    static let version: UInt32 = 17
    /// The oldest version a reader must understand to read what `encode` writes.
    static let lastCompatibleVersion: UInt32 = 16
    /// Size of the version-17 header: ten 32-bit words.
    static let headerSize = 40
    /// Deepest node nesting `decode` accepts; deeper blobs are refused rather
    /// than risking the stack of every recursive consumer of the tree.
    public static let maximumDepth = 1024

    /// The tokens of the structure block.
    enum Token: UInt32 {
        case beginNode = 1
        case endNode = 2
        case property = 3
        case nop = 4
        case end = 9
    }

    /// Encodes `tree` as a version-17 blob, byte-identical to `dtc -O dtb`
    /// for the same tree.
    ///
    /// - Parameter tree: a complete tree: references resolved and `phandle`
    ///   properties present (the compiler's output, or a decoded blob).
    /// - Returns: the blob.
    public static func encode(_ tree: DeviceTree) -> [UInt8] {
        var writer = DTBWriter()
        return writer.encode(tree)
    }

    /// Decodes a blob, checking every offset and length against the blob.
    ///
    /// Sets `Node.phandle` from `phandle` (or else `linux,phandle`) properties.
    /// Never traps and always finishes: every token consumes input.
    ///
    /// - Parameter bytes: the blob.
    /// - Returns: the tree, with no source locations and no type markers.
    /// - Throws: `DeviceTreeError` with one diagnostic (no location) naming what
    ///   is wrong and where in the blob; its `check` is the `DTBDecodingFailure` raw value.
    public static func decode(_ bytes: [UInt8]) throws(DeviceTreeError) -> DeviceTree {
        var reader = DTBReader(bytes)
        do {
            return try reader.decode()
        } catch {
            throw DeviceTreeError(.error(error.message, at: nil, check: error.failure.rawValue))
        }
    }
}

/// Why a blob could not be decoded. Raw values name the fixtures under
/// `Tests/DeviceTreeTests/Fixtures/bad-dtb/`.
public enum DTBDecodingFailure: String, Error, Sendable, CaseIterable {
    case badMagic = "bad-magic"
    case badStructureToken = "bad-structure-token"
    case badTotalSize = "bad-total-size"
    case blockOutOfBounds = "block-out-of-bounds"
    case missingEnd = "missing-end"
    case nameOutOfStrings = "name-out-of-strings"
    case nestingTooDeep = "nesting-too-deep"
    case propertyOutsideNode = "property-outside-node"
    case reservationMapUnterminated = "reservation-map-unterminated"
    case truncatedHeader = "truncated-header"
    case truncatedStructure = "truncated-structure"
    case unclosedNode = "unclosed-node"
    case unsupportedVersion = "unsupported-version"
}

/// A failure with the place in the blob it was found at.
struct DTBDecodingError: Error {
    var failure: DTBDecodingFailure
    var detail: String

    var message: String { "invalid device tree blob: \(detail)" }
}
