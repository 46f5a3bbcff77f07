// USER_VAR_EVENT: the value of a user variable a following statement reads.

/// | Name | Format | Description |
/// |---|---|---|
/// | name_length | int<4> | |
/// | name | string<name_length> | without the `@` |
/// | is_null | int<1> | 1 when the value is NULL (nothing follows) |
/// | type | int<1> | STRING_RESULT 0, REAL_RESULT 1, INT_RESULT 2, ROW_RESULT 3, DECIMAL_RESULT 4 |
/// | charset | int<4> | collation number of a string value |
/// | value_length | int<4> | |
/// | value | bytes<value_length> | int: int<8>; real: IEEE double; decimal: precision, scale, binary decimal |
/// | flags | int<1> | optional; bit 0 = UNSIGNED (MySQL 5.6+, MariaDB 10.0+) |
public struct UserVarEvent: Hashable, Sendable {
    public struct ValueType: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The corresponding server constant is `STRING_RESULT`.
        public static let string = Self(rawValue: 0)
        /// The corresponding server constant is `REAL_RESULT`.
        public static let real = Self(rawValue: 1)
        /// The corresponding server constant is `INT_RESULT`.
        public static let int = Self(rawValue: 2)
        /// The corresponding server constant is `ROW_RESULT`.
        public static let row = Self(rawValue: 3)
        /// The corresponding server constant is `DECIMAL_RESULT`.
        public static let decimal = Self(rawValue: 4)
    }

    public struct Value: Hashable, Sendable {
        public var type: ValueType
        public var charset: UInt32
        public var bytes: [UInt8]
        public var flags: UInt8?
        public var isUnsigned: Bool { (flags ?? 0) & 1 != 0 }
    }

    public var name: BinlogString
    /// `nil` when the variable is NULL.
    public var value: Value?

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        let nameLength = try reader.length(UInt64(try reader.readUInt32("name_length")), "name")
        name = try reader.readString(nameLength, "name")
        let isNull = try reader.readUInt8("is_null")
        if isNull != 0 {
            value = nil
            return
        }
        let type = ValueType(rawValue: try reader.readUInt8("type"))
        let charset = try reader.readUInt32("charset")
        let valueLength = try reader.length(UInt64(try reader.readUInt32("value_length")), "value")
        let bytes = Array(try reader.readBytes(valueLength, "value"))
        let flags: UInt8? = reader.isAtEnd ? nil : try reader.readUInt8("flags")
        value = Value(type: type, charset: charset, bytes: bytes, flags: flags)
    }
}
