// SPDX-License-Identifier: Apache-2.0
import Foundation
import Platform
import PlatformSys
import Synchronization
import Testing

@testable import NKViews

/// The statistics periods of `cpu/<n>/pmon/*/cpustats` under concurrent readers
/// (issue 17): reading them crashed the VM.
@Suite struct CPUPeriodsTests {
    static func sample(idle: [UInt64], os: [NkOsId: [UInt64]] = [:]) -> HostAccounting.Sample {
        HostAccounting.Sample(cpus: idle.count, idle: idle, os: os)
    }

    @Test("16 threads taking periods at once: no trap, and the periods chain up to the time elapsed")
    func concurrentTakesChain() {
        let start = HostClock.monotonicNanoseconds()
        let periods = CPUPeriods(cpus: 1)
        let total = Atomic<UInt64>(0)
        let sample = Self.sample(idle: [7])
        // The clock was read before the lock: a thread that read it, then lost the
        // lock to one that read it later, computed a negative period and trapped.
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<16 {
            Foundation.Thread {
                for _ in 0..<5000 { total.add(periods.take(0, sample).period, ordering: .relaxed) }
                done.signal()
            }.start()
        }
        for _ in 0..<16 { done.wait() }
        let elapsed = HostClock.monotonicNanoseconds() - start
        #expect(total.load(ordering: .relaxed) <= elapsed)
    }

    @Test("counters that go backwards or rows that change length give 0, never a trap")
    func oddSamplesGiveZero() {
        let periods = CPUPeriods(cpus: 2)
        _ = periods.take(1, Self.sample(idle: [5], os: [2: [9]]))  // one CPU only: no column 1
        let grown = periods.take(1, Self.sample(idle: [5, 40], os: [2: [9, 30]]))
        #expect(grown.idle == 40 && grown.os[2] == 30, "a missing column counts 0")
        let back = periods.take(1, Self.sample(idle: [5, 10], os: [2: [9, 3]]))
        #expect(back.idle == 0 && back.os[2] == 0)
        #expect(periods.take(7, Self.sample(idle: [1, 1])).period == 0, "no such CPU")
    }
}
