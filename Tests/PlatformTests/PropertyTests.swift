// SPDX-License-Identifier: Apache-2.0
import Dispatch
import Platform
import PlatformSys
import Synchronization
import Testing

@Suite("Properties (nk_prop_enum, nk_prop_get, nk_prop_set) and lifecycle")
struct PropertyTests {
    let platform = TestPlatform()

    @Test("get copies at most maxsize bytes and reports the count")
    func getValue() {
        let vm = platform.vm(3)
        var buf = [UInt8](repeating: 0, count: 8)
        #expect(vm.nk_prop_get("test.shared", &buf, 8) == 2)
        #expect(Array(buf.prefix(2)) == Array("hi".utf8))
        #expect(vm.nk_prop_get("test.shared", &buf, 1) == 1)
        #expect(vm.nk_prop_get("test.shared", &buf, 9) == NK_PROP_ERROR, "maxsize beyond the buffer")
    }

    @Test("errors: PERMISSION, UNKNOWN, ERROR")
    func errors() {
        let vm = platform.vm(3)
        var buf = [UInt8](repeating: 0, count: 8)
        #expect(vm.nk_prop_get("test.private", &buf, 8) == NK_PROP_PERMISSION)
        #expect(vm.nk_prop_get("no.such", &buf, 8) == NK_PROP_UNKNOWN)
        #expect(platform.vm(4).nk_prop_set("test.shared", [1], 1) == NK_PROP_PERMISSION)
        #expect(vm.nk_prop_set("no.such", [1], 1) == NK_PROP_UNKNOWN)
        #expect(vm.nk_prop_set("test.shared", [1], 2) == NK_PROP_ERROR)
    }

    @Test("set truncates to the maximum size and notifies the allowed running VMs")
    func setNotifies() {
        let vm3 = platform.vm(3)
        let vm2 = platform.vm(2)
        #expect(vm3.nk_prop_set("test.shared", Array("0123456789".utf8), 10) == 8)
        var buf = [UInt8](repeating: 0, count: 16)
        #expect(vm2.nk_prop_get("test.shared", &buf, 16) == 8)
        #expect(platform.supervisor.isPending(NK_XIRQ_SYSCONF, on: 2), "VM 2 may be notified")
        #expect(!platform.supervisor.isPending(NK_XIRQ_SYSCONF, on: 3))
        #expect(platform.doorbells[2]!.count == 1 && platform.doorbells[3]!.count == 0)
    }

    /// The repository offset of `name`'s sequence word (odd while an update is in progress).
    func sequenceWord(_ name: String) -> Int {
        let index = platform.supervisor.propertyIndex(name)!
        let table = Int(platform.repoMemory.load64(RepositoryABI.Header.propertyTable))
        return table + index * RepositoryABI.Property.size + RepositoryABI.Property.sequence
    }

    @Test("an update in progress makes get and set report NK_PROP_BUSY")
    func busy() {
        let vm = platform.vm(3)
        let seq = sequenceWord("test.shared")
        // VM 2 is half-way through a set and stays there (paused).
        platform.repoMemory.store32(seq, PropertySequence(updates: 0).claimed(by: 2).word)
        var buf = [UInt8](repeating: 0, count: 8)
        #expect(vm.nk_prop_get("test.shared", &buf, 8) == NK_PROP_BUSY)
        #expect(vm.nk_prop_set("test.shared", [1], 1) == NK_PROP_BUSY, "after waiting Repository.updateWaitLimit")
        platform.repoMemory.store32(seq, PropertySequence(updates: 1).word)
        #expect(vm.nk_prop_set("test.shared", [1], 1) == 1)
        #expect(platform.repoMemory.load32(seq) == PropertySequence(updates: 2).word)
    }

    @Test("concurrent sets wait for each other instead of failing with NK_PROP_BUSY")
    func concurrentSetsAllSucceed() {
        let vm = platform.vm(3)
        let writers = [platform.vm(2), vm, platform.vm(2), vm]  // two VMs, two threads each
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for n in 0..<5_000
            where writers[worker].nk_prop_set("test.shared", [UInt8(worker), UInt8(n & 0xff)], 2) != 2 {
                failures.add(1, ordering: .relaxed)
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        var buf = [UInt8](repeating: 0, count: 8)
        #expect(vm.nk_prop_get("test.shared", &buf, 8) == 2)
        #expect(buf[0] < 4 && buf[1] == UInt8(4_999 & 0xff), "one writer's last value, whole")
    }

    @Test("the update a reaped VM left half done is closed at once, by its id; another VM's stays open")
    func abandonedUpdatesAreClosed() throws {
        let vm = platform.vm(3)
        let shared = sequenceWord("test.shared")
        let own = sequenceWord("test.private")
        // VM 4 was killed between its two sequence stores; VM 2 is alive and mid-update.
        platform.repoMemory.store32(shared, PropertySequence(updates: 5).claimed(by: 4).word)
        platform.repoMemory.store32(own, PropertySequence(updates: 9).claimed(by: 2).word)
        #expect(platform.supervisor.propertyWriter("test.shared") == 4)
        // VM 2's update stays open longer than the old 10 ms grace: only an id closes it.
        ProcessInfo.sleep(for: .milliseconds(20))
        let closed = platform.supervisor.closePropertyUpdates(leftBy: 4)
        #expect(closed.names == ["test.shared"])
        #expect(
            closed.notify == 0b00100, "SYSCONF again for the finished update (manual line 3771): VM 2 may be notified")
        #expect(
            platform.repoMemory.load32(shared) == PropertySequence(updates: 6).word, "even, one more update, no writer")
        #expect(
            platform.repoMemory.load32(own) == PropertySequence(updates: 9).claimed(by: 2).word,
            "a live writer is never interrupted")
        #expect(vm.nk_prop_set("test.shared", [1], 1) == 1)
        #expect(platform.supervisor.closePropertyUpdates(leftBy: 3).names.isEmpty, "VM 3 finished its update")
        #expect(platform.supervisor.closePropertyUpdates(leftBy: 4).names.isEmpty, "nothing left open by VM 4")
        #expect(platform.supervisor.closePropertyUpdates(leftBy: 2).names == ["test.private"])
    }

    @Test("the supervisor's read of a property does not wait while a guest keeps its word odd")
    func supervisorReadIsBounded() throws {
        let seq = sequenceWord("test.shared")
        platform.repoMemory.store32(seq, PropertySequence(updates: 0).claimed(by: 3).word)  // VM 3 paused mid-update
        let supervisor = platform.supervisor
        let result = ReadResult()
        let returned = DispatchSemaphore(value: 0)
        try DetachedThread.start {
            result.value = .some(supervisor.propertyValue("test.shared"))
            returned.signal()
        }
        // Old code spun here for as long as the word stayed odd (for good).
        try #require(returned.wait(timeout: .now() + 20) == .success, "propertyValue returned")
        #expect(result.value == .some(nil), "busy: no value")
        #expect(supervisor.propertyWriter("test.shared") == 3)
        platform.repoMemory.store32(seq, PropertySequence(updates: 1).word)
        #expect(supervisor.propertyValue("test.shared") == Array("hi".utf8))
        #expect(supervisor.propertyWriter("test.shared") == nil)
    }

    @Test("the sequence word: odd with the writer's id while updating, counted when finished")
    func sequenceWordLayout() {
        let idle = PropertySequence(updates: 7)
        #expect(!idle.isUpdating && idle.writer == nil && idle.word & 1 == 0)
        let claimed = idle.claimed(by: 31)
        #expect(claimed.isUpdating && claimed.writer == 31 && claimed.updates == 7)
        #expect(claimed.finished == PropertySequence(updates: 8))
        #expect(PropertySequence(updates: (1 << 26) - 1).finished == PropertySequence(updates: 0), "wraps")
        let vm = platform.vm(2)
        #expect(vm.nk_prop_set("test.shared", [1], 1) == 1)
        #expect(platform.repoMemory.load32(sequenceWord("test.shared")) == PropertySequence(updates: 1).word)
    }

    @Test("enum reports names, this VM's permissions and name length, then UNKNOWN")
    func enumerate() {
        let vm = platform.vm(3)
        var name = [UInt8](repeating: 0xff, count: 64)
        var attr: NkPropAttr = 0
        #expect(vm.nk_prop_enum(0, &name, 64, &attr) == 8)
        #expect(String(decoding: name.prefix(11), as: UTF8.self) == "test.shared" && name[11] == 0)
        #expect(attr == NK_PROP_ATTR_GET | NK_PROP_ATTR_SET | 12)
        #expect(vm.nk_prop_enum(1, &name, 64, &attr) == 4)
        #expect(attr == 13, "no permission for VM 3 on test.private")
        var names: [String] = []
        var pid: UInt32 = 0
        while vm.nk_prop_enum(pid, &name, 64, &attr) >= 0 {
            names.append(String(decoding: name.prefix { $0 != 0 }, as: UTF8.self))
            pid += 1
        }
        #expect(names.contains("nk.vm.4.state.running") && names.contains("nk.version.api"))
        #expect(vm.nk_prop_enum(pid, &name, 64, &attr) == NK_PROP_UNKNOWN)
    }

    @Test("nk_hv_version_get parses nk.version.api")
    func version() {
        var major: UInt32 = 0
        var minor: UInt32 = 0
        #expect(platform.vm(2).nk_hv_version_get(&major, &minor) == 0)
        #expect(major == 9 && minor == 0)
        var bytes = [UInt8](repeating: 0xff, count: 16)
        #expect(platform.vm(2).nk_prop_get("nk.version.api", &bytes, 16) == 6, "NUL-ended like device-tree strings")
        #expect(Array(bytes.prefix(6)) == Array("9.0.0\0".utf8))
    }

    @Test("start/stop/suspend/resume set nk.vm.<id>.state.* and reach the supervisor")
    func lifecycle() {
        let vm = platform.vm(2)
        vm.nk_stop(3)
        vm.nk_start(4)
        vm.nk_start(2)
        vm.nk_suspend(3)
        vm.nk_resume(3)
        #expect(
            platform.hypervisor.recorded == [
                .stop(vm: 3), .start(vm: 4), .restart(vm: 2), .suspend(vm: 3), .resume(vm: 3),
            ])
        platform.supervisor.vmDidStop(3)
        var buf = [UInt8](repeating: 0, count: 4)
        #expect(vm.nk_prop_get("nk.vm.3.state.running", &buf, 4) == 4)
        #expect(buf == [4, 0, 0, 0], "bit 0 = stopped; two transitions (boot, stop) above it")
        #expect(vm.nk_running_ids_get() == 0b10100)
        #expect(vm.nk_last_id_get() == 4 && vm.nk_id_get() == 2)
    }
}

/// What a thread's `propertyValue` gave (written before the semaphore it signals).
private final class ReadResult: @unchecked Sendable {
    var value: [UInt8]?? = nil
}

@Suite("Live properties")
struct LivePropertyTests {
    @Test("nk.memory.pmem.used/free follow the PMEM allocator and cannot be set")
    func pmemCounters() {
        var input = TestPlatform.input
        input.properties.append(
            .init(
                name: "nk.memory.pmem.used", maxSize: 8, value: [], allowGet: 0b1100, allowSet: 0b1100, allowNotify: 0))
        let platform = TestPlatform(input)
        let vm = platform.vm(2)
        _ = vm.nk_pmem_alloc(vm.nk_vlink_lookup("vpipe", 0), 0, 5000)
        var buf = [UInt8](repeating: 0, count: 8)
        #expect(vm.nk_prop_get("nk.memory.pmem.used", &buf, 8) == 8)
        #expect(buf == [0, 0x20, 0, 0, 0, 0, 0, 0], "two pages")
        #expect(platform.supervisor.propertyValue("nk.memory.pmem.used") == buf)
        #expect(vm.nk_prop_set("nk.memory.pmem.used", [0], 1) == NK_PROP_ERROR)
        #expect(platform.supervisor.propertyValue("nk.focus") == [2])
    }
}
