// SPDX-License-Identifier: Apache-2.0
import PlatformViews
import Testing

@Suite struct ViewDirectoryTests {
    private func text(_ value: String) -> ViewNode {
        .seqFile(SeqFile(text: { value }))
    }

    @Test func staticChildrenKeepInsertionOrder() {
        let directory = ViewDirectory(entries: [("b", text("1")), ("a", text("2"))])
        #expect(directory.childNames() == ["b", "a"])
    }

    @Test func dynamicListingIsComputedOnEveryCall() {
        let names = ["x"]
        let directory = ViewDirectory(listing: .init(entries: { names.map { ($0, .seqFile(SeqFile(text: { "v" }))) } }))
        #expect(directory.childNames() == ["x"])
        #expect(directory.child(named: "x") != nil)
        #expect(directory.child(named: "y") == nil)
    }

    @Test func staticChildHidesDynamicOneOfTheSameName() throws {
        let fixed = SeqFile(text: { "static" })
        let directory = ViewDirectory(
            entries: [("x", .seqFile(fixed))],
            listing: .init(entries: {
                [("x", .seqFile(SeqFile(text: { "dynamic" }))), ("y", .seqFile(SeqFile(text: { "" })))]
            })
        )
        #expect(directory.childNames() == ["x", "y"])
        let node = try #require(directory.child(named: "x"))
        #expect(node.identity == ObjectIdentifier(fixed))
    }

    @Test func makeDirectoriesCreatesMissingComponentsOnce() {
        let root = ViewDirectory()
        let nk = root.makeDirectories("proc/nk")
        #expect(root.makeDirectories("proc/nk") === nk)
        #expect(root.childNames() == ["proc"])
        #expect(root.node(at: "proc/nk")?.isDirectory == true)
    }

    @Test func addReplacesAndRemoveDeletes() {
        let root = ViewDirectory()
        root.add("f", text("1"))
        let replacement = SeqFile(text: { "2" })
        root.add("f", .seqFile(replacement))
        #expect(root.childNames() == ["f"])
        #expect(root.child(named: "f")?.identity == ObjectIdentifier(replacement))
        #expect(root.remove("f"))
        #expect(!root.remove("f"))
        #expect(root.childNames().isEmpty)
    }

    @Test func nodeAtPathDoesNotEnterFiles() {
        let root = ViewDirectory()
        root.makeDirectories("sys/nk").add("f", text("1"))
        #expect(root.node(at: "sys/nk/f") != nil)
        #expect(root.node(at: "sys/nk/f/g") == nil)
        #expect(root.node(at: "sys/missing") == nil)
    }

    @Test func modeCombinesTypeAndPermissions() {
        #expect(ViewNode.directory(ViewDirectory()).mode == 0o040555)
        #expect(text("").mode == 0o100444)
        #expect(ViewNode.symlink(ViewSymlink(to: "prop")).mode == 0o120777)
        #expect(ViewNode.controlFile(ControlFile { _ in }).mode == 0o100200)
        #expect(ViewNode.device(DeviceFile(driver: LoopbackPipe())).mode == 0o100666)
    }
}
