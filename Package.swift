// swift-tools-version:6.2
// SPDX-License-Identifier: Apache-2.0
import PackageDescription

let atomics = Target.Dependency.product(name: "Atomics", package: "swift-atomics")
let system = Target.Dependency.product(name: "SystemPackage", package: "swift-system")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "vlm",
    products: [
        .executable(name: "vlm", targets: ["vlm"]),
        .library(name: "DeviceTree", targets: ["DeviceTree"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // C shims: the only C code of the project.
        .target(name: "CVPlat", cSettings: [.define("_GNU_SOURCE")]),
        .systemLibrary(name: "CFuse3", pkgConfig: "fuse3", providers: [.apt(["libfuse3-dev"])]),

        // Pure libraries: no libc, no Foundation.
        .target(name: "DeviceTree"),
        .target(name: "PlatformModel", dependencies: ["DeviceTree"]),
        .target(name: "PlatformViews"),

        // The one place that touches raw memory and syscalls.
        .target(
            name: "PlatformSys",
            dependencies: ["CVPlat", system, atomics],
            swiftSettings: [.strictMemorySafety()]
        ),
        // The host file system as the compiler's SourceFileReader: neither
        // DeviceTree (no I/O) nor PlatformSys (no compiler) holds it.
        .target(name: "DeviceTreeHost", dependencies: ["DeviceTree", "PlatformSys", system]),

        // The hypervisor: repository, xirqs, NKDDI, supervisor and guest kernel.
        .target(name: "Platform", dependencies: ["PlatformModel", "PlatformSys"]),
        // The driver kit: VLINK_LIB(4D), the vlink wrapper library every vdriver is written on.
        .target(name: "VlinkLib", dependencies: ["Platform"]),
        // The kernel transports the peripheral drivers ride on: VRPC, VSMQ, VMBOX (VMQ next).
        .target(name: "Transports", dependencies: ["Platform", "VlinkLib"]),
        // The vdrivers: the device kit, the pipe kit, one folder per driver.
        .target(name: "VDrivers", dependencies: ["Platform", "PlatformViews", "PlatformSys", "VlinkLib"]),
        // The guest kernel's own views: /proc/nk, /sys/nk, the console.
        .target(name: "NKViews", dependencies: ["Platform", "PlatformSys", "PlatformViews", "DeviceTree"]),
        .target(
            name: "PlatformFUSE",
            dependencies: ["PlatformViews", "PlatformSys", "CFuse3"],
            swiftSettings: [.strictMemorySafety()]
        ),
        .target(name: "PlatformTestSupport", dependencies: ["DeviceTree", "DeviceTreeHost", "PlatformSys"]),
        // vlm's command line: its subcommands and the guest's wiring; `vlm` runs it.
        .target(
            name: "VLMCommands",
            dependencies: [
                "DeviceTree", "DeviceTreeHost", "PlatformModel", "PlatformSys", "Platform", "VDrivers", "NKViews",
                "PlatformViews", "PlatformFUSE", argumentParser,
            ],
            resources: [.embedInCode("Resources/demo.dts")]
        ),
        .executableTarget(name: "vlm", dependencies: ["VLMCommands"]),
        // Test-only tools (no product: `swift build` builds it for the tests and
        // Scripts/bench): `run` and `guest` of vlm with NKDDI scripts inside the
        // VMs, `nkddi-probe`, `fuse-demo`. The shipped `vlm` has none of them.
        .executableTarget(
            name: "vlm-testkit",
            dependencies: [
                "VLMCommands", "Platform", "PlatformSys", "PlatformViews", "PlatformFUSE", "Transports", argumentParser,
            ]
        ),

        .testTarget(
            name: "DeviceTreeTests", dependencies: ["DeviceTree", "PlatformTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "PlatformModelTests", dependencies: ["PlatformModel", "DeviceTree", "PlatformTestSupport"]),
        .testTarget(name: "PlatformSysTests", dependencies: ["PlatformSys", "PlatformTestSupport", atomics]),
        .testTarget(
            name: "PlatformTests", dependencies: ["Platform", "PlatformModel", "PlatformSys", "PlatformTestSupport"]),
        .testTarget(
            name: "VDriversTests",
            dependencies: [
                "VDrivers", "VlinkLib", "Transports", "Platform", "PlatformViews", "PlatformFUSE", "PlatformSys",
                "PlatformTestSupport",
            ]
        ),
        .testTarget(
            name: "NKViewsTests",
            dependencies: [
                "NKViews", "Platform", "PlatformFUSE", "PlatformModel", "PlatformSys", "PlatformViews", "DeviceTree",
                "PlatformTestSupport",
            ]
        ),
        .testTarget(name: "PlatformViewsTests", dependencies: ["PlatformViews"]),
        .testTarget(name: "PlatformFUSETests", dependencies: ["PlatformFUSE", "PlatformViews", "PlatformTestSupport"]),
        .testTarget(name: "VLMTests", dependencies: ["PlatformTestSupport", "Platform", "PlatformSys"]),
    ]
)

// The same upcoming features everywhere (swift-log / swift-subprocess style).
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
