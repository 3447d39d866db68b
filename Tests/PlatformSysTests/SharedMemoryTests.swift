// SPDX-License-Identifier: Apache-2.0
import Atomics
import PlatformSys
import PlatformTestSupport
import Testing

@Suite("shared memory and mapped regions")
struct SharedMemoryTests {
    @Test("two mappings of one object see each other's atomic updates")
    func twoMappingsShareAtomics() throws {
        try withSharedMemory(size: 4096) { memory in
            let first = try memory.map()
            let second = try SharedMemory.open(name: memory.name!).map()

            first.atomic32(at: 8).store(0b0001, ordering: .releasing)
            second.atomic32(at: 8).fetchOr(0b0100, ordering: .acquiringAndReleasing)
            let old = first.atomic32(at: 8).fetchAnd(~0b0001, ordering: .acquiringAndReleasing)
            second.atomic64(at: 16).fetchAdd(41, ordering: .relaxed)
            first.atomic64(at: 16).fetchAdd(1, ordering: .relaxed)

            #expect(old == 0b0101)
            #expect(second.atomic32(at: 8).load(ordering: .acquiring) == 0b0100)
            #expect(second.atomic64(at: 16).load(ordering: .acquiring) == 42)
            #expect(first.baseAddress != second.baseAddress)
        }
    }

    @Test("compare-exchange stores only when the expected value is found")
    func compareExchange() throws {
        try withSharedMemory(size: 4096) { memory in
            let region = try memory.map()
            let word = region.atomic32(at: 0)
            word.store(7, ordering: .relaxed)

            let miss = word.compareExchange(expected: 6, desired: 9, ordering: .acquiringAndReleasing)
            let hit = word.compareExchange(expected: 7, desired: 9, ordering: .acquiringAndReleasing)

            #expect(miss.exchanged == false && miss.original == 7)
            #expect(hit.exchanged == true && word.load(ordering: .acquiring) == 9)
        }
    }

    @Test("bytes written through one mapping read back through another")
    func bytesRoundTrip() throws {
        try withSharedMemory(size: 8192) { memory in
            let writer = try memory.map()
            let reader = try SharedMemory.open(name: memory.name!).map()

            writer.copyBytes(to: 4090, from: Array("hello, vm3".utf8))
            writer.store(UInt32(0xdead_beef), at: 3)

            #expect(reader.readBytes(at: 4090, count: 10) == Array("hello, vm3".utf8))
            #expect(reader.load(UInt32.self, at: 3) == 0xdead_beef)
            #expect(reader.withBytes(at: 4090, count: 5) { $0.byteCount } == 5)
        }
    }

    @Test("mutable spans write into the region and fill clears it")
    func mutableSpanAndFill() throws {
        try withSharedMemory(size: 4096) { memory in
            let region = try memory.map()
            region.withMutableBytes(at: 100, count: 4) { span in
                span.storeBytes(of: UInt32(0x0102_0304), toByteOffset: 0, as: UInt32.self)
            }
            #expect(region.load(UInt32.self, at: 100) == 0x0102_0304)
            region.fill(at: 100, count: 4)
            #expect(region.load(UInt32.self, at: 100) == 0)
        }
    }

    @Test("virtual addresses translate back to offsets inside the region only")
    func addressTranslation() throws {
        try withSharedMemory(size: 4096) { memory in
            let region = try memory.map()
            #expect(region.offset(ofAddress: region.baseAddress + 123) == 123)
            #expect(region.offset(ofAddress: region.baseAddress + 4096) == nil)
            #expect(region.contains(offset: 4000, count: 96))
            #expect(!region.contains(offset: 4000, count: 97))
        }
    }

    @Test("creating an existing name fails with EEXIST; unlink removes it from /dev/shm")
    func exclusiveCreateAndUnlink() throws {
        let name = uniqueSharedMemoryName()
        let memory = try SharedMemory.create(name: name, size: 4096)
        #expect(throws: SyscallError(call: "shm_open", errno: .fileExists)) {
            try SharedMemory.create(name: name, size: 4096)
        }
        #expect(try SharedMemory.list().contains(name))

        try SharedMemory.unlink(name: name)

        #expect(try !SharedMemory.list().contains(name))
        #expect(memory.size == 4096)
    }

    @Test("objects are created with mode 0600")
    func objectsArePrivate() throws {
        try withSharedMemory(size: 4096) { memory throws in
            let mode = try FileSystem.permissions(SharedMemory.directory + "/" + memory.name!)
            #expect(mode == 0o600)
        }
    }

    @Test("names outside the vlm. namespace are refused", arguments: ["other", "vlm./x", "/vlm.x"])
    func foreignNamesRefused(name: String) {
        #expect(throws: SyscallError(call: "shm_open", errno: .invalidArgument)) {
            try SharedMemory.create(name: name, size: 4096)
        }
    }

    @Test("a memfd maps like a named object and has no name")
    func memfdMaps() throws {
        let memory = try SharedMemory.anonymous(label: "vlm-test", size: 4096)
        let region = try memory.map()
        region.atomic32(at: 4092).store(3, ordering: .releasing)
        #expect(memory.name == nil)
        #expect(region.atomic32(at: 4092).load(ordering: .acquiring) == 3)
    }

    @Test("a misaligned atomic traps")
    func misalignedAtomicTraps() async {
        await #expect(processExitsWith: .failure) {
            let memory = try SharedMemory.anonymous(label: "vlm-test", size: 4096)
            _ = try memory.map().atomic32(at: 2)
        }
    }

    @Test("an access past the end traps")
    func outOfBoundsTraps() async {
        await #expect(processExitsWith: .failure) {
            let memory = try SharedMemory.anonymous(label: "vlm-test", size: 4096)
            _ = try memory.map().readBytes(at: 4095, count: 2)
        }
    }
}
