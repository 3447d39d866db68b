// SPDX-License-Identifier: Apache-2.0
public import Platform
public import PlatformSys
public import PlatformViews

/// The views of one VM: the tree its FUSE mount (`DIR/vm<N>`) serves, with
/// `dev/`, `proc/nk/` and `sys/nk/` (DESIGN §1.2). Every file reads the live
/// repository through the VM's own ``NKDDI`` and every control file acts
/// through it, so a view shows and does exactly what the VM's kernel could.
///
/// ```swift
/// let views = VMViews(nkddi: nkddi, consoleDoorbell: environment.consoleDoorbell)
/// let drivers = VDriverRegistry.boot(VDriverContext(nkddi: nkddi, dev: views.dev, procNK: views.procNK, log: log))
/// let mount = try ViewMount(views.root, at: "\(runDirectory)/vm\(nkddi.id)")
/// ```
///
/// Vdrivers add their nodes to ``dev`` and their `/proc/nk/<driver>` files to
/// ``procNK`` (both may change while mounted).
public final class VMViews: Sendable {
    /// The mount's root: `dev/`, `proc/`, `sys/`.
    public let root: ViewDirectory
    /// `dev/`: `vlx-console`, `vlx-log-<id>` and the vdrivers' device nodes.
    public let dev: ViewDirectory
    /// `proc/nk/`.
    public let procNK: ViewDirectory
    /// `sys/nk/`.
    public let sysNK: ViewDirectory
    /// The NKDDI every view reads through.
    public let nkddi: NKDDI
    /// CPU accounting and clocks behind `pcpustats`, `cpu/<n>/pmon` and `counter-timer-offset`.
    public let host: HostAccounting
    /// Waits for console output (`dev/vlx-console`, `dev/vlx-log-<id>`).
    let consoleWaiters: ConsoleWaiters

    /// Builds the tree of VM `nkddi.id`.
    /// - Parameters:
    ///   - consoleDoorbell: rung (by the supervisor) when a console this VM's
    ///     readers watch has new output (``Repository/watchConsole(_:by:)``);
    ///     a non-blocking eventfd.
    ///   - host: where CPU times come from (the run directory's VM processes).
    public init(nkddi: NKDDI, consoleDoorbell: EventFD, host: HostAccounting = HostAccounting()) {
        self.nkddi = nkddi
        self.host = host
        root = ViewDirectory()
        dev = root.makeDirectories("dev")
        procNK = root.makeDirectories("proc/nk")
        sysNK = root.makeDirectories("sys/nk")
        consoleWaiters = ConsoleWaiters(repository: nkddi.repository, watcher: nkddi.id, doorbell: consoleDoorbell)
        addProcStatusFiles()
        addProcControlFiles()
        addProcStatistics()
        addMonitoring()
        addSysProperties()
        addSysVlinks()
        addDeviceTrees()
        addConsoleDevices()
    }

    /// The configured VM ids (2…31).
    var vmIDs: [NkOsId] { nkddi.repository.vmIDs }

    /// Reads a written VM id (`echo 3 > vmstop`): a configured guest id, else EINVAL.
    func writtenVM(_ text: String) throws(ViewErrno) -> NkOsId {
        try Self.writtenVM(text, nkddi: nkddi)
    }

    /// `writtenVM(_:)` without the views object (for closures the view tree keeps).
    static func writtenVM(_ text: String, nkddi: NKDDI) throws(ViewErrno) -> NkOsId {
        let value = try ControlFile.integer(text)
        guard value >= 2, value < Int(NK_OS_LIMIT), nkddi.repository.isVM(NkOsId(value)) else { throw .einval }
        return NkOsId(value)
    }
}

/// How an `nk_prop_*` failure reaches a process reading or writing a view.
enum PropertyErrno {
    /// `NK_PROP_BUSY` → EBUSY, `PERMISSION` → EACCES, `UNKNOWN` → ENOENT, `ERROR` → EINVAL.
    static func errno(_ code: Int32) -> ViewErrno {
        switch code {
        case NK_PROP_BUSY: .ebusy
        case NK_PROP_PERMISSION: .eacces
        case NK_PROP_UNKNOWN: .enoent
        default: .einval
        }
    }
}

extension NKDDI {
    /// The current value of `name` as this VM may read it, retrying while an
    /// update is in progress (`NK_PROP_BUSY`). Throws the mapped errno.
    func propertyBytes(_ name: String, maxSize: Int) throws(ViewErrno) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max(maxSize, 1))
        return try Self.retryingWhileBusy { () throws(ViewErrno) -> [UInt8]? in
            let n = nk_prop_get(name, &buffer, UInt32(maxSize))
            if n >= 0 { return Array(buffer.prefix(Int(n))) }
            if n == NK_PROP_BUSY { return nil }
            throw PropertyErrno.errno(n)
        }
    }

    /// The value of the property `pid` (its `nk_prop_enum` index), as
    /// `propertyBytes(_:maxSize:)` but without searching the name.
    func propertyBytes(pid: UInt32, maxSize: Int) throws(ViewErrno) -> [UInt8] {
        try Self.retryingWhileBusy { () throws(ViewErrno) -> [UInt8]? in
            switch repository.propertyGet(at: Int(pid), maxSize: maxSize, caller: nk_id_get()) {
            case .success(let bytes): return bytes
            case .failure(.busy): return nil
            case .failure(let error): throw PropertyErrno.errno(error.code)
            }
        }
    }

    /// Runs `get` until it stops answering nil (`NK_PROP_BUSY`), as writers wait
    /// (`Repository.waitingOutUpdates`); EBUSY only when it stays busy (a writer
    /// died mid-update).
    private static func retryingWhileBusy(_ get: () throws(ViewErrno) -> [UInt8]?) throws(ViewErrno) -> [UInt8] {
        guard let bytes = try Repository.waitingOutUpdates(get) else { throw .ebusy }
        return bytes
    }

    /// Every property: pid, name, this VM's attributes and the maximum size.
    func propertyList() -> [(pid: UInt32, name: String, attr: NkPropAttr, maxSize: Int)] {
        var list: [(UInt32, String, NkPropAttr, Int)] = []
        var name = [UInt8](repeating: 0, count: 64)
        var attr: NkPropAttr = 0
        var pid: UInt32 = 0
        while true {
            let size = nk_prop_enum(pid, &name, 64, &attr)
            guard size >= 0 else { break }
            list.append((pid, String(decoding: name.prefix { $0 != 0 }, as: UTF8.self), attr, Int(size)))
            pid += 1
        }
        return list
    }
}
