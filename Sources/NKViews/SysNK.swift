// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Platform
import PlatformViews
import Synchronization

/// `/sys/nk` (manual lines 13143–13347; DT(4D), lines 5941–5980).
extension VMViews {
    /// `prop/<name>`: one file per property this VM may get, holding the value's
    /// bytes as `nk_prop_get` returns them (binary values in their width, strings
    /// with their NUL); writable where the VM may set it, a write being one
    /// `nk_prop_set` of the bytes written. `props` is an alias (the /proc/nk page
    /// says `/sys/nk/props/…`, line 14117).
    func addSysProperties() {
        let nkddi = self.nkddi
        let listing = ViewDirectory.Listing(
            names: { nkddi.propertyList().filter { $0.attr & NK_PROP_ATTR_GET != 0 }.map(\.name) },
            node: { name in
                guard let entry = nkddi.propertyList().first(where: { $0.name == name }),
                    entry.attr & NK_PROP_ATTR_GET != 0
                else { return nil }
                return Self.propertyFile(
                    nkddi, name: name, maxSize: entry.maxSize, settable: entry.attr & NK_PROP_ATTR_SET != 0)
            })
        sysNK.add("prop", .directory(ViewDirectory(listing: listing)))
        sysNK.add("props", .symlink(ViewSymlink(to: "prop")))
    }

    static func propertyFile(_ nkddi: NKDDI, name: String, maxSize: Int, settable: Bool) -> ViewNode {
        let read: @Sendable () throws(ViewErrno) -> [UInt8] = { () throws(ViewErrno) -> [UInt8] in
            try nkddi.propertyBytes(name, maxSize: maxSize)
        }
        guard settable else { return .seqFile(SeqFile(render: read)) }
        return .controlFile(
            ControlFile.binary(
                permissions: .readWrite, read: read,
                write: { bytes throws(ViewErrno) in
                    let value = try PropertyValue.checked(name, bytes, repository: nkddi.repository)
                    let result = nkddi.nk_prop_set(name, value, UInt32(value.count))
                    if result < 0 { throw PropertyErrno.errno(result) }
                }))
    }

    /// `vlinks/endpoints/{server,client}/<vdriver>/<nb>/vm<id1>/vm<id2>/info`: the
    /// ends of this VM, `id1` this VM and `id2` the peer, `info` the end's own
    /// info string (the node's `info` property, line 13332).
    func addSysVlinks() {
        let repository = nkddi.repository
        let me = nkddi.id
        let endpoints = sysNK.makeDirectories("vlinks/endpoints")
        endpoints.makeDirectories("server")
        endpoints.makeDirectories("client")
        for link in repository.vlinks {
            for server in [true, false] where (server ? link.s_id : link.c_id) == me {
                let peer = server ? link.c_id : link.s_id
                let info = repository.infoString(server ? link.s_info : link.c_info)
                let path = "\(server ? "server" : "client")/\(link.name)/\(link.link)/vm\(me)/vm\(peer)"
                endpoints.makeDirectories(path).add("info", .seqFile(SeqFile(text: { info })))
            }
        }
    }

    /// `device-trees/vlm` and `device-trees/vplatform@<id>`: the blobs of
    /// `nk.vlm-dtb` and `nk.vm.<id>.vplatform-dtb` that this VM may read, laid out
    /// like `/proc/device-tree` (a directory per node, a file per property).
    func addDeviceTrees() {
        let nkddi = self.nkddi
        let cache = DeviceTreeCache()
        let listing = ViewDirectory.Listing(
            names: { Self.treeProperties(nkddi).map(\.folder) },
            node: { folder in
                guard let entry = Self.treeProperties(nkddi).first(where: { $0.folder == folder }),
                    let blob = try? nkddi.propertyBytes(entry.property, maxSize: entry.maxSize),
                    let directory = cache.directory(for: blob)
                else { return nil }
                return .directory(directory)
            })
        sysNK.add("device-trees", .directory(ViewDirectory(listing: listing)))
    }

    /// The DTB properties this VM may get and that hold a value, with their folder names.
    static func treeProperties(_ nkddi: NKDDI) -> [(folder: String, property: String, maxSize: Int)] {
        nkddi.propertyList().compactMap { entry in
            guard entry.attr & NK_PROP_ATTR_GET != 0, entry.maxSize > 0 else { return nil }
            if entry.name == "nk.vlm-dtb" { return ("vlm", entry.name, entry.maxSize) }
            let parts = entry.name.split(separator: ".")
            if parts.count == 4, parts[0] == "nk", parts[1] == "vm", parts[3] == "vplatform-dtb", Int(parts[2]) != nil {
                return ("vplatform@\(parts[2])", entry.name, entry.maxSize)
            }
            return nil
        }
    }
}

/// The values a `/sys/nk/prop/<name>` write may store where the property is a
/// built-in one whose value the platform reads (`nk.focus`, `nk.monitoring.enable`):
/// EINVAL and nothing stored otherwise, as `/proc/nk/focus` and the control files
/// do. Properties of the configuration (`nk.panic-trigger`, a VM's
/// `bootcomplete`) take any bytes: their format is their users'.
enum PropertyValue {
    /// The value to store for `bytes` written to property `name`.
    static func checked(_ name: String, _ bytes: [UInt8], repository: Repository) throws(ViewErrno) -> [UInt8] {
        switch name {
        case "nk.focus": return [try vmID(bytes, repository: repository)]
        case "nk.monitoring.enable": return try monitoringLevel(bytes)
        default: return bytes
        }
    }

    /// A configured guest id, as one binary byte (`nk_prop_set` of a `NkOsId`)
    /// or as decimal text (`echo 3 >`, like `/proc/nk/focus`, manual line 13437).
    static func vmID(_ bytes: [UInt8], repository: Repository) throws(ViewErrno) -> UInt8 {
        let id: Int
        if bytes.count == 1, bytes[0] < 0x20 {
            id = Int(bytes[0])
        } else {
            guard let text = String(validating: bytes, as: UTF8.self) else { throw .einval }
            id = try ControlFile.integer(text)
        }
        guard id >= 2, id < Int(NK_OS_LIMIT), repository.isVM(NkOsId(id)) else { throw .einval }
        return UInt8(id)
    }

    /// 0, 1 or 2, binary or ASCII (manual lines 13259–13261), optionally followed by
    /// a linefeed (`echo 2 >`) or zero bytes (a 32-bit binary value).
    static func monitoringLevel(_ bytes: [UInt8]) throws(ViewErrno) -> [UInt8] {
        guard let first = bytes.first, [0, 1, 2, 0x30, 0x31, 0x32].contains(first) else { throw .einval }
        let rest = bytes.dropFirst()
        guard rest.allSatisfy({ $0 == 0 }) || Array(rest) == [0x0a] else { throw .einval }
        return bytes
    }
}

/// Decoded blobs as view directories, rebuilt only when a blob changes.
final class DeviceTreeCache: Sendable {
    private let entries = Mutex<[[UInt8]: ViewDirectory]>([:])

    /// The directory of `blob`, or nil when it is no valid DTB.
    func directory(for blob: [UInt8]) -> ViewDirectory? {
        if let known = entries.withLock({ $0[blob] }) { return known }
        guard let tree = try? DTB.decode(blob) else { return nil }
        let directory = Self.directory(of: tree.root)
        entries.withLock { $0[blob] = directory }
        return directory
    }

    /// A node as `/proc/device-tree` shows it: properties in blob order, then the
    /// child nodes (the order `dtc -I fs` rebuilds the blob in).
    static func directory(of node: Node) -> ViewDirectory {
        var entries: [(String, ViewNode)] = []
        for property in node.properties {
            let bytes = property.value.bytes
            entries.append((property.name, .seqFile(SeqFile(size: .exact, render: { bytes }))))
        }
        for child in node.children where !node.properties.contains(where: { $0.name == child.name }) {
            entries.append((child.name, .directory(directory(of: child))))
        }
        return ViewDirectory(entries: entries)
    }
}
