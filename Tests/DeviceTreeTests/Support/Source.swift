// SPDX-License-Identifier: Apache-2.0
import DeviceTree

/// Compiles sources held in memory: `main.dts` plus any other files.
enum Source {
    static func compile(
        _ text: String, files: [String: String] = [:], options: CompileOptions = CompileOptions()
    ) throws(DeviceTreeError) -> CompileResult {
        var all = files
        all["main.dts"] = text
        return try DeviceTreeCompiler.compile(file: "main.dts", reader: InMemorySourceFiles(all), options: options)
    }

    /// The tree of `/dts-v1/; / { body };`.
    static func tree(_ body: String, options: CompileOptions = CompileOptions()) throws(DeviceTreeError) -> DeviceTree {
        try compile("/dts-v1/;\n/ {\n\(body)\n};\n", options: options).tree
    }

    /// The first diagnostic of a source that must fail.
    static func error(_ text: String, options: CompileOptions = CompileOptions()) -> Diagnostic? {
        do {
            _ = try compile(text, options: options)
            return nil
        } catch {
            return error.diagnostics.first
        }
    }

    /// The bytes of property `name` of the root of `body`.
    static func value(_ body: String, _ name: String = "p") throws(DeviceTreeError) -> [UInt8]? {
        try tree(body).root.property(named: name)?.value.bytes
    }
}

extension Array where Element == UInt8 {
    /// Big-endian 32-bit cells.
    static func cells(_ values: UInt32...) -> [UInt8] {
        values.flatMap { v in [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    }
}
