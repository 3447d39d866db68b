// SPDX-License-Identifier: Apache-2.0
import PlatformSys
import Testing

@Suite("signals", .timeLimit(.minutes(2)), .serialized)
struct SignalTests {
    @Test("a blocked signal raised in this thread becomes readable from the signalfd in epoll")
    func signalFDInEpoll() throws {
        let user1 = Signal(rawValue: 10)  // SIGUSR1 on Linux
        let signals = try SignalFD([user1])
        defer {
            _ = try? signals.drain()
            try? Signal.unblock([user1])
        }
        let epoll = try Epoll<UInt64>()
        try epoll.add(signals.rawValue, token: 9)

        try Signal.raise(user1)

        #expect(try epoll.wait(timeout: .seconds(2)).map(\.token) == [9])
        #expect(try signals.drain().map(\.signal) == [user1])
        #expect(try signals.drain().isEmpty)
    }

    @Test("signals have readable names")
    func names() {
        #expect(Signal.kill.description.contains("Killed"))
        #expect(Signal.terminate.rawValue == 15)
    }
}
