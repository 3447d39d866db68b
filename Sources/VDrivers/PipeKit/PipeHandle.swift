// SPDX-License-Identifier: Apache-2.0
import PlatformViews

/// One open file of a pipe device: `ex_read`, `ex_write`, `ex_poll`, `ex_release`.
final class PipeHandle: DeviceFileHandle {
    let device: PipeDevice

    init(device: PipeDevice) {
        self.device = device
    }

    var pollQueue: PollWaitQueue { device.pollQueue }

    func read(_ request: DeviceReadRequest) {
        guard let reader = device.reader else {
            _ = request.fail(.ebadf)
            return
        }
        request.onCancel { reader.cancel(request) }
        device.apply(reader.submit(request), peerOf: reader)
        device.wakePollers()
    }

    func write(_ request: DeviceWriteRequest) {
        guard let writer = device.writer else {
            _ = request.fail(.ebadf)
            return
        }
        request.onCancel { writer.cancel(request) }
        device.apply(writer.submit(request), peerOf: writer)
        device.wakePollers()
    }

    func pollEvents() -> PollEvents {
        var events: PollEvents = []
        if let reader = device.reader { events.formUnion(reader.pollEvents()) }
        if let writer = device.writer { events.formUnion(writer.pollEvents()) }
        return events
    }

    func release() {
        device.release()
    }
}
