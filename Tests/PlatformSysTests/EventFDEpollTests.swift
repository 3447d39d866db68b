// SPDX-License-Identifier: Apache-2.0
import PlatformSys
import Testing

enum LoopToken: UInt64, EpollToken {
    case xirq = 1
    case control = 2
    case signal = 3

    var epollData: UInt64 { rawValue }
    init?(epollData: UInt64) { self.init(rawValue: epollData) }
}

@Suite("eventfd and epoll")
struct EventFDEpollTests {
    @Test("a signalled eventfd wakes epoll with its token")
    func eventFDWakesEpoll() throws {
        let event = try EventFD(nonBlocking: true)
        let epoll = try Epoll<LoopToken>()
        try epoll.add(event.rawValue, events: .readable, token: .xirq)

        try event.signal()
        let ready = try epoll.wait(timeout: .seconds(2))

        #expect(ready.map(\.token) == [.xirq])
        #expect(ready.first?.events.contains(.readable) == true)
    }

    @Test("epoll returns nothing when the timeout passes")
    func epollTimesOut() throws {
        let event = try EventFD(nonBlocking: true)
        let epoll = try Epoll<LoopToken>()
        try epoll.add(event.rawValue, token: .xirq)

        let ready = try epoll.wait(timeout: .milliseconds(20))

        #expect(ready.isEmpty)
    }

    @Test("signals coalesce: one read returns their sum and resets the counter")
    func signalsCoalesce() throws {
        let event = try EventFD(nonBlocking: true)
        try event.signal()
        try event.signal(2)

        #expect(try event.wait() == .processed(3))
        #expect(try event.wait() == .wouldBlock)
    }

    @Test("drain never blocks and returns 0 on an idle blocking eventfd")
    func drainOfIdleEventFD() throws {
        let event = try EventFD(nonBlocking: false)
        #expect(try event.drain() == 0)
        try event.signal(5)
        #expect(try event.drain() == 5)
    }

    @Test("a removed descriptor no longer wakes epoll")
    func removedDescriptorIsSilent() throws {
        let event = try EventFD(nonBlocking: true)
        let epoll = try Epoll<LoopToken>()
        try epoll.add(event.rawValue, token: .xirq)
        try epoll.remove(event.rawValue)

        try event.signal()

        #expect(try epoll.wait(timeout: .milliseconds(10)).isEmpty)
    }

    @Test("adding an unopened descriptor reports epoll_ctl and EBADF")
    func addBadDescriptorThrows() throws {
        let epoll = try Epoll<LoopToken>()
        #expect(throws: SyscallError(call: "epoll_ctl", errno: .badFileDescriptor)) {
            try epoll.add(987_654, token: .control)
        }
    }
}
