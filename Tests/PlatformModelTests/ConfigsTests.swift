// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import PlatformModel
import PlatformTestSupport
import Testing

/// Every platform of `Configs/` builds without a diagnostic and makes the
/// vlinks its (4D) page describes (`name link client->server`, repository order).
@Suite struct ConfigsTests {
    static let expected: [String: [String]] = [
        "demo.dts": ["vpipe 0 2->3", "vbpipe 0 4->3", "vbpipe 0 3->4"],
        "vpipe.dts": ["vpipe 0 3->2"],
        "vbpipe.dts": ["vbpipe 0 3->2", "vbpipe 0 2->3", "vbpipe 1 4->2", "vbpipe 1 2->4"],
        "vrpq-vogl.dts": ["vogl 0 3->2", "vogl 1 4->2"],
        "vrpc.dts": ["vrpc 0 3->2", "vrpc 1 4->2"],
        "svec.dts": ["vl,hypevent.v1 0 2->1", "vl,hypevent.v1 1 3->1"],
        "vevent.dts": ["vevent 0 3->2"],
        "vaudio.dts": ["vaudio 0 3->2"],
        "veth.dts": ["veth2 0 3->2", "veth2 0 2->3"],
        "vbd2.dts": ["vbd2 0 3->2", "vbd2 0 2->3"],
        "vbufq.dts": ["bufq 0 3->2", "bufq 0 2->3"],
        "vclk.dts": ["vrpc 0 3->2", "vrpc 1 3->2"],
        "vfence2.dts": ["vfence2 0 3->2", "vfence2 0 2->3", "vfence2 1 2->2"],
        "vg2d.dts": ["vrpc 0 3->2", "vrpc 1 3->2"],
        "vi2c.dts": ["vi2c5 0 3->2", "vi2c5 0 2->3"],
        "vion.dts": ["vrpc 0 3->2", "vrpc 1 2->3"],
        "vpd.dts": ["vrpc 0 3->2"],
        "vrtc.dts": ["vrpc 0 3->2", "vrpc 1 4->2"],
        "vthermal.dts": ["vrpc 0 3->2", "vrpc 1 3->2"],
        "vvideo2.dts": ["vvideo2 0 3->2", "vvideo2 0 2->3"],
        "vwatchdog.dts": [],
        "cpu-handover.dts": [],
        "panic-trigger.dts": [],
        "docile-clock.dts": [],
        "vm-memory-hotplug.dts": [],
        "balloon.dts": [],
    ]

    static func build(_ name: String) throws -> (PlatformSpec?, [Diagnostic]) {
        PlatformBuilder.build(try ConfigFixtures.compile(ConfigFixtures.configPath(name)))
    }

    @Test func everyConfigHasExpectations() {
        #expect(Set(ConfigFixtures.configNames) == Set(Self.expected.keys))
    }

    @Test(arguments: expected.keys.sorted())
    func configMakesItsVlinks(_ name: String) throws {
        let (spec, diagnostics) = try Self.build(name)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
        #expect(spec?.vlinks.map(\.summary) == Self.expected[name])
    }

    @Test func demoHasThreeVMsWithInitProgramsAndThePanicTrigger() throws {
        let spec = try #require(try Self.build("demo.dts").0)
        #expect(spec.vms.map(\.name) == ["producer", "consumer", "echo"])
        #expect(spec.vms.allSatisfy { $0.initArgv.first == "/bin/sh" && $0.initArgv.count == 3 })
        #expect(spec.vms[0].initArgv[2].contains("/dev/vpipe0"))
        #expect(spec.vms[1].initArgv[2].contains("/dev/vpipe0") && spec.vms[1].initArgv[2].contains("/dev/vbpipe0"))
        #expect(spec.vms[2].initArgv[2].contains("/dev/vbpipe0"))
        let trigger = try #require(spec.property(named: "nk.panic-trigger"))
        #expect(trigger.size == 1 && trigger.allowSet == .all && trigger.allowNotify == .all)
        #expect(spec.vlinks[0].serverInfo == "8K")
        #expect(spec.vlinks[1].isSymmetric && spec.vlinks[1].serverInfo == ";16K")
    }

    @Test func infoListsJoinIntoOneString() throws {
        let spec = try #require(try Self.build("vbd2.dts").0)
        #expect(spec.vlinks[0].serverInfo.hasPrefix("16,,db,be bootargs: vbd2_dma=0 vbd2=(3,179,1:"))
        #expect(spec.vlinks[0].clientInfo == " bootargs: vbd2-wait=(179,1) vbd2-wait=(179,2) vbd2-wait=(179,3)")
        let vevent = try #require(try Self.build("vevent.dts").0)
        #expect(vevent.vlinks[0].serverInfo.hasSuffix("(u32) 0:2,3:DEFAULT-focus;"))
    }

    @Test func watchdogPropertiesFollowTheManual() throws {
        let spec = try #require(try Self.build("vwatchdog.dts").0)
        let config = try #require(spec.property(named: "nk.vm.3.wdt.cl0.config"))
        #expect(config.size == 16 && config.value?.count == 16)
        #expect(config.value?.prefix(4) == [0x00, 0x5A, 0x62, 0x02])  // 40 000 000 µs, little-endian
        #expect(config.allowNotify == .none && config.allowSet == .only([3]))
        #expect(spec.property(named: "nk.vm.3.wdt.cl0.state")?.allowSet == VMSet.none)
        #expect(spec.property(named: "nk.probe.cpu.0.enable")?.allowGet == .all)
    }

    @Test func cpuHandoverGivesAffinities() throws {
        let spec = try #require(try Self.build("cpu-handover.dts").0)
        #expect(spec.vm(id: 4)?.cpus == [1, 2, 3, 5, 6, 7])
        #expect(spec.vm(id: 2)?.cpus == [0, 1])
    }

    @Test func guestNodesLiveInTheVPlatformSubtree() throws {
        let spec = try #require(try Self.build("vclk.dts").0)
        #expect(spec.vm(id: 2)?.vplatformPath == "/vlm/vm@2/vplatform")
        #expect(try #require(try Self.build("vpipe.dts").0).vm(id: 2)?.vplatformPath == nil)
    }

    @Test func balloonRegionIsReadAndTurnsTheFeatureOn() throws {
        let spec = try #require(try Self.build("balloon.dts").0)
        #expect(spec.balloon == BalloonSpec(host: 2, pages: 256, vms: [3, 4], location: spec.balloon?.location))
        let on = try #require(spec.property(named: "nk.features.on-str")?.value)
        #expect(String(decoding: on, as: UTF8.self) == "UART RAM_CONSOLE BALLOON VDEV\0")
        let off = try #require(spec.property(named: "nk.features.off-str")?.value)
        #expect(!String(decoding: off, as: UTF8.self).contains("BALLOON"))
        let plain = try #require(try Self.build("vpipe.dts").0)
        #expect(plain.balloon == nil)
        #expect(
            plain.property(named: "nk.features.off-str")?.value.map { String(decoding: $0, as: UTF8.self) }?
                .contains("BALLOON") == true)
    }

    @Test(arguments: expected.keys.sorted())
    func dtcAcceptsConfig(_ name: String) throws {
        guard let dtc = ProcessRunner.which("dtc") else { return }
        let outcome = try ProcessRunner.run(
            dtc, ["-q", "-I", "dts", "-O", "dtb", "-o", "/dev/null", ConfigFixtures.configPath(name)])
        #expect(outcome.status == 0, "\(outcome.standardError)")
    }
}
