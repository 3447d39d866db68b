// SPDX-License-Identifier: Apache-2.0
import DeviceTree
import Foundation

/// Reads files relative to a directory (the corpus), so that tests compile
/// in-process, in parallel, without changing the process's directory.
struct DirectorySourceFiles: SourceFileReader {
    var directory: String

    func contents(of path: String) -> [UInt8]? {
        let full = path.hasPrefix("/") ? path : directory + "/" + path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return nil
        }
        return FileManager.default.contents(atPath: full).map(Array.init)
    }
}

/// Our compiler run in-process on corpus files, as `vlm dt compile` runs it.
enum CorpusCompiler {
    static func options(force: Bool = true, symbols: Bool = false) -> CompileOptions {
        CompileOptions(includePaths: Corpus.includePaths, generateSymbols: symbols, force: force)
    }

    /// The tree of a corpus file (run from the corpus directory with `-i . -i search_dir -i search_dir_b`).
    static func compile(_ file: String, force: Bool = true, symbols: Bool = false) throws(DeviceTreeError)
        -> CompileResult
    {
        try DeviceTreeCompiler.compile(
            file: file, reader: DirectorySourceFiles(directory: Corpus.directory),
            options: options(force: force, symbols: symbols))
    }

    /// Compiles source text held in memory (a printed tree).
    static func compile(source: String, force: Bool = true) throws(DeviceTreeError) -> CompileResult {
        let name = "printed.dts"
        return try DeviceTreeCompiler.compile(
            file: name, reader: InMemorySourceFiles([name: Array(source.utf8)]), options: options(force: force))
    }
}
