// SPDX-License-Identifier: Apache-2.0
import Dispatch
import PlatformSys
import PlatformTestSupport
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
        let session = FUSESupport.newSessionToken()

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
            let n = withUnsafeMutableBytes(of: &byte) {
                FUSESupport.readDevice(device.read, $0.baseAddress, 1, stop: stop.read, session: session)
            }
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

    @Test func aThreadThatServedOneSessionWaitsCorrectlyOnTheNext() throws {
        // One thread waits on session A, which then closes; session B gets the same
        // descriptor numbers (the lowest free ones): the thread's wait made for A must
        // not be reused for B (its epoll lost A's files when they closed).
        let current = Mutex<Pipes?>(nil)
        let results = Mutex<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            for _ in 0..<2 {
                guard let pipes = try? Pipes() else { break }
                current.withLock { $0 = pipes }
                let value = pipes.readOne()
                current.withLock { $0 = nil }
                results.withLock { $0.append(value) }
            }
            done.signal()
        }
        var fed = 0
        #expect(
            waitUntil(timeout: .seconds(20)) {
                if let pipes = current.withLock({ $0 }), results.withLock({ $0.count }) == fed {
                    ProcessInfo.sleep(for: .milliseconds(10))  // usually asleep in the wait by now
                    FUSESupport.signalStop(pipes.device.write)  // a request (one byte, 1)
                    fed += 1
                }
                return fed == 2
            })
        #expect(done.wait(timeout: .now() + 20) == .success, "the second wait never woke")
        #expect(results.withLock { $0 } == [1, 1])
    }
}
