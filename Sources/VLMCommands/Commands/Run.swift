// SPDX-License-Identifier: Apache-2.0
package import ArgumentParser
import DeviceTree
import Platform
import PlatformModel
import PlatformSys

/// `vlm run [CONFIG] [--run-dir DIR]`: boot the platform in the foreground.
package struct Run: ParsableCommand {
    package static let configuration = CommandConfiguration(
        abstract: "Boot the platform in the foreground (the embedded demo without CONFIG).",
        discussion: """
            One `vlm guest` process per VM; every VM's console is streamed here, each line \
            tagged with the VM's name. What you type goes to the VM that has the focus \
            (nk.focus). Ctrl-C or SIGTERM stops every VM and removes everything the run \
            created; if vlm run is killed (kill -9), its reaper (`vlm reaper`) does. \
            DIR/ready appears once every VM runs and holds vlm run's pid. A bad CONFIG gives \
            file:line:col: error: … and exit status 2.
            """)

    @OptionGroup var platform: PlatformOptions

    @OptionGroup var runDirectory: RunDirectoryOption

    @Flag(inversion: .prefixedNo, help: "Colour the VM tags (default: when stdout is a terminal).")
    var colour: Bool?

    @Flag(help: .hidden) var noInit = false

    package init() {}

    package func run() throws {
        let (spec, tree) = try platform.loadWithTree()
        var config = RuntimeConfig(name: platform.configName, spec: spec, blobs: Self.blobs(spec, tree))
        config.startsInit = !noInit
        let directory = runDirectory.resolve(configName: config.name)
        do {
            let output = try OwnedFD.duplicate(of: 1)
            let supervisor = try Supervisor(config: config, runDirectory: directory, output: output, colour: colour)
            try supervisor.run()
        } catch let error as RuntimeError {
            throw RuntimeFailure(error.description)
        } catch let error as SyscallError {
            throw RuntimeFailure("\(error)")
        }
    }

    /// The device-tree properties the runtime builds: `nk.vlm-dtb` (the whole
    /// platform tree) and each VM's `nk.vm.<id>.vplatform-dtb` (DT(4D)).
    static func blobs(_ spec: PlatformSpec, _ tree: DeviceTree) -> [String: [UInt8]] {
        var blobs = ["nk.vlm-dtb": DTB.encode(tree)]
        for vm in spec.vms {
            guard let path = vm.vplatformPath, let node = tree.node(atPath: path) else { continue }
            let root = Node(name: "")
            root.properties = node.properties
            root.children = node.children
            blobs["nk.vm.\(vm.id).vplatform-dtb"] = DTB.encode(DeviceTree(root: root))
        }
        return blobs
    }
}
