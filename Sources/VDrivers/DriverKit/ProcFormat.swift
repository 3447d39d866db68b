// SPDX-License-Identifier: Apache-2.0

/// The few `printf` conversions the /proc/nk driver files use, without libc:
/// right-aligned decimal (`%Nd`, `%Nu`, `%Nlld`) and lowercase hex (`%Nx`).
public enum ProcFormat {
    /// `%<width>d`.
    public static func decimal(_ value: some BinaryInteger, width: Int) -> String {
        pad(String(value), width)
    }

    /// `%<width>x`.
    public static func hex(_ value: some BinaryInteger, width: Int) -> String {
        pad(String(value, radix: 16), width)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
