// SPDX-License-Identifier: Apache-2.0
import Platform
import PlatformSys
import Synchronization

/// Xirq round-trip measurement between two VM processes (for `Scripts/bench`):
/// one VM runs `pong X Y PEER` (its handler on X triggers Y at PEER), the other
/// `ping Y X PEER N` (its handler on Y triggers X again until N round trips).
extension NKDDIScript {
    func bench(_ head: String, _ n: [UInt64?]) -> String? {
        switch (head, n.count) {
        case ("pong", 3):
            guard let x = n[0], let y = n[1], let peer = n[2] else { return nil }
            let id = nk.nk_xirq_attach(NkXIrq(x), { [nk] _, _ in nk.nk_xirq_trigger(NkXIrq(y), NkOsId(peer)) }, nil)
            return id == 0 ? "0" : "ok"
        case ("ping", 4):
            guard let y = n[0], let x = n[1], let peer = n[2], let count = n[3], count > 0 else { return nil }
            return ping(NkXIrq(y), NkXIrq(x), NkOsId(peer), Int(count))
        default:
            return nil
        }
    }

    private func ping(_ y: NkXIrq, _ x: NkXIrq, _ peer: NkOsId, _ count: Int) -> String {
        // The caller sleeps in `read` on `finished` rather than polling, so no
        // third thread competes with the two dispatchers for the CPUs.
        guard let finished = try? EventFD(nonBlocking: false) else { return "0" }
        let done = Atomic<Int>(0)
        let id = nk.nk_xirq_attach(
            y,
            { [nk] _, _ in
                let n = done.add(1, ordering: .relaxed).newValue
                if n < count { nk.nk_xirq_trigger(x, peer) } else if n == count { finished.ring() }
            }, nil)
        guard id != 0 else { return "0" }
        defer { nk.nk_xirq_detach(id) }
        let clock = ContinuousClock()
        let start = clock.now
        let limit = Duration.seconds(10) + .microseconds(500) * count
        try? DetachedThread.start { [sleep] in
            sleep(limit)
            finished.ring()  // the watchdog: report a timeout instead of hanging
        }
        nk.nk_xirq_trigger(x, peer)
        _ = finished.waitForRing()
        let elapsed = clock.now - start
        guard done.load(ordering: .relaxed) >= count else { return "timeout" }
        let (s, atto) = elapsed.components
        let ns = (Double(s) * 1e9 + Double(atto) / 1e9) / Double(count)
        return "\(count) round trips, \(Int(ns)) ns each"
    }
}
