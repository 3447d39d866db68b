// SPDX-License-Identifier: Apache-2.0
import NKViews
import Platform
import PlatformSys
import PlatformViews
import Synchronization

/// The `exec-proc/` view of a VM's mount, which `vlm exec` and `vl,init` see at
/// `/proc` (``VMNamespace``): one symlink `<name> → /proc/.host/<name>` per
/// entry of the VM's own procfs (``VMSandbox/procRoot``, listed afresh on every
/// lookup and `readdir`, so new processes appear), an empty `.host` directory
/// the VM's init mounts that procfs on, and the VM's `nk/`. `self` and `thread-self` resolve
/// through procfs's own links, so they name the caller.
enum ExecProcView {
    /// Adds `exec-proc/` to `views.root`.
    static func add(to views: VMViews) {
        let hostRoot = "/proc/" + VMNamespace.hostProcEntry + "/"
        let listing = ViewDirectory.Listing(
            names: {
                guard let proc = VMSandbox.procRoot.withLock({ $0 }) else { return [] }
                return (try? Namespaces.listDirectory(proc.descriptor)) ?? []
            },
            node: { name in
                guard !name.isEmpty, name != VMNamespace.hostProcEntry, name != "nk",
                    let proc = VMSandbox.procRoot.withLock({ $0 }),
                    Namespaces.exists(name, in: proc.descriptor)
                else { return nil }
                return .symlink(ViewSymlink(to: hostRoot + name))
            })
        let directory = ViewDirectory(
            entries: [(VMNamespace.hostProcEntry, .directory(ViewDirectory())), ("nk", .directory(views.procNK))],
            listing: listing)
        views.root.add(VMNamespace.procView, .directory(directory))
    }
}
