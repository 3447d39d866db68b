// SPDX-License-Identifier: Apache-2.0
import Glibc

/// A detached POSIX thread running a Swift closure: the guest kernel's xirq
/// dispatcher and script runner (no Foundation in the platform core).
public enum DetachedThread {
    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// The calling thread's identity, unique among live threads; costs no system
    /// call. The corresponding C function is `pthread_self`.
    public static var currentID: UInt { UInt(pthread_self()) }

    /// Starts `body` on a new detached thread. The corresponding C functions are
    /// `pthread_create` and `pthread_detach`.
    public static func start(_ body: @escaping @Sendable () -> Void) throws(SyscallError) {
        // SAFETY: the box is retained here and released exactly once by the
        // new thread (`takeRetainedValue`), so it outlives the hand-over.
        let context = unsafe Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        // SAFETY: `thread` is a local the call fills; the entry point is a
        // non-capturing closure that only reads its argument, the box above.
        let result = unsafe pthread_create(
            &thread, nil,
            { argument in
                let box = unsafe Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
                box.body()
                return nil
            }, context)
        guard result == 0 else {
            // SAFETY: the thread was not created, so the retain above is ours to drop.
            unsafe Unmanaged<Box>.fromOpaque(context).release()
            throw SyscallError(call: "pthread_create", errno: Errno(rawValue: result))
        }
        pthread_detach(thread)
    }
}
