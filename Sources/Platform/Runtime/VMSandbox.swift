// SPDX-License-Identifier: Apache-2.0
public import PlatformSys
public import Synchronization

/// A VM's sandbox: the namespaces its programs (`vl,init`, `vlm exec N`) run
/// in, made when the VM boots and gone when it stops (docs/decisions.md,
/// "A VM is a sandbox").
///
/// Three processes per VM:
/// - the guest kernel starts the **holder** (`vlm guest --sandbox`, in the
///   guest's process group, parent-death signal on the guest), which takes a
///   mount namespace and a PID namespace owned by the host, lays the VM's views
///   over `/dev`, `/sys`, `/proc` and hides the platform (``VMNamespace``);
/// - the holder starts the VM's **init** (`vlm guest --sandbox-init`), PID 1 of
///   the new PID namespace: it mounts the VM's procfs, takes a user namespace
///   (every id mapped to itself, by the holder), then network, IPC, UTS and a
///   second mount namespace owned by it (so the hiding mounts are locked),
///   names the host after the VM's `label`, brings `lo` up, starts `vl,init`
///   and reaps every orphan until the VM stops;
/// - `vlm exec N` joins init's namespaces (``enter(guestPID:)``) and starts
///   the command there.
///
/// When the guest ends, the holder gets SIGKILL (parent death), init gets it
/// from the holder's death, and the kernel kills everything left in the PID
/// namespace: the namespaces and their mounts go with the last process.
public enum VMSandbox {
    /// The VM's own procfs (of its PID namespace), held by the guest kernel for
    /// the `exec-proc/` view; nil until the sandbox is up.
    public static let procRoot = Mutex<SharedFD?>(nil)

    /// Every namespace of the VM's init, joined by `vlm exec`.
    static let all: NamespaceKinds = [.user, .mount, .pid, .network, .ipc, .uts]

    // MARK: the guest kernel's half

    /// Starts the holder of VM `vm`'s sandbox (views at `views`, platform run
    /// directory `runDirectory`), with `vl,init` `command` (nil: none), and
    /// returns: the sandbox comes up beside the running VM. A thread waits until
    /// its init is ready, opens the VM's procfs into ``procRoot`` and lets init
    /// go on (init names itself `vm<N>:init` then, which `vlm exec` waits for).
    static func start(
        _ vm: VMConfig, views: String, runDirectory: String, command: [String]?, console: GuestConsole
    ) throws -> ChildProcess {
        let executable = try ProcessInfo.executablePath()
        let devNull = try FileSystem.openReadOnly("/dev/null")
        var arguments = [
            "vlm", "guest", "--sandbox", "--supervisor", "\(ProcessInfo.currentID)", "--id", "\(vm.id)",
            "--name", vm.name, "--views", views, "--run-dir", runDirectory,
        ]
        if let command, !command.isEmpty { arguments += ["--"] + command }
        let channel: ControlSocket
        let holder: ChildProcess
        do {  // the holder's end closes here: its death reads as end of stream
            let (ours, holderEnd) = try ControlSocket.pair()
            channel = ours
            holder = try ChildProcess.spawn(
                executable: executable, arguments: arguments,
                descriptors: [devNull.rawValue, 1, 2, holderEnd.rawValue], newProcessGroup: false)
        }
        let holderPID = holder.pid
        try DetachedThread.start { awaitInit(channel, holderPID: holderPID, vm: vm.id, console: console) }
        return holder
    }

    /// The guest's side of the sandbox's start: the holder's `ready`, then the
    /// VM's procfs (the `exec-proc/` view lists it) opened before init goes on.
    private static func awaitInit(_ channel: ControlSocket, holderPID: Int32, vm: Int, console: GuestConsole) {
        guard let ready = try? channel.receiveBlocking(), ready.bytes == [1] else {
            console.write("vm\(vm): the sandbox did not come up (see the lines above)")
            return
        }
        do {
            let proc = SharedFD(
                adopting: try Namespaces.openDirectory(
                    "/proc/\(holderPID)/root/proc/\(VMNamespace.hostProcEntry)"))
            procRoot.withLock { $0 = proc }
            try channel.send([1])
        } catch {
            console.write("vm\(vm): sandbox: \(error)")
        }
    }

    // MARK: the holder (`vlm guest --sandbox`)

    /// The holder: new mount and PID namespaces, the VM's views laid out, then
    /// init started and given its id maps; says `ready` on fd 3 (a control
    /// socket), lets init go on when the guest answers, and waits for init.
    public static func hold(
        guestPID: Int32, id: Int, label: String, views: String, runDirectory: String, command: [String]
    ) -> GuestExit {
        guard (try? ParentDeath.arm(expectedParent: guestPID)) == true else { return .orphaned }
        try? ProcessInfo.setName("vm\(id):sandbox")
        let console = GuestConsole(vm: id)
        do {
            let executable = try ProcessInfo.executablePath()
            let hostProc = try Namespaces.openDirectory("/proc")
            try Namespaces.unshare([.mount, .pid])
            let staging = try VMNamespace.prepare(views: views, runDirectory: runDirectory)
            let devNull = try FileSystem.openReadOnly("/dev/null")
            let toHolder: SharedFD
            let fromHolder: SharedFD
            let initProcess: ChildProcess
            do {
                let up = try Pipe()
                let down = try Pipe()
                (toHolder, fromHolder) = (up.readEnd, down.writeEnd)
                initProcess = try ChildProcess.spawn(
                    executable: executable,
                    arguments: [
                        "vlm", "guest", "--sandbox-init", "--supervisor", "0", "--id", "\(id)", "--name", label,
                        "--views", staging, "--run-dir", runDirectory,
                    ]
                        + (command.isEmpty ? [] : ["--"] + command),
                    descriptors: [devNull.rawValue, 1, 2, up.writeEnd.rawValue, down.readEnd.rawValue],
                    newProcessGroup: false)
            }
            guard try awaitByte(toHolder) else { return report(initProcess, console) }
            try Namespaces.mapIdentity(of: initProcess.pid, procfs: hostProc)
            try fromHolder.writeAll([1])
            guard try awaitByte(toHolder) else { return report(initProcess, console) }
            // Ready to the guest; its answer (it holds the VM's procfs) lets init start vl,init.
            let guest = ControlSocket(adopting: try OwnedFD.duplicate(of: 3))
            try guest.send([1])
            guard let go = try guest.receiveBlocking(), go.bytes == [1] else { return .orphaned }
            try fromHolder.writeAll([1])
            return report(initProcess, console)
        } catch {
            console.write("vm\(id): sandbox: \(error)")
            return .bootFailed
        }
    }

    /// Reads one byte; false at end of file.
    private static func awaitByte(_ fd: SharedFD) throws(SyscallError) -> Bool {
        guard case .processed(let bytes) = try fd.read(upTo: 1) else { return false }
        return bytes == [1]
    }

    /// Waits for init and reports how it ended (it runs until the VM stops).
    private static func report(_ initProcess: ChildProcess, _ console: GuestConsole) -> GuestExit {
        guard let status = try? initProcess.wait() else { return .bootFailed }
        if status != .exited(0) { console.write("vm\(console.vm): sandbox init \(status)") }
        return status == .exited(0) ? .ok : .bootFailed
    }

    // MARK: `vlm exec`

    /// Joins every namespace of the sandbox of VM `vm`, whose guest kernel is
    /// `guestPID`, waiting (up to `timeout`) for it to be up: the caller's
    /// children are the VM's programs. The caller must be single-threaded
    /// (joining a user namespace).
    public static func enter(vm: Int, guestPID: Int32, timeout: Duration = .seconds(10)) throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var initPID = initProcess(vm: vm, ofGuest: guestPID)
        while initPID == nil, clock.now < deadline {
            ProcessInfo.sleep(for: .milliseconds(5))
            initPID = initProcess(vm: vm, ofGuest: guestPID)
        }
        guard let initPID else { throw RuntimeError.refused("the VM's sandbox is not up (is it running?)") }
        let pidfd = try Namespaces.openProcess(initPID)
        try Namespaces.join(all, of: pidfd)
    }

    /// The host pid of the init of VM `vm`'s sandbox, whose guest kernel is
    /// `guestPID`, once it is ready: the grandchild that is PID 1 of its own PID
    /// namespace and has named itself `vm<N>:init`.
    static func initProcess(vm: Int, ofGuest guestPID: Int32) -> Int32? {
        for holder in children(of: guestPID) {
            for candidate in children(of: holder)
            where isNamespaceInit(candidate) && name(of: candidate) == initName(vm) {
                return candidate
            }
        }
        return nil
    }

    /// The process name init takes once the VM's programs may start.
    static func initName(_ vm: Int) -> String { "vm\(vm):init" }

    private static func name(of pid: Int32) -> String {
        let text = String(decoding: (try? FileSystem.readFile("/proc/\(pid)/comm")) ?? [], as: UTF8.self)
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    private static func children(of pid: Int32) -> [Int32] {
        let tasks = (try? FileSystem.listDirectory("/proc/\(pid)/task")) ?? []
        return tasks.flatMap { task -> [Int32] in
            let text = (try? FileSystem.readFile("/proc/\(pid)/task/\(task)/children")) ?? []
            return String(decoding: text, as: UTF8.self).split(separator: " ").compactMap { Int32($0) }
        }
    }

    /// Whether `pid` is PID 1 of a namespace below ours (`NSpid:` ends in 1).
    private static func isNamespaceInit(_ pid: Int32) -> Bool {
        let text = String(decoding: (try? FileSystem.readFile("/proc/\(pid)/status")) ?? [], as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("NSpid:") }) else { return false }
        let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst()
        return fields.count >= 2 && fields.last == "1"
    }
}
