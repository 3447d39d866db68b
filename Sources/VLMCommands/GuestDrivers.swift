// SPDX-License-Identifier: Apache-2.0
import NKViews
import Platform
import PlatformFUSE
import PlatformSys
import PlatformViews
import Synchronization
import VDrivers

/// What a guest kernel runs beside NKDDI: its views (`DIR/vm<N>`, a FUSE mount
/// with `dev/`, `proc/nk/`, `sys/nk/`) and its vdrivers, whose nodes go into
/// those views. Mounted in the boot hook, so before the guest says `ready` and
/// so before `DIR/ready`; unmounted by the stop hook, and by `auto_unmount`
/// when the process dies any other way.
final class GuestDrivers: Sendable {
    let views: VMViews
    let drivers: VDriverSet
    let mount: ViewMount

    /// The running guest's drivers, for the stop hook.
    static let current = Mutex<GuestDrivers?>(nil)

    /// Builds the views, probes the vdrivers into them and mounts them at `DIR/vm<N>`.
    init(_ environment: GuestEnvironment, supervisor: Int32) throws {
        let runDirectory = RunDirectory(path: environment.manifest.runDirectory)
        let host = HostAccounting(processes: { Self.processes(runDirectory, supervisor: supervisor) })
        views = VMViews(nkddi: environment.nkddi, consoleDoorbell: environment.consoleDoorbell, host: host)
        ExecProcView.add(to: views)
        drivers = VDriverRegistry.boot(
            VDriverContext(
                nkddi: environment.nkddi, dev: views.dev, procNK: views.procNK, log: { environment.log($0) }))
        let path = Self.mountPoint(runDirectory: runDirectory.path, vm: environment.id)
        // A mount a killed guest's watcher has not removed yet goes first: on its dead
        // mount point `mkdir` says EEXIST and `stat` ENOTCONN, so the restart failed.
        _ = FUSESupport.detachMount(path)
        try FileSystem.createDirectory(path)
        mount = try ViewMount(views.root, at: path, options: Self.mountOptions(environment.nkddi))
    }

    /// The views' mount options: device requests are held while the VM is
    /// paused and served by its dispatcher once it plays again.
    static func mountOptions(_ nkddi: NKDDI) -> ViewMountOptions {
        let dispatcher = nkddi.dispatcher
        var options = ViewMountOptions()
        options.deviceGate = DeviceGate(isClosed: { dispatcher.isPaused }, whenOpen: { dispatcher.whenPlaying($0) })
        return options
    }

    /// `DIR/vm<N>`.
    static func mountPoint(runDirectory: String, vm: Int) -> String { "\(runDirectory)/vm\(vm)" }

    /// Orderly stop: vlink ends OFF, then the mount goes.
    func stop() {
        drivers.stop()
        mount.unmount()
    }

    /// The process group leader of each running VM (from `vlm status`) and the supervisor.
    static func processes(_ runDirectory: RunDirectory, supervisor: Int32) -> (vms: [NkOsId: Int32], hypervisor: Int32?)
    {
        guard case .status(let report)? = try? RuntimeClient.send(.status, to: runDirectory) else {
            return ([:], supervisor)
        }
        var vms: [NkOsId: Int32] = [:]
        for vm in report.vms { if let pid = vm.pid { vms[NkOsId(vm.id)] = pid } }
        return (vms, supervisor)
    }
}
