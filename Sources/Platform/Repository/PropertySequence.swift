// SPDX-License-Identifier: Apache-2.0

/// A property's sequence word (`RepositoryABI.Property.sequence`), seqlock-like:
///
///     bit 0       1 while an update is in progress (the word is odd)
///     bits 1–5    the writing VM's id while in progress, 0 otherwise
///     bits 6–31   updates completed (wrapping)
///
/// A writer claims the update with one CAS from an even word to the odd word
/// naming it, so the word is never odd without its writer: the supervisor
/// closes exactly the updates of a VM it reaped (no guess from timing), and
/// never one a live VM is making. Readers keep the manual's protocol
/// (`nk_prop_get`/`nk_prop_set` → `NK_PROP_BUSY` on contention, lines 3771
/// and 3827): an odd word, or a word that changed while they copied, is BUSY.
public struct PropertySequence: Equatable, Sendable {
    /// The raw word.
    public let word: UInt32

    /// Wraps a raw word.
    public init(word: UInt32) { self.word = word }

    /// The idle word after `updates` completed updates.
    public init(updates: UInt32) { word = updates << Self.countShift }

    /// Whether an update is in progress (the word is odd).
    public var isUpdating: Bool { word & 1 != 0 }

    /// The VM making the update in progress, nil when idle.
    public var writer: NkOsId? { isUpdating ? (word >> 1) & Self.writerMask : nil }

    /// Updates completed so far (modulo 2²⁶).
    public var updates: UInt32 { word >> Self.countShift }

    /// The word while VM `writer` updates from this idle state.
    public func claimed(by writer: NkOsId) -> PropertySequence {
        PropertySequence(word: word | (writer & Self.writerMask) << 1 | 1)
    }

    /// The idle word once the update in progress is finished (or closed for
    /// its dead writer): one more completed update, no writer.
    public var finished: PropertySequence { PropertySequence(updates: updates &+ 1) }

    static let countShift: UInt32 = 6
    static let writerMask: UInt32 = 0x1f  // NK_OS_LIMIT = 32 VM ids
}
