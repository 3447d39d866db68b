// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation
import NKViews
import Platform
import PlatformFUSE
import PlatformModel
import PlatformSys
import PlatformTestSupport
import PlatformViews
import Synchronization
import Testing

/// The demo platform (`Configs/demo.dts`: VMs 2, 3, 4) in one test process:
/// the repository in real POSIX shared memory, each VM with its own mappings,
/// NKDDI, vdrivers and views, each VM's views mounted through FUSE at
/// `<tmp>/vm<N>` as `vlm run` mounts them. Lifecycle hypercalls change the VM
/// state words as the supervisor does.
final class ViewsPlatform: @unchecked Sendable {
    let directory: String
    let tree: DeviceTree
    let blob: [UInt8]
    let supervisor: Repository
    private(set) var vms: [NkOsId: (nkddi: NKDDI, views: VMViews, mount: ViewMount)] = [:]
    private let objects: (repo: SharedMemory, pmem: SharedMemory)
    let hypervisor: StateHypervisor

    /// - Parameter source: the platform's `.dts` text (default: `Configs/demo.dts`).
    init(source: String? = nil) throws {
        if let source {
            let file = NSTemporaryDirectory() + "vlm-views-\(UUID().uuidString).dts"
            try source.write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            tree = try ConfigFixtures.compile(file)
        } else {
            tree = try ConfigFixtures.compile(ConfigFixtures.configPath("demo.dts"))
        }
        blob = DTB.encode(tree)
        guard let spec = PlatformBuilder.build(tree).0 else { throw ViewsPlatformError.badConfig }
        let input = RepositoryInput(spec: spec, blobs: ["nk.vlm-dtb": blob], pmemSize: 4 << 20)
        let sizes = Repository.regionSizes(for: input)
        objects = (
            try SharedMemory.anonymous(label: "views-repo", size: sizes.repo),
            try SharedMemory.anonymous(label: "views-pmem", size: sizes.pmem)
        )
        supervisor = Repository.format(input, repo: try objects.repo.map(), pmem: try objects.pmem.map())
        hypervisor = StateHypervisor(supervisor)
        directory = NSTemporaryDirectory() + "vlm-views-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var consoleDoorbells: [NkOsId: EventFD] = [:]
        for id in supervisor.vmIDs { consoleDoorbells[id] = try EventFD(nonBlocking: true) }
        for id in supervisor.vmIDs {
            supervisor.vmDidStart(id)
            let repository = Repository(repo: try objects.repo.map(), pmem: try objects.pmem.map())
            let fanOut = ConsoleFanOut(vm: id, repository: supervisor, doorbells: consoleDoorbells)
            let nkddi = NKDDI(
                repository: repository, id: id, doorbells: [:], hypervisor: hypervisor, consoleBell: fanOut)
            let views = VMViews(nkddi: nkddi, consoleDoorbell: consoleDoorbells[id]!)
            let path = "\(directory)/vm\(id)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            vms[id] = (nkddi, views, try ViewMount(views.root, at: path))
        }
    }

    deinit {
        for vm in vms.values { vm.mount.unmount() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `<tmp>/vm<id>/<relative>`.
    func path(_ id: NkOsId, _ relative: String) -> String { "\(directory)/vm\(id)/\(relative)" }

    /// The bytes of a view file, read by `cat` (a real process).
    func cat(_ id: NkOsId, _ relative: String) throws -> String {
        let result = try ViewShell.run(["cat", path(id, relative)])
        #expect(result.status == 0, "cat \(relative): \(result.error)")
        return result.output
    }
}

/// The supervisor's side of lifecycle hypercalls: the VM state words change at once.
final class StateHypervisor: HypercallChannel {
    let repository: Repository
    let calls = Mutex<[Hypercall]>([])

    init(_ repository: Repository) { self.repository = repository }

    func hypercall(_ call: Hypercall) -> HypercallResult {
        calls.withLock { $0.append(call) }
        switch call {
        case .start(let vm): repository.vmDidStart(vm, isRestart: true)
        case .restart(let vm):
            repository.vmDidStop(vm)
            repository.vmDidStart(vm, isRestart: true)
        case .stop(let vm): repository.vmDidStop(vm)
        case .suspend(let vm): repository.vmDidPause(vm, true)
        case .resume(let vm): repository.vmDidPause(vm, false)
        }
        return .done
    }
}

/// The supervisor's side of `nk_cons_write`'s console bell: ring the console
/// doorbell of every VM with a reader waiting for VM `vm`'s console.
final class ConsoleFanOut: XirqDoorbell {
    let vm: NkOsId
    let repository: Repository
    let doorbells: [NkOsId: EventFD]

    init(vm: NkOsId, repository: Repository, doorbells: [NkOsId: EventFD]) {
        self.vm = vm
        self.repository = repository
        self.doorbells = doorbells
    }

    func ring() {
        let watchers = repository.takeConsoleWatchers(vm)
        for (id, bell) in doorbells where watchers & (1 << id) != 0 { try? bell.signal() }
    }
}

/// A finished process.
struct ViewShellResult {
    let status: Int32
    let output: String
    let error: String
}

/// Runs real processes against the mounts.
enum ViewShell {
    static func run(_ arguments: [String], input: String? = nil, timeout: Double = 20) throws -> ViewShellResult {
        // Output through files (ProcessRunner), never pipes: see ProcessRunner.start.
        let outcome = try ProcessRunner.run(
            "/usr/bin/timeout", ["-s", "KILL", String(timeout), "/usr/bin/env"] + arguments, timeout: timeout + 10)
        return ViewShellResult(status: outcome.status, output: outcome.outputText, error: outcome.standardError)
    }

    /// Writes `text` to `path` in one `write(2)` from a real process; status 0 or 1
    /// with the errno's name on standard error.
    static func write(_ path: String, _ text: String) throws -> ViewShellResult {
        let script = """
            import errno, os, sys
            try:
                fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
                os.write(fd, sys.argv[2].encode("latin-1"))
                os.close(fd)
            except OSError as e:
                sys.stderr.write(errno.errorcode[e.errno]); sys.exit(1)
            """
        return try run(["python3", "-c", script, path, text])
    }

    static func sh(_ script: String, timeout: Double = 20) throws -> ViewShellResult {
        try run(["sh", "-c", script], timeout: timeout)
    }
}

enum ViewsPlatformError: Error { case badConfig }
