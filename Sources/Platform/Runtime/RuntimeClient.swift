// SPDX-License-Identifier: Apache-2.0
import PlatformSys

/// The client side of `DIR/vlm.sock`, used by `vlm status|start|stop|…`.
public enum RuntimeClient {
    /// Sends `request` to the supervisor of `runDirectory` and waits for its reply
    /// (lifecycle changes reply once complete).
    public static func send(_ request: ClientRequest, to runDirectory: RunDirectory) throws -> ClientReply {
        let socket = try connect(runDirectory)
        try socket.send(request.encoded())
        guard let message = try socket.receiveBlocking() else {
            throw RuntimeError.protocolViolation("the supervisor closed the connection without answering")
        }
        return try ClientReply(decoding: message.bytes)
    }

    private static func connect(_ runDirectory: RunDirectory) throws -> ControlSocket {
        let result = Result { () throws(SyscallError) in try ControlSocket.connect(path: runDirectory.socket) }
        if case .failure(let error) = result, error.errno == .noSuchFileOrDirectory || error.errno == .connectionRefused
        {
            throw RuntimeError.notRunning(path: runDirectory.path)
        }
        return try result.get()
    }
}
