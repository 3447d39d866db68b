// SPDX-License-Identifier: Apache-2.0
import Synchronization

/// Keeps late answers away from a destroyed session.
///
/// A driver may answer a suspended request, or wake a poller, at any time from any
/// thread, also after the mount is gone. Each such answer passes the gate; `close()`
/// makes later answers no-ops and waits for those in progress, so the session can then
/// be destroyed safely.
final class ReplyGate: Sendable {
    private static let closedBit = 1 << 62
    private let state = Atomic<Int>(0)

    /// Runs `body` unless the gate is closed; returns whether it ran.
    @discardableResult
    func pass(_ body: () -> Void) -> Bool {
        let entered = state.add(1, ordering: .acquiring).newValue
        defer { state.subtract(1, ordering: .releasing) }
        guard entered & Self.closedBit == 0 else { return false }
        body()
        return true
    }

    /// Refuses further passes and waits until none is in progress.
    func close() {
        state.bitwiseOr(Self.closedBit, ordering: .acquiringAndReleasing)
        while state.load(ordering: .acquiring) & ~Self.closedBit != 0 {
            // Answers in progress are single writev calls; spinning briefly is cheaper
            // than any wake-up machinery.
        }
    }

}
