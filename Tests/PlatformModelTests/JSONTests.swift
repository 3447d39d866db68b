// SPDX-License-Identifier: Apache-2.0
import Foundation
import PlatformModel
import Testing

/// `JSON`, the one JSON writer (`vlm check --json`, `vlm status --json`).
@Suite struct JSONTests {
    @Test("strings are quoted per RFC 8259: quote, backslash, control characters")
    func quoting() throws {
        let name = "a \"b\" \\ c\n\t\u{1}é"
        let text = JSON.object([("name", .string(name))]).text
        #expect(text == #"{"name":"a \"b\" \\ c\n\t\u0001é"}"#)
        // Foundation reads back exactly the string written.
        let decoded = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        #expect(decoded?["name"] == name)
    }

    @Test("keys keep their order; numbers, fractions, booleans, null and arrays are compact")
    func values() {
        let value = JSON.object([
            ("z", .number(-3)), ("a", .fraction(1.5)), ("ok", .bool(true)), ("pid", .null),
            ("list", .array([.number(1), .string("x")])),
        ])
        #expect(value.text == #"{"z":-3,"a":1.5,"ok":true,"pid":null,"list":[1,"x"]}"#)
    }
}
