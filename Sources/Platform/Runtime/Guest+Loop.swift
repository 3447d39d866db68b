// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// The guest's console: its stdout, a pipe the supervisor copies into the
/// VM's history ring and streams, tagged, to the terminal of `vlm run`.
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
    case control = 1
    case initExited = 2

    var epollData: UInt64 { rawValue }
    init?(epollData: UInt64) { self.init(rawValue: epollData) }
}

extension GuestKernel {
    /// The guest's event loop: control messages and the end of the sandbox (``VMSandbox``).
    /// Returns when told to stop or when the supervisor's end closes.
    static func serve(
        _ environment: GuestEnvironment, initProcess: ChildProcess?, hooks: GuestHooks, console: GuestConsole
    ) throws -> GuestExit {
        let control = environment.channel.control
        let epoll = try Epoll<GuestToken>()
        try epoll.add(control.rawValue, token: .control)
        if let initProcess { try epoll.add(initProcess.pidDescriptor.rawValue, token: .initExited) }
        for message in environment.channel.loopStarts() {
            if let exit = try handle(message, environment, initProcess: initProcess, hooks: hooks) { return exit }
        }
        while true {
            for (token, _) in try epoll.wait() {
                switch token {
                case .initExited:
                    if let status = try initProcess?.tryWait() {
                        console.write("vm\(console.vm): sandbox \(status)")
                        try epoll.remove(initProcess!.pidDescriptor.rawValue)
                    }
                case .control:
                    guard let message = try control.receiveBlocking() else {  // supervisor gone
                        environment.channel.deliver(.refused("the supervisor closed the control socket"))
                        return .ok
                    }
                    let decoded = try SupervisorMessage(decoding: message.bytes)
                    if let exit = try handle(decoded, environment, initProcess: initProcess, hooks: hooks) {
                        return exit
                    }
                }
            }
        }
    }

    /// One supervisor message; the exit when it ends the guest.
    private static func handle(
        _ message: SupervisorMessage, _ environment: GuestEnvironment, initProcess: ChildProcess?, hooks: GuestHooks
    ) throws -> GuestExit? {
        switch message {
        case .stop:
            hooks.stop()
            takeVlinkEndsOff(environment.nkddi)
            try? initProcess?.send(.terminate)
            return .ok
        case .hypercallResult(let answer):
            environment.channel.deliver(answer)
            return nil
        case .manifest:
            throw RuntimeError.protocolViolation("second manifest")
        }
    }

    /// Orderly stop, after the drivers' own: every end of this VM still not OFF
    /// goes OFF, and the peer hears it on its handshake xirq (or
    /// `NK_XIRQ_SYSCONF`), as a driver's `nk_sysconf_post` would do.
    static func takeVlinkEndsOff(_ nk: NKDDI) {
        let repository = nk.repository
        for (index, v) in repository.vlinks.enumerated() {
            for server in [true, false] where (server ? v.s_id : v.c_id) == nk.id {
                guard (server ? v.s_state : v.c_state) != NK_DEV_VLINK_OFF else { continue }
                repository.setVlinkState(index, server: server, NK_DEV_VLINK_OFF)
                let peer = server ? v.c_id : v.s_id
                let xirq = repository.handshakeXirq(index, server: !server)
                nk.nk_xirq_trigger(xirq != 0 ? xirq : NK_XIRQ_SYSCONF, peer)
            }
        }
    }
}
