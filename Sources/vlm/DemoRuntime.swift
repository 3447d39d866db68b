// SPDX-License-Identifier: Apache-2.0
import Platform

/// The runtime view of the embedded demo (`Configs/demo.dts`): its VMs with
/// their labels, console colours and `vl,restart` policies. A stand-in until
/// `vlm run` builds every `RuntimeConfig` from the platform model; keep it in
/// step with `Configs/demo.dts`.
enum DemoRuntime {
    static let config = RuntimeConfig(name: "demo", vms: [
        VMConfig(id: 2, name: "server", color: "green", restart: .onCrash),
        VMConfig(id: 3, name: "client", color: "cyan", restart: .onCrash),
        VMConfig(id: 4, name: "peer", color: "yellow", restart: .never),
    ])
}
