// SPDX-License-Identifier: Apache-2.0
import CFuse3
import PlatformSys
import PlatformViews
import Synchronization

/// The Swift side of one mount: answers each kernel request from the view tree.
///
/// `LowLevelOps` (the C callbacks) hands every request here. Nothing here blocks: a
/// device request that must wait is suspended by its driver and answered later by
/// ``FUSEReplier``, so one FUSE thread can serve any number of blocked callers.
final class ViewServer: Sendable {
    let root: ViewDirectory
    let inodes: InodeTable
    let openFiles = OpenFileTable()
    /// Unique ids of `FUSE_OPEN` requests read but not yet answered (``StreamOpenIO``).
    let pendingOpens = Mutex<Set<UInt64>>([])
    /// Answers given after the driver's call returned pass here (see ``ReplyGate``).
    let gate = ReplyGate()
    /// Written to stop the session loop (see ``StreamOpenIO``).
    let stopPipe: (read: Int32, write: Int32)
    /// Tells this session's loop threads apart from other sessions' (``FUSESupport/newSessionToken()``).
    let session = FUSESupport.newSessionToken()
    /// Holds device requests while closed (``ViewMountOptions/deviceGate``).
    let deviceGate: DeviceGate?
    private let owner: (uid: UInt32, gid: UInt32)
    private let mountTime: Int

    init(
        root: ViewDirectory, owner: (uid: UInt32, gid: UInt32), mountTime: Int, stopPipe: (read: Int32, write: Int32),
        deviceGate: DeviceGate? = nil
    ) {
        self.root = root
        self.deviceGate = deviceGate
        self.stopPipe = stopPipe
        self.inodes = InodeTable(root: root)
        self.owner = owner
        self.mountTime = mountTime
    }

    // MARK: Names

    func lookUp(_ request: FUSERequest, parent: UInt64, name: String) {
        guard let parentNode = inodes.node(parent) else { return request.reply(.enoent) }
        guard case .directory(let directory) = parentNode else { return request.reply(.enotdir) }
        guard let node = directory.child(named: name) else { return request.reply(.enoent) }
        let number = inodes.lookUp(parent: parent, name: name, node: node)
        request.replyEntry(number, attributes(number, node), timeout: attributeTimeout(node))
    }

    func forget(_ number: UInt64, count: UInt64) {
        inodes.forget(number, count: count)
    }

    func getAttributes(_ request: FUSERequest, _ number: UInt64) {
        guard let node = inodes.node(number) else { return request.reply(.enoent) }
        request.replyAttributes(attributes(number, node), timeout: attributeTimeout(node))
    }

    /// `chmod`, `chown` and `utimes` change nothing (EPERM for the first two); a
    /// truncation is accepted on files that take writes, so `echo 3 > vmstop` works
    /// without `O_TRUNC` support too.
    func setAttributes(_ request: FUSERequest, _ number: UInt64, changes: Int32, size: Int) {
        guard let node = inodes.node(number) else { return request.reply(.enoent) }
        if changes & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID) != 0 {
            return request.reply(.eperm)
        }
        if changes & FUSE_SET_ATTR_SIZE != 0 {
            switch node {
            case .controlFile(let control) where control.permissions.allowsWrite: break
            case .device(let device) where device.permissions.allowsWrite: break
            case .directory: return request.reply(.eisdir)
            default: return request.reply(.eacces)
            }
        }
        request.replyAttributes(attributes(number, node), timeout: attributeTimeout(node))
    }

    func readLink(_ request: FUSERequest, _ number: UInt64) {
        guard case .symlink(let link)? = inodes.node(number) else { return request.reply(.einval) }
        request.replyLink(link.target)
    }

    // MARK: Directories

    func openDirectory(_ request: FUSERequest, _ number: UInt64) -> UInt64? {
        guard case .directory(let directory)? = inodes.currentNode(number) else {
            request.reply(.enotdir)
            return nil
        }
        var entries = [
            DirectoryEntry(name: ".", number: number, mode: 0o040000),
            DirectoryEntry(name: "..", number: number, mode: 0o040000),
        ]
        for name in directory.childNames() {
            guard let node = directory.child(named: name) else { continue }
            entries.append(
                DirectoryEntry(name: name, number: inodes.number(parent: number, name: name), mode: node.mode))
        }
        return openFiles.insert(.directory(entries))
    }

    /// The entries of an open directory from index `offset` on.
    func directoryEntries(_ handle: UInt64, from offset: Int) -> ArraySlice<DirectoryEntry>? {
        guard case .directory(let entries)? = openFiles.file(handle) else { return nil }
        return entries.dropFirst(max(0, offset))
    }

    // MARK: Attributes

    func attributes(_ number: UInt64, _ node: ViewNode) -> stat {
        var attributes = stat()
        attributes.st_ino = __ino_t(number)
        attributes.st_mode = node.mode
        attributes.st_nlink = node.isDirectory ? 2 : 1
        attributes.st_uid = owner.uid
        attributes.st_gid = owner.gid
        attributes.st_size = size(node)
        attributes.st_blksize = 4096
        let time = timespec(tv_sec: mountTime, tv_nsec: 0)
        attributes.st_atim = time
        attributes.st_mtim = time
        attributes.st_ctim = time
        return attributes
    }

    private func size(_ node: ViewNode) -> Int {
        switch node {
        case .seqFile(let file): file.reportedSize()
        case .symlink(let link): link.target.utf8.count
        case .directory, .controlFile, .device: 0
        }
    }

    /// Seq files whose size is their content's may change size at any time: never cached.
    func attributeTimeout(_ node: ViewNode) -> Double {
        if case .seqFile(let file) = node, file.sizePolicy == .exact { return 0 }
        return FUSERequest.stableTimeout
    }
}
