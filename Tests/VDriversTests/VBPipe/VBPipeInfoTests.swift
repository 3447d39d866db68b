// SPDX-License-Identifier: Apache-2.0
import Testing
import VDrivers

@Suite struct VBPipeInfoTests {
    @Test func manualExample() {
        let info = VBPipeInfo.parse(";;;wakeup=250;name=vblobManager")
        #expect(!info.waitOnlyOnEmpty)
        #expect(info.size == 4096)
        #expect(info.minor == nil)
        #expect(info.wakeupMilliseconds == 250)
        #expect(info.name == "vblobManager")
        #expect(info.warnings.isEmpty)
    }

    @Test func positionalFields() {
        let info = VBPipeInfo.parse("a;64K;3")
        #expect(info.waitOnlyOnEmpty)
        #expect(info.size == 64 << 10)
        #expect(info.minor == 3)
        #expect(VBPipeInfo.parse("a").waitOnlyOnEmpty)
        #expect(VBPipeInfo.parse(";1M").size == 1 << 20)
        #expect(VBPipeInfo.parse(";;7").minor == 7)
    }

    @Test func keywordsInAnyOrderAndPlace() {
        let info = VBPipeInfo.parse("a;name=x;wakeup=5")
        #expect(info.waitOnlyOnEmpty && info.name == "x" && info.wakeupMilliseconds == 5)
        #expect(info.size == 4096)
    }

    @Test func badFieldsFallBack() {
        let info = VBPipeInfo.parse("b;12Q;999;wakeup=x;color=red;extra")
        #expect(!info.waitOnlyOnEmpty)
        #expect(info.size == 4096)
        #expect(info.minor == nil)
        #expect(info.wakeupMilliseconds == 0)
        #expect(info.warnings.count == 6)
    }
}
