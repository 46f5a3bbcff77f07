// Raw bytes of a name or statement: binlogs carry no guaranteed encoding, so the bytes are kept.

/// A string as the binlog stores it: bytes, printed verbatim, decoded as UTF-8 only for display.
///
/// The bytes are a slice of the event they came from, not a copy: keep a `BinlogString` beyond
/// the event's life only after ``owned()``.
public struct BinlogString: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var bytes: ArraySlice<UInt8>

    public init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }
    public init<S: Sequence>(_ bytes: S) where S.Element == UInt8 { self.bytes = ArraySlice(bytes) }
    public init(stringLiteral value: String) { self.bytes = ArraySlice(value.utf8) }

    /// The same string in storage of its own (not keeping the event's buffer alive).
    public func owned() -> BinlogString { BinlogString(ArraySlice(Array(bytes))) }

    public var isEmpty: Bool { bytes.isEmpty }
    public var count: Int { bytes.count }
    /// The bytes as UTF-8, with invalid sequences replaced.
    public var description: String { String(decoding: bytes, as: UTF8.self) }
}
