// SPDX-License-Identifier: Apache-2.0

/// dtc 1.6.1's error-level checks (`checks.c`), run in dtc's order with its
/// prerequisites: a check whose prerequisite failed does not run and counts
/// as failed. The reference fix-ups are checks too, so a failed
/// `duplicate_node_names` leaves references unresolved, as in dtc with `-f`.
struct Checker {
    let root: LiveNode
    let builder: TreeBuilder
    let isPlugin: Bool
    let generateSymbols: Bool
    var diagnostics: [Diagnostic] = []
    var phandles: PhandleAllocator
    /// Checks that did not pass.
    var failed: Set<String> = []

    init(root: LiveNode, builder: TreeBuilder, isPlugin: Bool, generateSymbols: Bool) {
        self.root = root
        self.builder = builder
        self.isPlugin = isPlugin
        self.generateSymbols = generateSymbols
        self.phandles = PhandleAllocator(root: root)
    }

    /// Runs every check; returns false when one failed.
    mutating func run() -> Bool {
        run("duplicate_node_names") { c, n in c.checkDuplicateNodeNames(n) }
        run("duplicate_property_names") { c, n in c.checkDuplicatePropertyNames(n) }
        run("node_name_chars") { c, n in c.checkNodeNameChars(n) }
        run("node_name_format", after: ["node_name_chars"]) { c, n in c.checkNodeNameFormat(n) }
        run("property_name_chars") { c, n in c.checkPropertyNameChars(n) }
        run("name_is_string") { c, n in c.checkNameIsString(n) }
        run("name_properties", after: ["name_is_string"]) { c, n in c.checkNameProperties(n) }
        runDuplicateLabels()
        run("explicit_phandles") { c, n in c.checkExplicitPhandles(n) }
        run("phandle_references", after: ["duplicate_node_names", "explicit_phandles"]) { c, n in
            c.fixPhandleReferences(n)
        }
        run("path_references", after: ["duplicate_node_names"]) { c, n in c.fixPathReferences(n) }
        run("omit_unused_nodes", after: ["phandle_references", "path_references"]) { c, n in
            c.omitUnusedNode(n)
        }
        let passed = failed.isEmpty
        runWarnings()
        return passed
    }

    /// Runs `body` on every live node in tree order, unless a prerequisite failed.
    ///
    /// dtc's `process_checks` computes `error = error || run_check(c)`, so after
    /// the first failed error-level check no further check runs at all.
    mutating func run(_ name: String, after prerequisites: [String] = [], _ body: (inout Checker, LiveNode) -> Void) {
        guard failed.isEmpty else { return }
        let missing = prerequisites.filter { failed.contains($0) }
        guard missing.isEmpty else {
            failed.insert(name)
            for prerequisite in missing {
                diagnostics.append(.error("failed prerequisite '\(prerequisite)'", at: nil, check: name))
            }
            return
        }
        let before = diagnostics.count
        var stack = [root]
        while let node = stack.popLast() {
            body(&self, node)
            for child in node.children.reversed() where !child.deleted { stack.append(child) }
        }
        if diagnostics.count > before { failed.insert(name) }
    }

    mutating func fail(_ check: String, _ node: LiveNode, _ message: String) {
        diagnostics.append(.error("\(node.fullPath): \(message)", at: node.location, check: check))
    }

    mutating func fail(_ check: String, _ node: LiveNode, _ property: LiveProperty, _ message: String) {
        diagnostics.append(
            .error(
                "\(node.fullPath):\(property.name): \(message)", at: property.location ?? node.location, check: check))
    }

    // MARK: Structure

    mutating func checkDuplicateNodeNames(_ node: LiveNode) {
        guard node.children.count > 1 else { return }
        var live: [String: Int] = [:]  // name → live children seen so far
        for child in node.children {
            // dtc compares each live child with every later one, deleted or not.
            for _ in 0..<live[child.name, default: 0] {
                fail("duplicate_node_names", child, "Duplicate node name")
            }
            if !child.deleted { live[child.name, default: 0] += 1 }
        }
    }

    mutating func checkDuplicatePropertyNames(_ node: LiveNode) {
        let live = node.properties.filter { !$0.deleted }
        guard live.count > 1 else { return }
        var later: [String: Int] = [:]
        for property in live { later[property.name, default: 0] += 1 }
        for property in live {
            later[property.name]! -= 1
            for _ in 0..<later[property.name]! {
                fail("duplicate_property_names", node, property, "Duplicate property name")
            }
        }
    }

    /// dtc 1.6.1's `PROPCHARS`: the lexer's `PROPNODECHAR` without `@`.
    static let nameChars: [Bool] = {
        var table = Bytes.propNodeChars
        table[Int(UInt8(ascii: "@"))] = false
        return table
    }()

    /// dtc 1.6.1's `NODECHARS` (`[a-zA-Z0-9,._+@-]`): unlike property names,
    /// node names may not contain `*`, `#` or `?`, although the lexer reads
    /// them (`dtc` 1.6.1 says "Bad character '#' in node name").
    static let nodeNameChars: [Bool] = {
        var table = Bytes.propNodeChars
        for c in "*#?".utf8 { table[Int(c)] = false }
        return table
    }()

    mutating func checkNodeNameChars(_ node: LiveNode) {
        if let bad = node.name.utf8.first(where: { !Checker.nodeNameChars[Int($0)] }) {
            fail("node_name_chars", node, "Bad character '\(Character(Unicode.Scalar(bad)))' in node name")
        }
    }

    mutating func checkNodeNameFormat(_ node: LiveNode) {
        if node.name.utf8.filter({ $0 == UInt8(ascii: "@") }).count > 1 {
            fail("node_name_format", node, "multiple '@' characters in node name")
        }
    }

    mutating func checkPropertyNameChars(_ node: LiveNode) {
        for property in node.properties where !property.deleted {
            if let bad = property.name.utf8.first(where: { !Checker.nameChars[Int($0)] }) {
                fail(
                    "property_name_chars", node, property,
                    "Bad character '\(Character(Unicode.Scalar(bad)))' in property name")
            }
        }
    }

    mutating func checkNameIsString(_ node: LiveNode) {
        guard let property = node.property("name") else { return }
        let bytes = property.value.bytes
        if bytes.isEmpty || bytes.last != 0 || bytes.dropLast().contains(0) {
            fail("name_is_string", node, property, "property is not a string")
        }
    }

    /// A correct `name` property is redundant and removed; a wrong one is an error.
    mutating func checkNameProperties(_ node: LiveNode) {
        guard let index = node.properties.firstIndex(where: { $0.name == "name" }) else { return }
        let bytes = node.properties[index].value.bytes
        let base = Array(node.name.utf8.prefix(node.basenameLength))
        if bytes.count != base.count + 1 || Array(bytes.prefix(base.count)) != base {
            let shown = Bytes.text(bytes.prefix { $0 != 0 }[...])
            fail("name_properties", node, "\"name\" property is incorrect (\"\(shown)\" instead of base node name)")
        } else {
            node.properties.remove(at: index)
        }
    }
}
