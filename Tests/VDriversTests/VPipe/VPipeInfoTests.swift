// SPDX-License-Identifier: Apache-2.0
import Testing
import VDrivers

@Suite struct VPipeInfoTests {
    @Test func serverDefaults() {
        #expect(VPipeInfo.server("") == VPipeInfo(size: 4096, name: nil))
    }

    @Test func serverSizeAndName() {
        #expect(VPipeInfo.server("8K") == VPipeInfo(size: 8192))
        #expect(VPipeInfo.server("1M;name=bulk") == VPipeInfo(size: 1 << 20, name: "bulk"))
        #expect(VPipeInfo.server(";name=bulk") == VPipeInfo(name: "bulk"))
        #expect(VPipeInfo.server("name=bulk") == VPipeInfo(name: "bulk"))
        #expect(VPipeInfo.server("8K;") == VPipeInfo(size: 8192))
    }

    @Test func serverBadFieldsFallBackWithWarnings() {
        let info = VPipeInfo.server("huge;name=a/b;extra")
        #expect(info.size == 4096)
        #expect(info.name == nil)
        #expect(info.warnings.count == 3)
    }

    @Test func clientTakesOnlyAName() {
        #expect(VPipeInfo.client("name=sink") == VPipeInfo(name: "sink"))
        #expect(VPipeInfo.client("") == VPipeInfo())
        let sized = VPipeInfo.client("8K")
        #expect(sized.size == 4096)
        #expect(sized.warnings.count == 1)
    }
}
