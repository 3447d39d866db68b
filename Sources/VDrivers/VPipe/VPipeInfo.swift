// SPDX-License-Identifier: Apache-2.0

/// A vpipe end's `info` (manual lines 10691–10701).
///
/// Server: `[<size>][;[name=<user_selected_name>]]`; client: `[name=<name>]`.
/// The size is the whole ring block (header included), `DEF_RING_SIZE` (4 KiB)
/// by default; the server's size is the ring's size (the client maps the block
/// the server sized).
public struct VPipeInfo: Sendable, Equatable {
    /// The ring block size in bytes (server only; the client reads it from `s_info`).
    public var size: Int = DEF_RING_SIZE
    /// The node name chosen with `name=`.
    public var name: String?
    /// What could not be read (each field fell back to its default).
    public var warnings: [String] = []

    public init(size: Int = DEF_RING_SIZE, name: String? = nil, warnings: [String] = []) {
        self.size = size
        self.name = name
        self.warnings = warnings
    }

    /// Parses a server end's `s_info`.
    public static func server(_ info: String) -> VPipeInfo {
        var result = VPipeInfo()
        let fields = info.split(separator: ";", omittingEmptySubsequences: false)
        for (index, field) in fields.enumerated() where !field.isEmpty {
            if field.hasPrefix("name=") {
                result.takeName(field)
            } else if index == 0, let size = InfoFields.size(field) {
                result.size = size
            } else {
                result.warnings.append("ignored '\(field)' (expected [<size>][;name=<name>])")
            }
        }
        return result
    }

    /// Parses a client end's `c_info`.
    public static func client(_ info: String) -> VPipeInfo {
        var result = VPipeInfo()
        for field in info.split(separator: ";") {
            if field.hasPrefix("name=") {
                result.takeName(field)
            } else {
                result.warnings.append("ignored '\(field)' (expected [name=<name>])")
            }
        }
        return result
    }

    private mutating func takeName(_ field: Substring) {
        if let name = InfoFields.deviceName(field.dropFirst(5)) {
            self.name = name
        } else {
            warnings.append("ignored '\(field)' (not a usable device name)")
        }
    }
}
