// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import PlatformModel
import PlatformTestSupport
import Testing

@Suite struct VMBuilderTests {
    @Test func readsEveryAttributeOfAVM() throws {
        let t = TreeBuilder()
        t.vm(2, label: "server")
        let vm = t.node("/vlm/vm@2")
        t.set("cpus", .cells([1, 0]), on: t.node("vcpus", in: vm))
        t.set("color", .string("green"), on: t.node("console", in: vm))
        t.set("vl,init", .strings(["/bin/sh", "-c", "cat /dev/vpipe0"]), on: vm)
        t.set("vl,restart", .string("on-crash"), on: vm)
        let built = Built(t)
        let spec = try #require(built.spec)
        #expect(built.diagnostics.isEmpty)
        #expect(
            spec.vms == [
                VMSpec(
                    id: 2, name: "server", cpus: [0, 1], color: "green",
                    initArgv: ["/bin/sh", "-c", "cat /dev/vpipe0"],
                    restart: .onCrash, nodePath: "/vlm/vm@2", location: vm.location)
            ])
        #expect(spec.vms[0].cpuMask == 0b11)
    }

    @Test func defaultsNameRestartAndCPUs() throws {
        let t = TreeBuilder()
        t.vm(5)
        let vm = try #require(Built(t).spec?.vms.first)
        #expect(vm.name == "vm5")
        #expect(vm.restart == .never)
        #expect(vm.cpus.isEmpty && vm.cpuMask == nil)
        #expect(vm.initArgv.isEmpty && vm.color == nil)
    }

    @Test func acceptsVMNodesWrittenWithoutUnitAddress() throws {
        let t = TreeBuilder()
        t.node("/vlm/vm7")
        #expect(Built(t).spec?.vms.map(\.id) == [7])
    }

    @Test func readsHandoverAffinityAndVCPUNodes() throws {
        let t = TreeBuilder()
        let vm = t.node("/vlm/vm@4")
        let vcpus = t.node("vcpus", in: vm)
        t.set("affinity", .string("1,2-3"), on: vcpus)
        t.set("cpu", .cells([6]), on: t.node("vcpu@0", in: vcpus))
        #expect(Built(t).spec?.vms.first?.cpus == [1, 2, 3, 6])
    }

    @Test func hypervisorNodeIsNoGuest() throws {
        let t = TreeBuilder()
        t.vm(1)
        t.vm(2)
        #expect(Built(t).spec?.vms.map(\.id) == [2])
    }

    @Test(arguments: ["vm@0", "vm@32", "vm@99"])
    func rejectsIDsOutsideTheGuestRange(_ name: String) throws {
        let t = TreeBuilder()
        t.vm(2)
        let bad = t.node("/vlm/\(name)")
        let built = Built(t)
        #expect(built.spec == nil)
        let error = try #require(built.error)
        #expect(error.message.contains("outside 2…31"))
        #expect(error.location == bad.location)
    }

    @Test func rejectsAnIDUsedTwice() throws {
        let t = TreeBuilder()
        t.vm(2)
        let second = t.node("/vlm/vm2")
        let error = try #require(Built(t).error)
        #expect(error.message.contains("VM id 2 is used twice"))
        #expect(error.location == second.location)
        #expect(error.description == "test.dts:\(second.location!.line):1: error: \(error.message)")
    }

    @Test func rejectsAnUnknownRestartPolicy() throws {
        let t = TreeBuilder()
        t.vm(2)
        let at = t.set("vl,restart", .string("sometimes"), on: t.node("/vlm/vm@2"))
        let error = try #require(Built(t).error)
        #expect(error.message.contains("unknown restart policy \"sometimes\""))
        #expect(error.location == at)
    }

    @Test func rejectsTwoVMsWithOneName() throws {
        let t = TreeBuilder()
        t.vm(2, label: "twin")
        t.vm(3, label: "twin")
        #expect(try #require(Built(t).error).message.contains("VM name \"twin\" is used twice"))
    }

    @Test func rejectsBadInitCPUsAndLabels() throws {
        let t = TreeBuilder()
        let vm = t.node("/vlm/vm@2")
        t.set("vl,init", .cells([1]), on: vm)
        t.set("label", .cells([1]), on: vm)
        t.set("cpus", .cells([40]), on: t.node("vcpus", in: vm))
        let messages = Built(t).errors.map(\.message)
        #expect(messages.count == 3)
        #expect(messages.contains { $0.contains("vl,init") })
        #expect(messages.contains { $0.contains("label") })
        #expect(messages.contains { $0.contains("CPU 40") })
    }

    @Test func warnsAboutUnknownColours() throws {
        let t = TreeBuilder()
        t.set("color", .string("mauve"), on: t.node("/vlm/vm@2/console"))
        let built = Built(t)
        #expect(built.spec?.vms.first?.color == "mauve")
        #expect(built.warnings.first?.message.contains("unknown console colour") == true)
    }

    @Test func rejectsATreeWithoutVMs() throws {
        let t = TreeBuilder()
        #expect(try #require(Built(t).error).message.contains("no /vlm node"))
        t.node("/vlm")
        #expect(try #require(Built(t).error).message.contains("no VM"))
    }

    @Test func findsVMsByNameOrID() throws {
        let (t, _, _) = vpipePlatform()
        t.set("label", .string("reader"), on: t.node("/vlm/vm@2"))
        let spec = try #require(Built(t).spec)
        #expect(spec.vm(named: "reader")?.id == 2)
        #expect(spec.vm(named: "3")?.name == "vm3")
        #expect(spec.lastID == 3)
    }
}
