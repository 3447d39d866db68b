// SPDX-License-Identifier: Apache-2.0
import Platform
import Testing

/// The shared event log's ring and filter words (`Repository+EventLog`), over
/// two "mappings" of one formatted repository.
@Suite struct EventLogTests {
    /// A header word (unused by the ABI) standing in for `nk.monitoring.enable`.
    static let enableWord = 512

    @Test func nothingIsRecordedUntilTheEnableWordSaysTwo() {
        let platform = TestPlatform()
        let writer = platform.vm(2).repository
        writer.recordEvent(EventLog.type("vm_start"), vm: 2, word: Self.enableWord)
        writer.recordEvent(EventLog.type("vm_start"), vm: 2, word: nil)
        #expect(platform.supervisor.eventRecords().isEmpty)
        platform.repoMemory.store32(Self.enableWord, 0x32)  // ASCII '2'
        writer.recordEvent(EventLog.type("irq_post"), vm: 2, target: 4, argument: 33, word: Self.enableWord)
        let records = platform.vm(3).repository.eventRecords()
        #expect(records.map(\.name) == ["irq_post"])
        #expect(records.first.map { "\($0.sequence) \($0.vm) \($0.target) \($0.argument)" } == "0 2 4 33")
    }

    @Test func theRingKeepsTheNewestRecordsInOrder() {
        let platform = TestPlatform()
        platform.repoMemory.store32(Self.enableWord, 2)
        let writer = platform.vm(2).repository
        let total = RepositoryABI.EventLog.capacity + 10
        for n in 0..<total {
            writer.recordEvent(EventLog.type("hyp_call"), vm: 2, argument: UInt32(n), word: Self.enableWord)
        }
        let records = platform.supervisor.eventRecords()
        #expect(records.count == RepositoryABI.EventLog.capacity)
        #expect(records.map(\.argument) == (10..<total).map(UInt32.init))
        #expect(records.map(\.sequence) == (10..<UInt64(total)).map { $0 })
    }

    @Test func theFilterStartsFullAndChangesIncrementally() {
        let platform = TestPlatform()
        let a = platform.vm(2).repository
        let b = platform.vm(4).repository
        #expect(a.eventFilter == RepositoryABI.EventLog.allEvents)
        let stop = UInt64(1) << UInt64(EventLog.type("vm_stop"))
        a.changeEventFilter(stop, select: false)
        #expect(b.eventFilter == RepositoryABI.EventLog.allEvents & ~stop)
        platform.repoMemory.store32(Self.enableWord, 2)
        b.recordEvent(EventLog.type("vm_stop"), vm: 3, word: Self.enableWord)
        #expect(a.eventRecords().isEmpty)
        b.changeEventFilter(stop, select: true)
        b.recordEvent(EventLog.type("vm_stop"), vm: 3, word: Self.enableWord)
        #expect(a.eventRecords().map(\.name) == ["vm_stop"])
    }
}
