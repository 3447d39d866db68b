// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Testing

@Suite struct ExpressionTests {
    @Test(arguments: [
        ("(1 + 2 * 3)", UInt32(7)), ("((1 + 2) * 3)", 9), ("(7 / 2)", 3), ("(7 % 3)", 1),
        ("(1 << 4 | 1)", 17), ("(0x10 >> 2)", 4), ("(1 ? 2 : 3)", 2), ("(0 ? 2 : 3)", 3),
        ("(2 && 0 || 1)", 1), ("(!5)", 0), ("(~0)", 0xFFFF_FFFF), ("(-1)", 0xFFFF_FFFF),
        ("(1 < 2)", 1), ("(3 >= 4)", 0), ("(2 == 2)", 1), ("(2 != 2)", 0), ("(6 & 3 ^ 1)", 3),
        ("(-1 < 0)", 0), ("(1 << 64)", 0), ("(5 >> 70)", 0), ("(1 + 2 == 3)", 1),
    ])
    func evaluatesWithCPrecedenceIn64Bits(_ expression: String, _ expected: UInt32) throws {
        #expect(try Source.value("p = <\(expression)>;") == .cells(expected))
    }

    @Test func sixtyFourBitCellsKeepAllBits() throws {
        #expect(try Source.value("p = /bits/ 64 <(1 << 63)>;") == [0x80, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func divisionByZeroIsAnError() {
        let error = Source.error("/dts-v1/;\n/ { p = <(4 / (2 - 2))>; };")
        #expect(error?.message == "division by zero")
        #expect(error?.location?.line == 2)
        #expect(error?.location?.column == 11)
    }

    @Test(arguments: [
        ("<(-0xffffffff - 1)>", true), ("<(-0xffffffff - 2)>", false), ("<0x100000000>", false),
        ("/bits/ 8 <0xff>", true), ("/bits/ 8 <(-128)>", true), ("/bits/ 8 <0x100>", false),
        ("/bits/ 16 <(-1)>", true), ("/bits/ 16 <0x10000>", false),
    ])
    func cellsMustFitTheirWidthOrBeSignExtended(_ value: String, _ fits: Bool) {
        let error = Source.error("/dts-v1/; / { p = \(value); };")
        #expect((error == nil) == fits)
        if !fits { #expect(error?.message.hasPrefix("value out of range") == true) }
    }
}
