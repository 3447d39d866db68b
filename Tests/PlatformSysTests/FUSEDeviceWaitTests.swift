// SPDX-License-Identifier: Apache-2.0
import Dispatch
import PlatformSys
import Synchronization
import Testing

/// `FUSESupport.readDevice`: the idle loop threads' wait on the FUSE device (each in an
/// epoll of its own, the device held with EPOLLEXCLUSIVE) and on the stop pipe. A pipe
/// stands in for `/dev/fuse`: both are non-blocking descriptors that become readable.
@Suite(.timeLimit(.minutes(1))) struct FUSEDeviceWaitTests {
    /// A non-blocking "device" pipe and a stop pipe, closed at the end.
    final class Pipes: Sendable {
        let device: (read: Int32, write: Int32)
        let stop: (read: Int32, write: Int32)

        init() throws {
            device = try FUSESupport.makeStopPipe()
            stop = try FUSESupport.makeStopPipe()
            #expect(FUSESupport.setNonBlocking(device.read))
        }

        deinit {
            for fd in [device.read, device.write, stop.read, stop.write] { FUSESupport.closeDescriptor(fd) }
        }

        /// One `readDevice` of at most 1 byte: the byte, or -1 (stopped or failed).
        func readOne() -> Int {
            var byte: UInt8 = 0
            let n = withUnsafeMutableBytes(of: &byte) { FUSESupport.readDevice(device.read, $0.baseAddress, 1, stop: stop.read) }
            return n == 1 ? Int(byte) : n
        }
    }

    /// Runs `count` readers on their own threads; returns what each read, once all did.
    func readers(_ count: Int, _ pipes: Pipes, whileRunning act: () -> Void) -> [Int] {
        let results = Mutex<[Int]>([])
        let group = DispatchGroup()
        for _ in 0..<count {
            DispatchQueue.global().async(group: group) {
                let value = pipes.readOne()
                results.withLock { $0.append(value) }
            }
        }
        act()
        #expect(group.wait(timeout: .now() + 20) == .success, "a reader never returned")
        return results.withLock { $0 }
    }

    @Test func everyRequestReachesOneWaitingThread() throws {
        let pipes = try Pipes()
        let values = readers(6, pipes) {
            for _ in 1...6 {
                ProcessInfo.sleep(for: .milliseconds(5))  // most readers asleep by now (not needed for correctness)
                FUSESupport.signalStop(pipes.device.write)  // one byte (1): one "request"
            }
        }
        #expect(values == [1, 1, 1, 1, 1, 1], "each request read by exactly one thread, none lost")
    }

    @Test func theStopPipeEndsEveryWaitingThread() throws {
        let pipes = try Pipes()
        let values = readers(5, pipes) {
            ProcessInfo.sleep(for: .milliseconds(20))
            FUSESupport.signalStop(pipes.stop.write)
        }
        #expect(values == [-1, -1, -1, -1, -1])
    }

    @Test func aThreadThatServedOneMountWaitsCorrectlyOnTheNext() throws {
        let first = try Pipes(), second = try Pipes()
        let values = Mutex<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            FUSESupport.signalStop(first.stop.write)
            let a = first.readOne()  // its epoll is made for `first`, then stopped
            let b = second.readOne()  // the same thread: a new epoll for `second`
            values.withLock { $0 = [a, b] }
            done.signal()
        }
        ProcessInfo.sleep(for: .milliseconds(20))
        FUSESupport.signalStop(second.device.write)  // a request (one byte, 1) for the second mount
        #expect(done.wait(timeout: .now() + 20) == .success)
        #expect(values.withLock { $0 } == [-1, 1])
    }
}
