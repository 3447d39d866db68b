// LOCAL STUB, NOT COMMITTED: stands in for dt-front's compiler until merged.
public struct CompileOptions: Sendable {
    public var includePaths: [String]
    public var generateSymbols: Bool
    public var force: Bool
    public init(includePaths: [String] = [], generateSymbols: Bool = false, force: Bool = false) {
        self.includePaths = includePaths; self.generateSymbols = generateSymbols; self.force = force
    }
}
public struct CompileResult { public var tree: DeviceTree; public var diagnostics: [Diagnostic] }
public enum DeviceTreeCompiler {
    public static func compile(file: String, reader: some SourceFileReader, options: CompileOptions) throws(DeviceTreeError) -> CompileResult {
        throw DeviceTreeError(.error("compiler not merged yet", at: SourceLocation(file: file, line: 1, column: 1)))
    }
}
