// SPDX-License-Identifier: Apache-2.0
import Testing
import VDrivers
import VlinkLib

@Suite struct HandshakeTests {
    @Test func transitionTable() {
        let all: [VlinkState] = [.off, .reset, .on]
        for mine in all {
            for peer in all {
                let next = Handshake.step(mine: mine, peer: peer, mayReset: true)
                switch (mine, peer) {
                case (.off, .on): #expect(next == nil)
                case (.off, _): #expect(next == .reset)
                case (.reset, .off): #expect(next == nil)
                case (.reset, _): #expect(next == .on)
                case (.on, .off): #expect(next == .off)
                case (.on, _): #expect(next == nil)
                }
            }
        }
    }

    @Test func closedOrDrainingEndStaysOff() {
        #expect(Handshake.step(mine: .off, peer: .off, mayReset: false) == nil)
        #expect(Handshake.step(mine: .off, peer: .reset, mayReset: false) == nil)
    }

    @Test func unknownPeerWordCountsAsOff() {
        #expect(VlinkState(word: 7) == nil)
        #expect(Handshake.step(mine: .on, peer: nil, mayReset: true) == .off)
        #expect(VlinkState.letter(ofWord: 7) == "?")
    }

    @Test func settleRunsToAFixedPoint() {
        #expect(
            Handshake.settle(mine: .off, peer: .reset, mayReset: true)
                == .init(state: .on, didReset: true, changed: true, wentDown: false))
        #expect(
            Handshake.settle(mine: .on, peer: .off, mayReset: true)
                == .init(state: .reset, didReset: true, changed: true, wentDown: true))
        #expect(
            Handshake.settle(mine: .on, peer: .off, mayReset: false)
                == .init(state: .off, didReset: false, changed: true, wentDown: true))
        #expect(
            Handshake.settle(mine: .on, peer: .on, mayReset: true)
                == .init(state: .on, didReset: false, changed: false, wentDown: false))
    }

    /// Two ends exchanging SYSCONFs in every interleaving reach ON/ON, and after
    /// one end "crashes" (forced OFF) and comes back, again ON/ON with both resets
    /// done after the crash.
    @Test func twoEndsConvergeAndRecoverFromACrash() {
        var ends: [VlinkState] = [.off, .off]
        func run(_ order: [Int]) {
            for _ in 0..<4 {
                for i in order {
                    ends[i] = Handshake.settle(mine: ends[i], peer: ends[1 - i], mayReset: true).state
                }
            }
        }
        for order in [[0, 1], [1, 0]] {
            ends = [.off, .off]
            run(order)
            #expect(ends == [.on, .on])
            ends[1] = .off  // the supervisor forces the crashed end OFF
            var resets = [false, false]
            for _ in 0..<4 {
                for i in order {
                    let outcome = Handshake.settle(mine: ends[i], peer: ends[1 - i], mayReset: true)
                    resets[i] = resets[i] || outcome.didReset
                    ends[i] = outcome.state
                }
            }
            #expect(ends == [.on, .on])
            #expect(resets == [true, true])
        }
    }

    @Test func restartedEndWaitsForTheSurvivorToGoOff() {
        // The survivor is still ON: the restarted end may not reset yet.
        #expect(Handshake.settle(mine: .off, peer: .on, mayReset: true).state == .off)
    }

    @Test func stateWordsAreTheNKDDIConstants() {
        #expect(VlinkState.off.word == 0 && VlinkState.reset.word == 1 && VlinkState.on.word == 2)
        #expect([VlinkState.off, .reset, .on].map(\.letter) == ["F", "R", "O"])
    }
}
