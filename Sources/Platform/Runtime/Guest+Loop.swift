// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// The guest's console: its stdout, a pipe the supervisor reads and tags.
struct GuestConsole: Sendable {
    let vm: Int
    private let output: SharedFD?

    init(vm: Int) {
        self.vm = vm
        do {
            output = SharedFD(adopting: try OwnedFD.duplicate(of: 1))
        } catch {
            output = nil
        }
    }

    func write(_ line: String) {
        try? output?.writeAll(Array((line + "\n").utf8))
    }
}

/// Guest epoll registrations.
enum GuestToken: UInt64, EpollToken {
    case control = 1, initExited = 2

    var epollData: UInt64 { rawValue }
    init?(epollData: UInt64) { self.init(rawValue: epollData) }
}

extension GuestKernel {
    /// The guest's event loop: control messages and the exit of `vl,init`.
    /// Returns when told to stop or when the supervisor's end closes.
    static func serve(
        _ control: ControlSocket, initProcess: ChildProcess?, hooks: GuestHooks, console: GuestConsole
    ) throws -> GuestExit {
        let epoll = try Epoll<GuestToken>()
        try epoll.add(control.rawValue, token: .control)
        if let initProcess { try epoll.add(initProcess.pidDescriptor.rawValue, token: .initExited) }
        while true {
            for (token, _) in try epoll.wait() {
                switch token {
                case .initExited:
                    if let status = try initProcess?.tryWait() {
                        console.write("vm\(console.vm): vl,init \(status)")
                        try epoll.remove(initProcess!.pidDescriptor.rawValue)
                    }
                case .control:
                    guard let message = try control.receiveBlocking() else { return .ok }  // supervisor gone
                    switch try SupervisorMessage(decoding: message.bytes) {
                    case .stop:
                        hooks.stop()
                        try? initProcess?.send(.terminate)
                        return .ok
                    case .manifest:
                        throw RuntimeError.protocolViolation("second manifest")
                    }
                }
            }
        }
    }
}
