// SPDX-License-Identifier: Apache-2.0
import PlatformViews
import Synchronization

/// What an open file handle (`fh`) of a mount refers to.
enum OpenFile: Sendable {
    /// A seq file or control file: its snapshot (built at open, if opened for reading)
    /// and, when opened for writing, the control file that takes the writes.
    case content(ViewSnapshot, control: ControlFile?)
    /// An open device file.
    case device(any DeviceFileHandle)
    /// An open directory: its entries as listed at `opendir`.
    case directory([DirectoryEntry])
}

/// One entry of a directory listing.
struct DirectoryEntry: Sendable {
    let name: String
    let number: UInt64
    let mode: UInt32
}

/// The open files of one mount, by file handle.
final class OpenFileTable: Sendable {
    private struct State {
        var files: [UInt64: OpenFile] = [:]
        var next: UInt64 = 1
    }

    private let state = Mutex(State())

    /// Stores `file` under a new handle.
    func insert(_ file: OpenFile) -> UInt64 {
        state.withLock { state in
            let handle = state.next
            state.next += 1
            state.files[handle] = file
            return handle
        }
    }

    /// The file under `handle`.
    func file(_ handle: UInt64) -> OpenFile? {
        state.withLock { $0.files[handle] }
    }

    /// Removes and returns the file under `handle`.
    func remove(_ handle: UInt64) -> OpenFile? {
        state.withLock { $0.files.removeValue(forKey: handle) }
    }

    /// Files open now.
    var count: Int { state.withLock { $0.files.count } }
}
