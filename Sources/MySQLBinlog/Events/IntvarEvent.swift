// INTVAR_EVENT: LAST_INSERT_ID or INSERT_ID for the next statement.

/// | Name | Format | Description |
/// |---|---|---|
/// | type | int<1> | 1 = LAST_INSERT_ID_EVENT, 2 = INSERT_ID_EVENT |
/// | value | int<8> | |
public struct IntvarEvent: Hashable, Sendable {
    public struct Kind: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The corresponding server constant is `INVALID_INT_EVENT`.
        public static let invalid = Self(rawValue: 0)
        /// The corresponding server constant is `LAST_INSERT_ID_EVENT`.
        public static let lastInsertID = Self(rawValue: 1)
        /// The corresponding server constant is `INSERT_ID_EVENT`.
        public static let insertID = Self(rawValue: 2)
    }

    public var kind: Kind
    public var value: UInt64

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        kind = Kind(rawValue: try reader.readUInt8("type"))
        value = try reader.readUInt64("value")
    }
}
