// SPDX-License-Identifier: Apache-2.0

/// The byte format of control messages: records separated by RS (0x1E), fields
/// by US (0x1F), UTF-8. One SEQPACKET message carries one encoded value, so no
/// length prefixes are needed. Names and arguments never contain control
/// characters (the config checker refuses them), and `encode` strips any.
/// Plain text keeps the protocol readable in `strace` without Foundation.
enum Wire {
    static let recordSeparator: UInt8 = 0x1E
    static let fieldSeparator: UInt8 = 0x1F

    static func encode(_ records: [[String]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (r, record) in records.enumerated() {
            if r > 0 { bytes.append(recordSeparator) }
            for (f, field) in record.enumerated() {
                if f > 0 { bytes.append(fieldSeparator) }
                bytes += field.utf8.filter { $0 != recordSeparator && $0 != fieldSeparator }
            }
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> [[String]] {
        bytes.split(separator: recordSeparator, omittingEmptySubsequences: false).map { record in
            record.split(separator: fieldSeparator, omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
        }
    }

    /// Field `index` of `record` as an Int, or a protocol violation.
    static func int(_ record: [String], _ index: Int) throws(RuntimeError) -> Int {
        guard index < record.count, let value = Int(record[index]) else {
            throw .protocolViolation("expected a number in field \(index) of \(record)")
        }
        return value
    }

    /// Field `index` of `record`, or a protocol violation.
    static func string(_ record: [String], _ index: Int) throws(RuntimeError) -> String {
        guard index < record.count else { throw .protocolViolation("missing field \(index) of \(record)") }
        return record[index]
    }
}

/// A value sent as one control message.
public protocol WireMessage: Sendable, Equatable {
    /// The message's bytes.
    func encoded() -> [UInt8]
    /// Decodes a message; throws `RuntimeError.protocolViolation` on anything unexpected.
    init(decoding bytes: [UInt8]) throws(RuntimeError)
}
