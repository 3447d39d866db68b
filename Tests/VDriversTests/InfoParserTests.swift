// SPDX-License-Identifier: Apache-2.0
import Testing
import VDrivers

@Suite struct InfoFieldsTests {
    @Test(arguments: [
        ("4096", 4096), ("8K", 8192), ("8k", 8192), ("1M", 1 << 20), ("2m", 2 << 20), ("1024M", 1 << 30),
    ])
    func sizes(text: String, bytes: Int) {
        #expect(InfoFields.size(Substring(text)) == bytes)
    }

    @Test(arguments: ["", "0", "K", "-1", "8G", "0x100", "12X", "1025M", "99999999999", " 8K"])
    func badSizes(text: String) {
        #expect(InfoFields.size(Substring(text)) == nil)
    }

    @Test func deviceNamesAreOneComponentOf15Bytes() {
        #expect(InfoFields.deviceName("fifo") == "fifo")
        #expect(InfoFields.deviceName("abcdefghijklmnopqrst") == "abcdefghijklmno")
        #expect(InfoFields.deviceName("a/b") == nil)
        #expect(InfoFields.deviceName("") == nil)
        #expect(InfoFields.deviceName("..") == nil)
    }

    @Test func blockSizeIsAtLeastSizeofExRing() {
        #expect(InfoFields.blockSize(8, layout: .vpipe) == 32)
        #expect(InfoFields.blockSize(8, layout: .vbpipe) == 32)
        #expect(InfoFields.blockSize(4096, layout: .vbpipe) == 4096)
    }
}

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
