// SPDX-License-Identifier: Apache-2.0
import Foundation

/// A joinable thread for tests that need real concurrency (not the cooperative pool).
final class Thread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let thread = Foundation.Thread { [done] in
            body()
            done.signal()
        }
        thread.start()
    }

    func join() { done.wait() }
}
