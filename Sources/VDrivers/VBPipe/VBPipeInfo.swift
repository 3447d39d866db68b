// SPDX-License-Identifier: Apache-2.0

/// A vbpipe end's `info` (manual lines 6398–6410):
/// `[a][;[size][;minor][;wakeup=<msecs>][;name=<dev-name>]]]`.
///
/// The first three `;`-separated fields are positional (`a`, size, minor); the
/// keyword fields `wakeup=` and `name=` may come in any order after them (or in
/// place of them: a field with `=` is always a keyword). The size is each ring's
/// block size (two rings, one per direction), `DEF_RING_SIZE` by default.
public struct VBPipeInfo: Sendable, Equatable {
    /// The largest minor a vbpipe may ask for (the driver's device array).
    public static let maxMinor = 255

    /// `a`: reads wait only while the ring is empty, and return what is there
    /// (`EMPTY_WAIT_ONLY`); without it a read waits for all `count` bytes.
    public var waitOnlyOnEmpty = false
    /// Each ring's block size in bytes.
    public var size = DEF_RING_SIZE
    /// A fixed minor number.
    public var minor: Int?
    /// `wakeup=`: milliseconds of wake-lock after data arrives (no wake-locks in
    /// vlm: kept for /proc and the log only).
    public var wakeupMilliseconds = 0
    /// `name=`: the node name.
    public var name: String?
    /// What could not be read (each field fell back to its default).
    public var warnings: [String] = []

    public init() {}

    /// Parses an end's info string.
    public static func parse(_ info: String) -> VBPipeInfo {
        var result = VBPipeInfo()
        let fields = info.split(separator: ";", omittingEmptySubsequences: false)
        for (index, field) in fields.enumerated() where !field.isEmpty {
            if field.contains("=") {
                result.keyword(field)
            } else {
                result.positional(field, at: index)
            }
        }
        return result
    }

    private mutating func positional(_ field: Substring, at index: Int) {
        switch index {
        case 0 where field == "a":
            waitOnlyOnEmpty = true
        case 1:
            if let size = InfoFields.size(field) { self.size = size } else { ignore(field, "not a size") }
        case 2:
            if let minor = InfoFields.number(field, max: Self.maxMinor) {
                self.minor = minor
            } else {
                ignore(field, "not a minor 0…\(Self.maxMinor)")
            }
        default:
            ignore(field, "expected [a][;[size][;minor][;wakeup=<msecs>][;name=<dev-name>]]]")
        }
    }

    private mutating func keyword(_ field: Substring) {
        if field.hasPrefix("name="), let name = InfoFields.deviceName(field.dropFirst(5)) {
            self.name = name
        } else if field.hasPrefix("wakeup="), let msecs = InfoFields.number(field.dropFirst(7), max: Int(Int32.max)) {
            wakeupMilliseconds = msecs
        } else {
            ignore(field, "unknown or malformed keyword")
        }
    }

    private mutating func ignore(_ field: Substring, _ why: String) {
        warnings.append("ignored '\(field)' (\(why))")
    }
}
