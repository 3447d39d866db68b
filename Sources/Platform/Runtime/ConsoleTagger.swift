// SPDX-License-Identifier: Apache-2.0
public import PlatformSys

/// Turns the bytes a VM writes to its console into whole lines on the
/// terminal of `vlm run`, each tagged with the VM's name (padded, coloured on
/// a TTY), like `server | hello`.
public final class ConsoleTagger {
    private let output: OwnedFD
    private let colour: Bool
    private let width: Int

    /// Writes to `output` (a duplicate of the descriptor is kept);
    /// `colour: nil` decides from `isatty`. `names` sets the tag width.
    public init(output: borrowing OwnedFD, colour: Bool? = nil, names: [String]) throws {
        self.output = try output.duplicate()
        self.colour = colour ?? output.isTerminal
        width = names.map(\.count).max() ?? 0
    }

    /// The ANSI SGR code of a `console { color = … }` name, nil when unknown.
    public static func ansiCode(_ name: String) -> Int? {
        let base = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
        var lower = name.lowercased()
        var offset = 30
        for prefix in ["bright-", "bright", "light-", "light"] where lower.hasPrefix(prefix) {
            lower.removeFirst(prefix.count)
            offset = 90
            break
        }
        return base.firstIndex(of: lower).map { offset + $0 }
    }

    /// The tag for a VM: its name padded to the longest name, in its colour.
    func tag(name: String, color: String?) -> String {
        let padded = name + String(repeating: " ", count: max(0, width - name.count))
        guard colour, let code = color.flatMap(Self.ansiCode) else { return padded + " | " }
        return "\u{1B}[\(code)m\(padded) |\u{1B}[0m "
    }

    /// Emits every complete line of `buffer` and keeps the incomplete rest.
    /// `flush` emits the rest too (the VM's console closed).
    public func emit(_ buffer: inout [UInt8], name: String, color: String?, flush: Bool = false) {
        let prefix = Array(tag(name: name, color: color).utf8)
        var out: [UInt8] = []
        while let newline = buffer.firstIndex(of: 10) {
            out += prefix + buffer[...newline]
            buffer.removeSubrange(...newline)
        }
        if flush && !buffer.isEmpty {
            out += prefix + buffer + [10]
            buffer.removeAll()
        }
        if !out.isEmpty { try? output.writeAll(out) }
    }

    /// Writes a supervisor message (`vlm: …`) as one line.
    public func log(_ text: String) {
        try? output.writeAll(Array("vlm: \(text)\n".utf8))
    }
}
