// SPDX-License-Identifier: Apache-2.0

/// A file that acts when written, like `/proc/nk/vmstop` (`echo 3 > vmstop`).
///
/// Every `write(2)` call is handed to the handler on its own, decoded as UTF-8, as
/// procfs write handlers see it (manual lines on /proc/nk control files). The handler
/// parses the text and either acts or throws: EINVAL for a value it does not accept
/// (and then it must change nothing), or another errno. The file offset is ignored and
/// `O_TRUNC` is accepted, so shell redirection works.
public final class ControlFile: Sendable {
    /// The file's permission bits; without `ownerWrite` every write answers EACCES.
    public let permissions: ViewPermissions
    private let reader: (@Sendable () throws(ViewErrno) -> [UInt8])?
    private let writer: @Sendable ([UInt8]) throws(ViewErrno) -> Void

    /// A control file.
    /// - Parameters:
    ///   - permissions: mode bits; `.writeOnly` by default, `.readWrite` when readable.
    ///   - read: builds the content a read returns, at open (nil: not readable, EACCES).
    ///   - write: parses one written text and acts, or throws the errno to answer.
    public init(
        permissions: ViewPermissions? = nil,
        read: (@Sendable () throws(ViewErrno) -> [UInt8])? = nil,
        write: @escaping @Sendable (String) throws(ViewErrno) -> Void
    ) {
        self.permissions = permissions ?? (read == nil ? .writeOnly : .readWrite)
        self.reader = read
        self.writer = { bytes throws(ViewErrno) in
            guard let text = String(validating: bytes, as: UTF8.self) else { throw .einval }
            try write(text)
        }
    }

    /// A control file whose writes are raw bytes, not necessarily text (a binary
    /// `/sys/nk/prop/<name>` value).
    public static func binary(
        permissions: ViewPermissions? = nil,
        read: (@Sendable () throws(ViewErrno) -> [UInt8])? = nil,
        write: @escaping @Sendable ([UInt8]) throws(ViewErrno) -> Void
    ) -> ControlFile {
        ControlFile(
            permissions: permissions ?? (read == nil ? .writeOnly : .readWrite), reader: read, bytesWriter: write)
    }

    private init(
        permissions: ViewPermissions, reader: (@Sendable () throws(ViewErrno) -> [UInt8])?,
        bytesWriter: @escaping @Sendable ([UInt8]) throws(ViewErrno) -> Void
    ) {
        self.permissions = permissions
        self.reader = reader
        self.writer = bytesWriter
    }

    /// Whether the file can be opened for reading.
    public var isReadable: Bool {
        reader != nil && permissions.allowsRead
    }

    /// The content a reader sees, built at open.
    /// - Throws: EACCES when the file is not readable, or the reader's own error.
    public func snapshot() throws(ViewErrno) -> ViewSnapshot {
        guard let reader, permissions.allowsRead else { throw .eacces }
        return ViewSnapshot(try reader())
    }

    /// Acts on one write of `bytes`.
    /// - Throws: EACCES when the file is read-only, EINVAL when the bytes are not UTF-8
    ///   text, or the handler's error.
    public func accept(_ bytes: some Collection<UInt8>) throws(ViewErrno) {
        guard permissions.allowsWrite else { throw .eacces }
        try writer(Array(bytes))
    }

    /// The one word of a written text: surrounding blanks and the newline `echo` adds
    /// removed. EINVAL when there is no word or more than one.
    public static func singleWord(_ text: String) throws(ViewErrno) -> Substring {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        guard words.count == 1 else { throw .einval }
        return words[0]
    }

    /// A written decimal integer (`"3\n"`), as `kstrtoint` would accept it.
    /// - Throws: EINVAL for anything else.
    public static func integer(_ text: String) throws(ViewErrno) -> Int {
        guard let value = Int(try singleWord(text)) else { throw .einval }
        return value
    }
}
