// SPDX-License-Identifier: Apache-2.0
import Testing
import VDrivers

@Suite struct DeviceNamingTests {
    typealias R = DeviceNaming.Request

    @Test func sequentialMinorsAndDefaultNames() {
        let names = DeviceNaming.assign([R(), R(), R()], prefix: "vpipe")
        #expect(names.map(\.minor) == [0, 1, 2])
        #expect(names.map(\.name) == ["vpipe0", "vpipe1", "vpipe2"])
    }

    @Test func repeatedNameRevertsToDefault() {
        let names = DeviceNaming.assign([R(name: "log"), R(name: "log"), R(name: "other")], prefix: "vpipe")
        #expect(names.map(\.name) == ["log", "vpipe1", "other"])
        #expect(names[1].warnings.count == 1)
        #expect(names[0].warnings.isEmpty)
    }

    @Test func nameOfAnotherDefaultIsRefused() {
        let names = DeviceNaming.assign([R(name: "vpipe1"), R()], prefix: "vpipe")
        #expect(names.map(\.name) == ["vpipe0", "vpipe1"])
    }

    @Test func ownDefaultNameIsFine() {
        let names = DeviceNaming.assign([R(name: "vpipe0")], prefix: "vpipe")
        #expect(names == [DeviceNaming.Assignment(minor: 0, name: "vpipe0")])
    }

    @Test func reservedNamesAreTaken() {
        let names = DeviceNaming.assign([R(name: "vpipe0")], prefix: "vbpipe", reserved: ["vpipe0"])
        #expect(names.map(\.name) == ["vbpipe0"])
    }

    @Test func fixedMinorsFirstThenLowestFree() {
        let names = DeviceNaming.assign([R(), R(minor: 0), R(minor: 5), R()], prefix: "vbpipe")
        #expect(names.map(\.minor) == [1, 0, 5, 2])
        #expect(names.map(\.name) == ["vbpipe1", "vbpipe0", "vbpipe5", "vbpipe2"])
    }

    @Test func duplicateFixedMinorGetsAnother() {
        let names = DeviceNaming.assign([R(minor: 1), R(minor: 1)], prefix: "vbpipe")
        #expect(names.map(\.minor) == [1, 0])
        #expect(names[1].warnings.count == 1)
    }

    @Test func namesResolveInMinorOrder() {
        // The device with the lower minor keeps the name, whatever the lookup order.
        let names = DeviceNaming.assign([R(minor: 2, name: "x"), R(minor: 0, name: "x")], prefix: "vbpipe")
        #expect(names.map(\.name) == ["vbpipe2", "x"])
    }
}
