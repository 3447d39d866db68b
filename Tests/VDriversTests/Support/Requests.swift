// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformViews
import VDrivers

/// Drives a device through the device-file protocol with recorded replies, as
/// the FUSE glue would.
enum Requests {
    static func open(_ device: PipeDevice, _ mode: OpenFlags.AccessMode, nonBlocking: Bool = false) -> ReplyRecorder {
        let recorder = ReplyRecorder()
        device.open(DeviceOpenRequest(flags: .accessMode(mode, nonBlocking: nonBlocking), responder: recorder))
        return recorder
    }

    static func read(_ handle: any DeviceFileHandle, _ count: Int, nonBlocking: Bool = false) -> (
        DeviceReadRequest, ReplyRecorder
    ) {
        let recorder = ReplyRecorder()
        let request = DeviceReadRequest(
            count: count, flags: .accessMode(.readOnly, nonBlocking: nonBlocking), responder: recorder)
        handle.read(request)
        return (request, recorder)
    }

    static func write(_ handle: any DeviceFileHandle, _ bytes: [UInt8], nonBlocking: Bool = false) -> (
        DeviceWriteRequest, ReplyRecorder
    ) {
        let recorder = ReplyRecorder()
        let request = bytes.withUnsafeBytes { buffer in
            let request = DeviceWriteRequest(
                bytes: buffer, flags: .accessMode(.writeOnly, nonBlocking: nonBlocking), responder: recorder)
            handle.write(request)
            request.endBorrow()
            return request
        }
        return (request, recorder)
    }

    /// Waits (up to `seconds`) until `recorder` has an answer.
    @discardableResult
    static func await(_ recorder: ReplyRecorder, seconds: Double = 5) -> ReplyRecorder.Reply? {
        let deadline = Date().addingTimeInterval(seconds)
        while recorder.reply == nil && Date() < deadline { usleep(1000) }
        return recorder.reply
    }

    /// Waits until `condition` holds.
    static func eventually(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() >= deadline { return false }
            usleep(1000)
        }
        return true
    }
}
