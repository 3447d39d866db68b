// SPDX-License-Identifier: Apache-2.0

/// A request of `vlm status`/`start`/… to the supervisor over `DIR/vlm.sock`.
/// One request per connection; the reply ends the conversation.
public enum ClientRequest: WireMessage {
    /// The platform's state.
    case status
    /// A lifecycle change of the VM named or numbered by the string.
    case lifecycle(LifecycleAction, vm: String)

    public func encoded() -> [UInt8] {
        switch self {
        case .status: Wire.encode([["status"]])
        case .lifecycle(let action, let vm): Wire.encode([["lifecycle", action.rawValue, vm]])
        }
    }

    public init(decoding bytes: [UInt8]) throws(RuntimeError) {
        let record = Wire.decode(bytes).first ?? []
        switch record.first {
        case "status": self = .status
        case "lifecycle":
            guard let action = LifecycleAction(rawValue: try Wire.string(record, 1)) else {
                throw .protocolViolation("unknown lifecycle action \(record)")
            }
            self = .lifecycle(action, vm: try Wire.string(record, 2))
        default: throw .protocolViolation("unknown request \(record)")
        }
    }
}

/// The supervisor's answer to a `ClientRequest`.
public enum ClientReply: WireMessage {
    /// The platform's state.
    case status(StatusReport)
    /// Done; the text says what happened.
    case ok(String)
    /// Refused; the text is a full sentence.
    case error(String)

    public func encoded() -> [UInt8] {
        switch self {
        case .status(let report): Wire.encode([["status"]] + report.records)
        case .ok(let text): Wire.encode([["ok", text]])
        case .error(let text): Wire.encode([["error", text]])
        }
    }

    public init(decoding bytes: [UInt8]) throws(RuntimeError) {
        let records = Wire.decode(bytes)
        let head = records.first ?? []
        switch head.first {
        case "status": self = .status(try StatusReport(records: Array(records.dropFirst())))
        case "ok": self = .ok(try Wire.string(head, 1))
        case "error": self = .error(try Wire.string(head, 1))
        default: throw .protocolViolation("unknown reply \(head)")
        }
    }
}

/// What `vlm status` shows (DESIGN §1.1, issue 4 item 3).
public struct StatusReport: Sendable, Equatable {
    /// One VM.
    public struct VM: Sendable, Equatable {
        public var id: Int
        public var name: String
        /// `running`, `paused` or `stopped`.
        public var state: String
        /// The guest process, nil while stopped.
        public var pid: Int32?
        public var restarts: Int

        public init(id: Int, name: String, state: String, pid: Int32?, restarts: Int) {
            (self.id, self.name, self.state, self.pid, self.restarts) = (id, name, state, pid, restarts)
        }
    }

    /// One vlink with the states of its ends (`OFF`, `RESET`, `ON`).
    public struct Vlink: Sendable, Equatable {
        public var name: String
        public var link: Int
        public var server: Int
        public var client: Int
        public var serverState: String
        public var clientState: String

        public init(name: String, link: Int, server: Int, client: Int, serverState: String, clientState: String) {
            (self.name, self.link, self.server, self.client) = (name, link, server, client)
            (self.serverState, self.clientState) = (serverState, clientState)
        }
    }

    /// Milliseconds since the platform booted.
    public var uptimeMilliseconds: Int
    public var vms: [VM]
    public var vlinks: [Vlink]

    public init(uptimeMilliseconds: Int, vms: [VM], vlinks: [Vlink]) {
        (self.uptimeMilliseconds, self.vms, self.vlinks) = (uptimeMilliseconds, vms, vlinks)
    }

    var records: [[String]] {
        [["uptime", "\(uptimeMilliseconds)"]]
            + vms.map { ["vm", "\($0.id)", $0.name, $0.state, $0.pid.map { "\($0)" } ?? "", "\($0.restarts)"] }
            + vlinks.map {
                ["vlink", $0.name, "\($0.link)", "\($0.server)", "\($0.client)", $0.serverState, $0.clientState]
            }
    }

    init(records: [[String]]) throws(RuntimeError) {
        (uptimeMilliseconds, vms, vlinks) = (0, [], [])
        for r in records {
            switch r.first {
            case "uptime": uptimeMilliseconds = try Wire.int(r, 1)
            case "vm":
                vms.append(
                    VM(
                        id: try Wire.int(r, 1), name: try Wire.string(r, 2), state: try Wire.string(r, 3),
                        pid: Int32(try Wire.string(r, 4)), restarts: try Wire.int(r, 5)))
            case "vlink":
                vlinks.append(
                    Vlink(
                        name: try Wire.string(r, 1), link: try Wire.int(r, 2), server: try Wire.int(r, 3),
                        client: try Wire.int(r, 4), serverState: try Wire.string(r, 5),
                        clientState: try Wire.string(r, 6)))
            default: throw .protocolViolation("unknown status record \(r)")
            }
        }
    }
}
