import PlatformViews
import Testing

// SPDX-License-Identifier: Apache-2.0
@testable import PlatformFUSE

@Suite(.timeLimit(.minutes(2))) struct InodeTableTests {
    private let file = ViewNode.seqFile(SeqFile(text: { "" }))

    @Test func samePathKeepsItsNumberAcrossLookupsAndForgets() {
        let table = InodeTable(root: ViewDirectory())
        let first = table.lookUp(parent: 1, name: "a", node: file)
        table.forget(first, count: 1)
        let again = table.lookUp(parent: 1, name: "a", node: .seqFile(SeqFile(text: { "new" })))
        #expect(first == again)
        #expect(first != 1)
        #expect(table.lookUp(parent: 1, name: "b", node: file) != first)
    }

    @Test func forgetToZeroDropsTheNode() {
        let table = InodeTable(root: ViewDirectory())
        let number = table.lookUp(parent: 1, name: "a", node: file)
        _ = table.lookUp(parent: 1, name: "a", node: file)
        #expect(table.lookupCount(number) == 2)
        table.forget(number, count: 1)
        #expect(table.node(number) != nil)
        table.forget(number, count: 1)
        #expect(table.node(number) == nil)
    }

    @Test func readdirNumbersMatchLookupNumbersWithoutCounting() {
        let table = InodeTable(root: ViewDirectory())
        let listed = table.number(parent: 1, name: "a")
        #expect(table.lookupCount(listed) == 0)
        #expect(table.lookUp(parent: 1, name: "a", node: file) == listed)
    }

    @Test func rootIsOneAndNeverForgotten() {
        let table = InodeTable(root: ViewDirectory())
        table.forget(1, count: 100)
        #expect(table.node(1)?.isDirectory == true)
    }

    @Test func currentNodeSeesAReplacedChild() {
        let root = ViewDirectory()
        root.add("a", file)
        let table = InodeTable(root: root)
        let number = table.lookUp(parent: 1, name: "a", node: file)
        let replacement = SeqFile(text: { "2" })
        root.add("a", .seqFile(replacement))
        #expect(table.currentNode(number)?.identity == ObjectIdentifier(replacement))
    }
}
