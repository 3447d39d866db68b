// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import PlatformModel
import PlatformTestSupport
import Testing

@Suite struct PropertyBuilderTests {
    /// `nk.panic-trigger` as VLX-PANIC-TRIGGER(4D) writes it (manual lines 13074–13082).
    private func panicTrigger(_ t: TreeBuilder) -> Node {
        let node = t.hypProperty("nk.panic-trigger")
        t.set("size", .cells([1]), on: node)
        t.set("allow-set", .string("*"), on: node)
        t.set("allow-get", .string("*"), on: node)
        t.set("allow-notify", .string("*"), on: node)
        t.set("value", .string("0"), on: node)
        return node
    }

    @Test func readsTheManualsPanicTrigger() throws {
        let (t, _, _) = vpipePlatform()
        let node = panicTrigger(t)
        let property = try #require(Built(t).spec?.property(named: "nk.panic-trigger"))
        #expect(property.size == 1)
        #expect(property.value == [0x30])
        #expect(property.allowGet == .all && property.allowSet == .all && property.allowNotify == .all)
        #expect(
            property.origin == .configuration(nodePath: "/vlm/properties/nk.panic-trigger", location: node.location))
        #expect(property.attributes(forVM: 3) == "rwn")
    }

    @Test func valueLargerThanSizeIsAnError() throws {
        let (t, _, _) = vpipePlatform()
        let node = panicTrigger(t)
        let at = t.set("value", .string("12"), on: node)
        let error = try #require(Built(t).error)
        #expect(error.message == "value of property nk.panic-trigger is 2 bytes, larger than its size <1>")
        #expect(error.location == at)
    }

    @Test func readsTheWatchdogTemplate() throws {
        // VWATCHDOG(4D), manual lines 12643–12670.
        let (t, _, _) = vpipePlatform()
        let config = t.hypProperty("nk.vm.3.wdt.cl0.config")
        t.set("size", .cells([16]), on: config)
        t.set("allow-set", .string("3"), on: config)
        t.set("allow-notify", on: config)
        t.set("cell-value", .cells([40_000_000, 41_000_000, 0, 1]), on: config)
        let state = t.hypProperty("nk.vm.3.wdt.cl0.state")
        t.set("size", .cells([4]), on: state)
        t.set("allow-set", .string(""), on: state)
        t.set("allow-get", .strings(["2", "3"]), on: state)
        let spec = try #require(Built(t).spec)
        let wdt = try #require(spec.property(named: "nk.vm.3.wdt.cl0.config"))
        #expect(wdt.value == [0x00, 0x5A, 0x62, 0x02, 0x40, 0x9C, 0x71, 0x02, 0, 0, 0, 0, 1, 0, 0, 0])
        #expect(wdt.allowSet == .only([3]) && wdt.allowNotify == .none && wdt.allowGet == .none)
        let stateSpec = try #require(spec.property(named: "nk.vm.3.wdt.cl0.state"))
        #expect(stateSpec.allowSet == .none && stateSpec.allowGet == .only([2, 3]) && stateSpec.value == nil)
        #expect(stateSpec.attributes(forVM: 2) == "r--")
    }

    @Test(arguments: [
        (PropertyValue.string("2,3"), VMSet.only([2, 3])),
        (.string("2 3"), .only([2, 3])),
        (.strings(["2", "3"]), .only([2, 3])),
        (.cells([2, 3]), .only([2, 3])),
        (.string("*"), .all),
        (.string(""), .none),
        (PropertyValue(), .none),
    ])
    func permissionForms(_ value: PropertyValue, _ expected: VMSet) throws {
        let (t, _, _) = vpipePlatform()
        let node = t.hypProperty("p")
        t.set("size", .cells([4]), on: node)
        t.set("allow-get", value, on: node)
        #expect(Built(t).spec?.property(named: "p")?.allowGet == expected)
    }

    @Test func badPermissionsAreErrorsAndUnknownVMsWarnings() throws {
        let (t, _, _) = vpipePlatform()
        let node = t.hypProperty("p")
        t.set("size", .cells([4]), on: node)
        t.set("allow-get", .string("7"), on: node)
        #expect(Built(t).warnings.first?.message == "allow-get names VM 7, which is not configured")
        let at = t.set("allow-set", .string("two"), on: node)
        let error = try #require(Built(t).error)
        #expect(error.message.contains("allow-set must be \"*\" or a list of VM ids"))
        #expect(error.location == at)
    }

    @Test func sizeDefaultsToTheValueAndIsRequiredWithout() throws {
        let (t, _, _) = vpipePlatform()
        t.set("value", .string("abc"), on: t.hypProperty("sized"))
        t.set("allow-get", .string("*"), on: t.hypProperty("unsized"))
        let built = Built(t)
        #expect(built.error?.message == "property unsized needs size = <bytes>;")
        t.set("size", .cells([8]), on: t.node("/vlm/properties/unsized"))
        #expect(Built(t).spec?.property(named: "sized")?.size == 3)
    }

    @Test func builtInPropertiesExistForEveryVM() throws {
        let (t, _, _) = vpipePlatform()
        t.set("cpus", .cells([0, 2]), on: t.node("/vlm/vm@3/vcpus"))
        let spec = try #require(Built(t).spec)
        let names = Set(spec.properties.map(\.name))
        for name in [
            "nk.build-id", "nk.version.hypervisor", "nk.features.on", "nk.features.on-str", "nk.memory.pmem.free",
            "nk.cpus.online", "nk.focus", "nk.vlm-dtb", "nk.monitoring.enable",
        ] {
            #expect(names.contains(name), "\(name)")
        }
        for id in [2, 3] {
            for suffix in ["state.running", "state.paused", "cpus", "bootcomplete", "vplatform-dtb"] {
                #expect(names.contains("nk.vm.\(id).\(suffix)"), "nk.vm.\(id).\(suffix)")
            }
        }
        #expect(spec.property(named: "nk.vm.3.cpus")?.value == [0b101, 0, 0, 0])
        #expect(spec.property(named: "nk.vm.2.cpus")?.value == nil)
        #expect(spec.property(named: "nk.vm.3.bootcomplete")?.attributes(forVM: 3) == "rwn")
        #expect(spec.property(named: "nk.vm.3.bootcomplete")?.attributes(forVM: 2) == "r-n")
        #expect(spec.property(named: "nk.build-id")?.value?.last == 0)
        #expect(spec.property(named: "nk.focus")?.value == [2])
        #expect(spec.property(named: "nk.vm.2.state.running")?.builtIn == .vmRunning(2))
        #expect(spec.property(named: "nk.vm.2.state.running")?.builtIn?.isLive == true)
    }

    @Test func featureMasksMatchTheirStrings() throws {
        let spec = try #require(Built(vpipePlatform().0).spec)
        let on = try #require(spec.property(named: "nk.features.on")?.value)
        let off = try #require(spec.property(named: "nk.features.off")?.value)
        let all = try #require(spec.property(named: "nk.features.all")?.value)
        #expect(on.count == 8 && zip(on, off).allSatisfy { $0 & $1 == 0 })
        #expect(zip(on, off).map { $0 | $1 } == all)
        #expect(spec.property(named: "nk.features.on-str")?.value == Array("UART RAM_CONSOLE VDEV".utf8) + [0])
    }

    @Test func configuredPropertyReplacesABuiltIn() throws {
        let (t, _, _) = vpipePlatform()
        let focus = t.hypProperty("nk.focus")
        t.set("size", .cells([1]), on: focus)
        t.set("value", .byteString([3]), on: focus)
        let spec = try #require(Built(t).spec)
        #expect(spec.properties.filter { $0.name == "nk.focus" }.count == 1)
        #expect(spec.property(named: "nk.focus")?.value == [3])
        #expect(spec.property(named: "nk.focus")?.builtIn == nil)
        #expect(spec.properties.last?.name == "nk.focus")
    }
}
