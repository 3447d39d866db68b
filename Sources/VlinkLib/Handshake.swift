// SPDX-License-Identifier: Apache-2.0
import Platform

/// The state word of one vlink end (`s_state` / `c_state`, manual line 4180).
public enum VlinkState: Int32, Sendable, Hashable {
    /// `NK_DEV_VLINK_OFF`: the driver is not ready (or gone).
    case off = 0
    /// `NK_DEV_VLINK_RESET`: local initialisation done, not yet communicating.
    case reset = 1
    /// `NK_DEV_VLINK_ON`: ready to communicate.
    case on = 2

    /// Decodes a state word; an unknown value (a corrupt peer) reads as nil.
    public init?(word: Int32) {
        self.init(rawValue: word)
    }

    /// The letter of the `/proc/nk/vpipe` `St` column: `F`, `R`, `O`.
    public var letter: Character {
        switch self {
        case .off: "F"
        case .reset: "R"
        case .on: "O"
        }
    }

    /// The letter of a raw state word, `?` when it is not a state.
    public static func letter(ofWord word: Int32) -> Character {
        VlinkState(word: word)?.letter ?? "?"
    }
}

/// The OFF/RESET/ON handshake of one vlink end, as a pure function of the two
/// state words (behaviour-reference §1.4, manual nk_vlink_lookup(3D)):
///
/// | mine  | peer  | then                                        |
/// |-------|-------|---------------------------------------------|
/// | OFF   | ≠ ON  | reset my ring index → RESET                 |
/// | RESET | ≠ OFF | → ON                                        |
/// | ON    | = OFF | → OFF                                       |
///
/// Each change is announced to the peer with `NK_XIRQ_SYSCONF`. A restarted end
/// cannot leave OFF while the survivor is still ON, so stale indices are never
/// mixed. An unknown peer word counts as OFF.
public enum Handshake {
    /// One step of the table, or nil when nothing applies. `mayReset` gates
    /// OFF→RESET: false while the device is closed, or while a reader still
    /// drains what the previous writer left.
    public static func step(mine: VlinkState, peer: VlinkState?, mayReset: Bool) -> VlinkState? {
        let peer = peer ?? .off
        switch mine {
        case .off: return peer != .on && mayReset ? .reset : nil
        case .reset: return peer != .off ? .on : nil
        case .on: return peer == .off ? .off : nil
        }
    }

    /// The outcome of running the table until nothing applies.
    public struct Outcome: Sendable, Equatable {
        /// My state at the end.
        public var state: VlinkState
        /// Whether I went through OFF→RESET (reset my index).
        public var didReset: Bool
        /// Whether my state changed (announce it with SYSCONF).
        public var changed: Bool
        /// Whether I went ON→OFF (the peer left: abort, drain).
        public var wentDown: Bool

        public init(state: VlinkState, didReset: Bool, changed: Bool, wentDown: Bool) {
            self.state = state
            self.didReset = didReset
            self.changed = changed
            self.wentDown = wentDown
        }
    }

    /// Applies `step` until it stops: at most two steps (OFF→RESET→ON against a
    /// peer at RESET or ON, ON→OFF→RESET against a peer at OFF), since ON→OFF
    /// needs a peer at OFF and RESET→ON one that is not.
    public static func settle(mine: VlinkState, peer: VlinkState?, mayReset: Bool) -> Outcome {
        var outcome = Outcome(state: mine, didReset: false, changed: false, wentDown: false)
        while let next = step(mine: outcome.state, peer: peer, mayReset: mayReset) {
            if outcome.state == .off && next == .reset { outcome.didReset = true }
            if outcome.state == .on && next == .off { outcome.wentDown = true }
            outcome.state = next
            outcome.changed = true
        }
        return outcome
    }
}

extension VlinkState {
    /// The NKDDI constant for this state.
    public var word: Int32 {
        switch self {
        case .off: NK_DEV_VLINK_OFF
        case .reset: NK_DEV_VLINK_RESET
        case .on: NK_DEV_VLINK_ON
        }
    }
}
