// SPDX-License-Identifier: Apache-2.0
import PlatformSys
import Synchronization

/// The guest's end of its control socket as NKDDI's `HypercallChannel`: a
/// hypercall is one `GuestMessage.hypercall`, answered by one
/// `SupervisorMessage.hypercallResult`. One call at a time.
///
/// The socket has one reader. Until the guest's event loop starts (during
/// `GuestHooks.boot`), the caller reads the answer itself and keeps any other
/// message (`stop`) for the loop; afterwards the loop reads everything and
/// hands answers over through `deliver`, waking the caller with an eventfd.
final class GuestChannel: HypercallChannel, Sendable {
    private struct State {
        var loopReads = false
        var answer: HypercallResult?
        var early: [SupervisorMessage] = []
    }

    let control: ControlSocket
    private let calls = Mutex(())
    private let state = Mutex(State())
    private let wake: EventFD?

    init(control: ControlSocket) {
        self.control = control
        wake = try? EventFD(nonBlocking: false)
    }

    func hypercall(_ call: Hypercall) -> HypercallResult {
        calls.withLock { _ in
            guard (try? control.send(GuestMessage.hypercall(call).encoded())) != nil else {
                return .refused("the supervisor is unreachable")
            }
            guard state.withLock({ $0.loopReads }) else { return receiveAnswer() }
            while true {
                if let answer = state.withLock({ s in
                    defer { s.answer = nil }
                    return s.answer
                }) {
                    return answer
                }
                guard let wake, (try? wake.wait()) != nil else { return .refused("no wake-up eventfd") }
            }
        }
    }

    /// Reads the socket until the answer comes (before the loop runs).
    private func receiveAnswer() -> HypercallResult {
        while true {
            guard let message = try? control.receiveBlocking(),
                let decoded = try? SupervisorMessage(decoding: message.bytes)
            else {
                return .refused("the supervisor closed the control socket")
            }
            if case .hypercallResult(let answer) = decoded { return answer }
            state.withLock { $0.early.append(decoded) }
        }
    }

    /// The event loop takes over the socket; returns what arrived before.
    func loopStarts() -> [SupervisorMessage] {
        calls.withLock { _ in
            state.withLock { s in
                s.loopReads = true
                defer { s.early = [] }
                return s.early
            }
        }
    }

    /// The loop received an answer (or the socket closed: `.refused`).
    func deliver(_ answer: HypercallResult) {
        state.withLock { $0.answer = answer }
        try? wake?.signal()
    }
}
