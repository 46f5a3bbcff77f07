// Raw bytes of a name or statement: binlogs carry no guaranteed encoding, so the bytes are kept.

/// A string as the binlog stores it: bytes, printed verbatim, decoded as UTF-8 only for display.
public struct BinlogString: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var bytes: [UInt8]

    public init<S: Sequence>(_ bytes: S) where S.Element == UInt8 { self.bytes = Array(bytes) }
    public init(stringLiteral value: String) { self.bytes = Array(value.utf8) }

    public var isEmpty: Bool { bytes.isEmpty }
    public var count: Int { bytes.count }
    /// The bytes as UTF-8, with invalid sequences replaced.
    public var description: String { String(decoding: bytes, as: UTF8.self) }
}
