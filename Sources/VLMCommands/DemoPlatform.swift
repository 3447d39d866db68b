// SPDX-License-Identifier: Apache-2.0

/// The embedded demo platform (`Configs/demo.dts`), booted when `vlm run` has no config.
enum DemoPlatform {
    static let fileName = "demo.dts"
    static var source: [UInt8] { PackageResources.demo_dts }
}
