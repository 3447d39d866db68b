// SPDX-License-Identifier: Apache-2.0

/// Readiness of a device file for `poll(2)`, `select(2)` and `epoll(7)` (Linux bit values).
public struct PollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Data may be read without blocking (`POLLIN`).
    public static let readable = PollEvents(rawValue: 0x001)
    /// Urgent data (`POLLPRI`).
    public static let priority = PollEvents(rawValue: 0x002)
    /// Data may be written without blocking (`POLLOUT`).
    public static let writable = PollEvents(rawValue: 0x004)
    /// An error condition (`POLLERR`).
    public static let error = PollEvents(rawValue: 0x008)
    /// The other side hung up (`POLLHUP`).
    public static let hangUp = PollEvents(rawValue: 0x010)
    /// Normal data readable (`POLLRDNORM`), reported together with `readable`.
    public static let readNormal = PollEvents(rawValue: 0x040)
    /// Normal data writable (`POLLWRNORM`), reported together with `writable`.
    public static let writeNormal = PollEvents(rawValue: 0x100)

    /// `POLLIN | POLLRDNORM`, what a pipe reports when it holds data.
    public static let input: PollEvents = [.readable, .readNormal]
    /// `POLLOUT | POLLWRNORM`, what a pipe reports when it has room.
    public static let output: PollEvents = [.writable, .writeNormal]
}
