// SPDX-License-Identifier: Apache-2.0

/// How to compile a source (the `dtc` options that change the tree).
public struct CompileOptions: Sendable {
    /// `-i DIR`: where `/include/` and `/incbin/` look after the including file's directory.
    public var includePaths: [String]
    /// `-@`: generate `__symbols__`.
    public var generateSymbols: Bool
    /// `-f`: return the tree even when checks fail.
    public var force: Bool

    public init(includePaths: [String] = [], generateSymbols: Bool = false, force: Bool = false) {
        self.includePaths = includePaths
        self.generateSymbols = generateSymbols
        self.force = force
    }
}

/// A compiled tree and what the checks said about it.
public struct CompileResult {
    /// The final tree, as dtc would flatten it.
    public var tree: DeviceTree
    /// Warnings, and check errors when `force` was set.
    public var diagnostics: [Diagnostic]
}

/// The dtc-compatible source front end: `.dts` text → final `DeviceTree`.
public enum DeviceTreeCompiler {
    /// Compiles `file`, read (with its includes) through `reader`.
    ///
    /// Syntax errors throw at the first one. Check errors throw unless
    /// `options.force` is set, in which case they come back in `diagnostics`.
    public static func compile(
        file: String, reader: any SourceFileReader, options: CompileOptions = CompileOptions()
    ) throws(DeviceTreeError) -> CompileResult {
        let (path, bytes) = try Lexer.open(file, from: nil, reader: reader, includePaths: options.includePaths, at: nil)
        let lexer = Lexer(file: path, bytes: bytes, reader: reader, includePaths: options.includePaths)
        var parser = try Parser(lexer: lexer)
        let root = try parser.parseSourceFile()
        let bootCPUID = guessBootCPUID(root, parser.builder)
        var checker = Checker(
            root: root, builder: parser.builder, isPlugin: parser.isPlugin, generateSymbols: options.generateSymbols)
        let passed = checker.run()
        if !passed, !options.force {
            throw DeviceTreeError(checker.diagnostics)
        }
        if options.generateSymbols { checker.buildSymbols() }
        if parser.isPlugin { checker.buildFixups() }
        let tree = DeviceTree(
            root: publicNode(root), memoryReservations: parser.memoryReservations, bootCPUID: bootCPUID,
            isPlugin: parser.isPlugin)
        tree.isRootDeleted = root.deleted
        return CompileResult(tree: tree, diagnostics: checker.diagnostics)
    }

    /// dtc's `guess_boot_cpuid`: `reg` of the first child of `/cpus`.
    static func guessBootCPUID(_ root: LiveNode, _ builder: TreeBuilder) -> UInt32 {
        guard let cpus = builder.node(byPath: "/cpus", from: root), let first = cpus.children.first,
            let reg = first.property("reg"), reg.value.bytes.count == 4
        else { return 0 }
        let b = reg.value.bytes
        return UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }

    /// The public tree: live nodes, properties and labels only, in dtc's order.
    static func publicNode(_ root: LiveNode) -> Node {
        let top = makeNode(root)
        var stack = [(root, top)]
        while let (live, node) = stack.popLast() {
            for child in live.children where !child.deleted {
                let made = makeNode(child)
                node.append(made)
                stack.append((child, made))
            }
        }
        return top
    }

    static func makeNode(_ live: LiveNode) -> Node {
        let node = Node(name: live.name, labels: live.liveLabels, location: live.location)
        node.properties = live.properties.filter { !$0.deleted }.map {
            Property(name: $0.name, value: $0.value, labels: $0.liveLabels, location: $0.location)
        }
        node.phandle = live.phandle
        node.omitIfNoRef = live.omitIfUnused
        node.isReferenced = live.isReferenced
        return node
    }
}
