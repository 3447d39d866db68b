// SPDX-License-Identifier: Apache-2.0
import PlatformSys
import PlatformTestSupport
import Testing

@Suite("control sockets")
struct ControlSocketTests {
    @Test("a message arrives whole with its descriptors, which stay usable")
    func messageWithDescriptors() throws {
        let (supervisor, guest) = try ControlSocket.pair()
        let event = try EventFD(nonBlocking: true)

        try supervisor.send(Array("manifest".utf8), descriptors: [event.rawValue])
        let message = try #require(try guest.receiveBlocking())
        guard let descriptor = message.descriptors.take(0) else {
            Issue.record("no descriptor arrived")
            return
        }
        let received = EventFD(adopting: descriptor)
        try received.signal(7)

        #expect(message.bytes == Array("manifest".utf8))
        #expect(message.descriptors.count == 1)
        #expect(received.rawValue != event.rawValue)
        #expect(try event.wait() == .processed(7))
    }

    @Test("message boundaries are kept")
    func boundariesKept() throws {
        let (a, b) = try ControlSocket.pair()
        try a.send([1, 2, 3])
        try a.send([4])
        #expect(try b.receiveBlocking()?.bytes == [1, 2, 3])
        #expect(try b.receiveBlocking()?.bytes == [4])
    }

    @Test("receive reports end of stream once the peer is closed")
    func endOfStream() throws {
        var (a, b): (ControlSocket?, ControlSocket) = try ControlSocket.pair()
        a = nil
        #expect(a == nil)
        guard case .processed(.none) = try b.receive() else {
            Issue.record("expected end of stream")
            return
        }
    }

    @Test("a non-blocking receive with nothing queued would block")
    func nonBlockingReceive() throws {
        let (a, b) = try ControlSocket.pair()
        defer { withExtendedLifetime(a) {} }
        guard case .wouldBlock = try b.receive(nonBlocking: true) else {
            Issue.record("expected wouldBlock")
            return
        }
    }

    @Test("sending to a closed peer reports EPIPE instead of raising SIGPIPE")
    func sendToClosedPeer() throws {
        var (a, b): (ControlSocket, ControlSocket?) = try ControlSocket.pair()
        b = nil
        #expect(b == nil)
        #expect(throws: SyscallError(call: "sendmsg", errno: .brokenPipe)) { try a.send([1]) }
    }

    @Test("a client connects to a listener at a path and they exchange messages")
    func listenerAndClient() throws {
        try withTemporaryDirectory { dir in
            let listener = try UnixListener(path: dir + "/vlm.sock")
            let client = try ControlSocket.connect(path: dir + "/vlm.sock")
            guard case .processed(let server) = try listener.accept() else {
                Issue.record("no pending connection")
                return
            }
            try client.send(Array("status".utf8))
            try server.send(Array("ok".utf8))

            #expect(try server.receiveBlocking()?.bytes == Array("status".utf8))
            #expect(try client.receiveBlocking()?.bytes == Array("ok".utf8))
        }
    }

    @Test("connecting where nobody listens fails with ENOENT")
    func connectWithoutListener() throws {
        try withTemporaryDirectory { dir in
            #expect(throws: SyscallError(call: "connect", errno: .noSuchFileOrDirectory)) {
                try ControlSocket.connect(path: dir + "/vlm.sock")
            }
        }
    }
}
