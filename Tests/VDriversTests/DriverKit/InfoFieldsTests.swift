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
