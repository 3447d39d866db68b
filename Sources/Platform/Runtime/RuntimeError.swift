// SPDX-License-Identifier: Apache-2.0

/// Why the runtime (supervisor, guest, lifecycle client) failed. Descriptions are
/// full sentences for the user.
public enum RuntimeError: Error, Equatable, CustomStringConvertible {
    /// The guest's command line or manifest is malformed.
    case badGuestInvocation(String)
    /// The supervisor answered with an error.
    case refused(String)
    /// The control protocol carried something unexpected.
    case protocolViolation(String)
    /// Another live supervisor holds the run directory.
    case runDirectoryInUse(path: String, pid: Int32?)
    /// No supervisor listens on the run directory's socket.
    case notRunning(path: String)
    /// No VM has this id or name.
    case unknownVM(String)
    /// The run directory's reaper failed (the platform itself stopped cleanly).
    case reaperFailed(String)

    public var description: String {
        switch self {
        case .badGuestInvocation(let why): "vlm guest: \(why)"
        case .refused(let why): why
        case .protocolViolation(let why): "control protocol error: \(why)"
        case .runDirectoryInUse(let path, let pid):
            "run directory \(path) is in use by a running vlm" + (pid.map { " (pid \($0))" } ?? "")
                + "; stop it first or choose another --run-dir"
        case .notRunning(let path): "no platform is running in \(path)"
        case .unknownVM(let vm): "no VM is called or numbered \(vm)"
        case .reaperFailed(let why): why
        }
    }
}
