// SPDX-License-Identifier: Apache-2.0
import Platform
import Testing
import VDrivers

/// A writer and a reader on one ring in a heap-backed twin of shared memory.
struct TwinRing {
    let memory: LocalMemory
    var producer: RingProducer
    var consumer: RingConsumer

    init(layout: ExRingLayout, blockSize: Int, start: UInt32 = 0) {
        memory = LocalMemory(byteCount: blockSize + 64)
        memory.store32(32 + layout.sIdx, start)
        memory.store32(32 + layout.cIdx, start)
        let ring = ExRing(memory: memory, base: 32, blockSize: blockSize, layout: layout)
        producer = RingProducer(ring: ring)
        consumer = RingConsumer(ring: ring)
    }

    /// Writes what fits of `bytes`; returns (count, notify).
    mutating func write(_ bytes: [UInt8]) -> (Int, Bool) {
        let count = min(bytes.count, producer.room())
        bytes.withUnsafeBytes { producer.stage($0, count: count) }
        return (count, producer.publish(count))
    }

    /// Reads at most `max` bytes; returns (bytes, notify).
    mutating func read(_ max: Int) -> ([UInt8], Bool) {
        let count = min(max, consumer.available())
        let bytes = consumer.withData(count) { Array($0) + Array($1) }
        return (bytes, consumer.consume(count))
    }
}

@Suite struct ExRingLayoutTests {
    @Test func layoutsMatchTheManual() {
        #expect(ExRingLayout.vpipe.headerSize == 8 && ExRingLayout.vpipe.cIdx == 4 && ExRingLayout.vpipe.sWait == nil)
        #expect(ExRingLayout.vbpipe.headerSize == 16)
        #expect(
            [ExRingLayout.vbpipe.sIdx, ExRingLayout.vbpipe.sWait, ExRingLayout.vbpipe.cIdx, ExRingLayout.vbpipe.cWait]
                == [0, 4, 8, 12])
        #expect(ExRingLayout.vpipe.minimumBlockSize == 32 && ExRingLayout.vbpipe.minimumBlockSize == 32)
        #expect(DEF_RING_SIZE == 4096)
    }

    @Test func dataSizeIsBlockMinusHeader() {
        let memory = LocalMemory(byteCount: 4096)
        #expect(ExRing(memory: memory, base: 0, blockSize: 4096, layout: .vpipe).dataSize == 0xff8)
        #expect(ExRing(memory: memory, base: 0, blockSize: 4096, layout: .vbpipe).dataSize == 0xff0)
    }
}

@Suite struct RingTwinTests {
    @Test func roomAndDataFollowTheIndices() {
        var ring = TwinRing(layout: .vpipe, blockSize: 40)  // 32 data bytes
        #expect(ring.producer.room() == 32 && ring.consumer.available() == 0)
        _ = ring.write(Array(0..<20))
        #expect(ring.producer.room() == 12 && ring.consumer.available() == 20)
        #expect(ring.memory.load32(32 + 4) == 20)  // c_idx published
        _ = ring.read(5)
        #expect(ring.memory.load32(32) == 5)  // s_idx published
        #expect(ring.producer.room() == 17)
    }

    @Test func wrapsAroundAndKeepsOrder() {
        var ring = TwinRing(layout: .vbpipe, blockSize: 16 + 17)  // 17 data bytes: not a power of two
        var written: [UInt8] = []
        var read: [UInt8] = []
        var next: UInt8 = 0
        for round in 0..<50 {
            let chunk = (0..<(round % 7 + 1)).map { _ in
                next &+= 1
                return next
            }
            let (count, _) = ring.write(chunk)
            written += chunk.prefix(count)
            next &-= UInt8(chunk.count - count)
            read += ring.read(round % 5 + 1).0
        }
        read += ring.read(100).0
        #expect(read == written)
        #expect(written.count > 100)
    }

    @Test func freeRunningIndicesCrossTwoToThe32() {
        var ring = TwinRing(layout: .vpipe, blockSize: 8 + 24, start: UInt32.max - 10)
        var all: [UInt8] = []
        for i in 0..<10 {
            let chunk = [UInt8](repeating: UInt8(i), count: 7)
            #expect(ring.write(chunk).0 == 7)
            all += ring.read(7).0
        }
        #expect(all.count == 70)
        #expect(ring.memory.load32(32) == UInt32.max &- 10 &+ 70)
        #expect(ring.consumer.available() == 0 && ring.producer.room() == 24)
    }

    @Test func vpipeWriterNotifiesOnlyWhenEmptyBefore() {
        var ring = TwinRing(layout: .vpipe, blockSize: 8 + 24)
        #expect(ring.write([1, 2]).1 == true)  // empty before
        #expect(ring.write([3]).1 == false)  // not empty before
        _ = ring.read(3)
        #expect(ring.write([4]).1 == true)  // the reader caught up: empty again
    }

    @Test func vpipeReaderNotifiesOnlyWhenFullBefore() {
        var ring = TwinRing(layout: .vpipe, blockSize: 8 + 24)
        _ = ring.write(Array(repeating: 9, count: 20))
        #expect(ring.read(4).1 == false)  // not full before
        _ = ring.write(Array(repeating: 9, count: 8))
        #expect(ring.producer.room() == 0)
        #expect(ring.read(1).1 == true)  // full before
        #expect(ring.read(1).1 == false)
    }

    @Test func vbpipeNotifiesOnlyWhenThePeerMaySleep() {
        var ring = TwinRing(layout: .vbpipe, blockSize: 16 + 16)
        #expect(ring.write([1]).1 == false)  // reader awake: no xirq, although empty before
        _ = ring.read(1)
        #expect(ring.consumer.prepareToWait() == 0)  // reader announces it may sleep
        #expect(ring.memory.load32(32 + 4) == 1)  // s_wait
        #expect(ring.write([2]).1 == true)
        ring.consumer.awake()
        #expect(ring.memory.load32(32 + 4) == 0)
        #expect(ring.write([3]).1 == false)
        _ = ring.write(Array(repeating: 0, count: 14))
        #expect(ring.producer.prepareToWait() == 0)  // full: writer may sleep
        #expect(ring.read(1).1 == true)
        #expect(ring.producer.prepareToWait() == 1)  // room: flag lowered again
        #expect(ring.memory.load32(32 + 12) == 0)
        #expect(ring.read(1).1 == false)
    }

    @Test func prepareToWaitSeesDataThatArrivedMeanwhile() {
        var ring = TwinRing(layout: .vbpipe, blockSize: 32)
        _ = ring.write([7])
        #expect(ring.consumer.prepareToWait() == 1)
        #expect(ring.memory.load32(32 + 4) == 0)
    }

    @Test func resetZeroesMyIndexAndFlag() {
        var ring = TwinRing(layout: .vbpipe, blockSize: 32, start: 1000)
        _ = ring.write([1, 2, 3])
        _ = ring.consumer.prepareToWait()
        ring.producer.reset()
        ring.consumer.reset()
        #expect(ring.memory.load32(32) == 0 && ring.memory.load32(32 + 8) == 0 && ring.memory.load32(32 + 4) == 0)
        #expect(ring.consumer.available() == 0 && ring.producer.position == 0)
    }

    @Test func drainLimitReplacesClientIndex() {
        var ring = TwinRing(layout: .vpipe, blockSize: 40)
        _ = ring.write([1, 2, 3, 4])
        let limit = ring.memory.load32(32 + 4)
        ring.producer.reset()  // the writer's next session resets c_idx
        #expect(ring.consumer.available(limit: limit) == 4)
        #expect(ring.consumer.withData(4) { Array($0) + Array($1) } == [1, 2, 3, 4])
    }

    @Test func corruptIndicesNeverReachOutsideTheBlock() {
        var ring = TwinRing(layout: .vpipe, blockSize: 40)
        ring.memory.store32(32 + 4, 0xdead_beef)  // a peer writes nonsense into c_idx
        #expect(ring.consumer.available() == 32)
        #expect(ring.read(64).0.count == 32)
        ring.memory.store32(32, 0x1234_5678)  // and into s_idx
        #expect(ring.producer.room() >= 0 && ring.producer.room() <= 32)
    }
}
