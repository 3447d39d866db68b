// SPDX-License-Identifier: Apache-2.0

/// The strings the hypervisor reports about itself (`nk.version.*`, `nk.build-id`).
public struct HypervisorIdentity: Sendable, Hashable {
    public var hypervisor: String
    public var buildID: String
    public var buildDate: String
    public var compiler: String
    public var bsp: String
    public var bspBuildDate: String
    public var bspCompiler: String

    public init(
        hypervisor: String = "vlm-0.1", buildID: String = "vlm-0.1", buildDate: String = "",
        compiler: String = "swift", bsp: String = "linux-host", bspBuildDate: String = "", bspCompiler: String = "swift"
    ) {
        self.hypervisor = hypervisor
        self.buildID = buildID
        self.buildDate = buildDate
        self.compiler = compiler
        self.bsp = bsp
        self.bspBuildDate = bspBuildDate
        self.bspCompiler = bspCompiler
    }
}

/// The feature names of `nk.features.*` (manual lines 13183–13247). Bit i of the
/// 64-bit masks is the i-th name of ``all``.
public enum HypervisorFeatures {
    public static let all = [
        "UART", "RAM_CONSOLE", "CPU_USAGE", "VDEV_VGIC_V2", "PM_CPU_HOTPLUG", "PM_S2R", "VDEV_FIXUP", "VDEV_PSCI",
        "VDEV_ARMVX_TIMER", "VDEV_NULL", "BALLOON", "DEBUG", "PCOV", "GCOV", "VDEV_VGIC_V3", "INSTRUMENT", "HTFVBR",
        "TIMING", "TIMING_TRACE", "PM_CPU_LPM", "PM_WAKEUP_IRQ", "VM_PM", "VDEV",
    ]
    /// What a simulator on a Linux host provides: a console with history, and vdevs.
    public static let on = ["UART", "RAM_CONSOLE", "VDEV"]
    public static var off: [String] { all.filter { !on.contains($0) } }

    /// The features on for a platform: `on`, plus `BALLOON` when it configures a
    /// balloon region; in the order of ``all``.
    public static func on(balloon: Bool) -> [String] { all.filter { on.contains($0) || (balloon && $0 == "BALLOON") } }
    /// The features off for a platform (the complement of `on(balloon:)`).
    public static func off(balloon: Bool) -> [String] { all.filter { !on(balloon: balloon).contains($0) } }

    static func mask(_ names: [String]) -> UInt64 {
        names.reduce(UInt64(0)) { mask, name in
            all.firstIndex(of: name).map { mask | 1 << UInt64($0) } ?? mask
        }
    }
}

extension PlatformBuilder {
    /// The hypervisor's own properties for these VMs, in the order `/proc/nk/props` lists them.
    /// `balloon`: the platform configures a balloon region (`nk.features.on` lists `BALLOON`).
    public static func builtInProperties(
        for vms: [VMSpec], identity: HypervisorIdentity = HypervisorIdentity(), balloon: Bool = false
    ) -> [PropertySpec] {
        var list = identityProperties(identity, balloon: balloon) + hypervisorProperties(firstVM: vms.first?.id)
        for vm in vms { list += vmProperties(vm) }
        return list
    }

    private static func identityProperties(_ id: HypervisorIdentity, balloon: Bool) -> [PropertySpec] {
        let on = HypervisorFeatures.on(balloon: balloon)
        let off = HypervisorFeatures.off(balloon: balloon)
        let strings: [(String, String, BuiltInProperty)] = [
            ("nk.build-id", id.buildID, .buildID),
            ("nk.version.hypervisor", id.hypervisor, .versionHypervisor),
            ("nk.version.build-date", id.buildDate, .versionBuildDate),
            ("nk.version.compiler", id.compiler, .versionCompiler),
            ("nk.version.bsp", id.bsp, .versionBSP),
            ("nk.version.bsp-build-date", id.bspBuildDate, .versionBSPBuildDate),
            ("nk.version.bsp-compiler", id.bspCompiler, .versionBSPCompiler),
            ("nk.features.all-str", HypervisorFeatures.all.joined(separator: " "), .featuresAllString),
            ("nk.features.on-str", on.joined(separator: " "), .featuresOnString),
            ("nk.features.off-str", off.joined(separator: " "), .featuresOffString),
        ]
        let masks: [(String, UInt64, BuiltInProperty)] = [
            ("nk.features.all", HypervisorFeatures.mask(HypervisorFeatures.all), .featuresAll),
            ("nk.features.on", HypervisorFeatures.mask(on), .featuresOn),
            ("nk.features.off", HypervisorFeatures.mask(off), .featuresOff),
        ]
        // Strings are NUL-terminated without a linefeed, as nk.build-id is (manual line 13163).
        return strings.map { readOnly($0.0, nulTerminated($0.1), $0.2) }
            + masks.map { readOnly($0.0, littleEndian($0.1, bytes: 8), $0.2) }
    }

    private static func hypervisorProperties(firstVM: Int?) -> [PropertySpec] {
        [
            // '1' (0x31): errors are ignored; the /proc/nk/props example shows 31 (manual line 14105).
            readOnly("nk.error.ignore-alloc-after-boot", [0x31, 0, 0, 0], .errorIgnoreAllocAfterBoot),
            readOnly("nk.error.ignore-non-allowed-io-sharing", [0x31, 0, 0, 0], .errorIgnoreNonAllowedIOSharing),
            readOnly("nk.memory.heap.free", nil, .memoryHeapFree, size: 8),
            readOnly("nk.memory.heap.used", nil, .memoryHeapUsed, size: 8),
            readOnly("nk.memory.pmem.free", nil, .memoryPMEMFree, size: 8),
            readOnly("nk.memory.pmem.used", nil, .memoryPMEMUsed, size: 8),
            PropertySpec(name: "nk.cpus.online", size: 4, allowNotify: .all, origin: .builtIn(.cpusOnline)),
            // 'P': monitoring off, the default (manual lines 13262, 13683).
            PropertySpec(
                name: "nk.monitoring.enable", size: 4, value: [0x50, 0, 0, 0], allowSet: .all,
                origin: .builtIn(.monitoringEnable)),
            // The event-log filter as the manual's 160-bit mask, for saving and
            // restoring it (line 13603); live, writable by all like filter-set/clr.
            PropertySpec(name: "nk.event-log.filter", size: 20, allowSet: .all, origin: .builtIn(.eventLogFilter)),
            // One byte holding the VM id that owns input and display (manual line 13429).
            PropertySpec(
                name: "nk.focus", size: 1, value: firstVM.map { [UInt8(truncatingIfNeeded: $0)] }, allowSet: .all,
                allowNotify: .all, origin: .builtIn(.focus)),
            readOnly("nk.vlm-dtb", nil, .vlmDTB, size: 0),
        ]
    }

    private static func vmProperties(_ vm: VMSpec) -> [PropertySpec] {
        let id = vm.id
        return [
            // Bit 0 running/paused, bits 1… the transition count (manual lines 13324–13330).
            PropertySpec(
                name: "nk.vm.\(id).state.running", size: 4, value: [0, 0, 0, 0], allowSet: .all, allowNotify: .all,
                origin: .builtIn(.vmRunning(id))),
            PropertySpec(
                name: "nk.vm.\(id).state.paused", size: 4, value: [0, 0, 0, 0], allowSet: .all, allowNotify: .all,
                origin: .builtIn(.vmPaused(id))),
            PropertySpec(
                name: "nk.vm.\(id).cpus", size: 4, value: vm.cpuMask.map { littleEndian(UInt64($0), bytes: 4) },
                allowNotify: .all, origin: .builtIn(.vmCPUs(id))),
            // Set by the VM itself once booted: `rwn` for it, `r-n` for the others (manual line 14103).
            PropertySpec(
                name: "nk.vm.\(id).bootcomplete", size: 4, allowSet: .only([id]), allowNotify: .all,
                origin: .builtIn(.vmBootComplete(id))),
            readOnly("nk.vm.\(id).vplatform-dtb", nil, .vmPlatformDTB(id), size: 0),
        ]
    }

    private static func readOnly(_ name: String, _ value: [UInt8]?, _ which: BuiltInProperty, size: Int? = nil)
        -> PropertySpec
    {
        PropertySpec(name: name, size: size ?? value?.count ?? 0, value: value, origin: .builtIn(which))
    }

    private static func nulTerminated(_ text: String) -> [UInt8] { Array(text.utf8) + [0] }
}

/// `value` as `bytes` little-endian bytes: the byte order of the NK targets and of this host.
func littleEndian(_ value: UInt64, bytes: Int) -> [UInt8] {
    (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
}
