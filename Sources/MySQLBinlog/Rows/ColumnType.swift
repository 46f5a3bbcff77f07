// Column type codes as they appear in Table_map events.

/// The `enum_field_types` code of a column in a Table_map event. Open: unknown codes are kept.
public struct ColumnType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The corresponding server constant is `MYSQL_TYPE_DECIMAL` (pre-5.0 DECIMAL).
    public static let decimal = Self(rawValue: 0)
    /// The corresponding server constant is `MYSQL_TYPE_TINY`.
    public static let tiny = Self(rawValue: 1)
    /// The corresponding server constant is `MYSQL_TYPE_SHORT`.
    public static let short = Self(rawValue: 2)
    /// The corresponding server constant is `MYSQL_TYPE_LONG`.
    public static let long = Self(rawValue: 3)
    /// The corresponding server constant is `MYSQL_TYPE_FLOAT`.
    public static let float = Self(rawValue: 4)
    /// The corresponding server constant is `MYSQL_TYPE_DOUBLE`.
    public static let double = Self(rawValue: 5)
    /// The corresponding server constant is `MYSQL_TYPE_NULL`.
    public static let null = Self(rawValue: 6)
    /// The corresponding server constant is `MYSQL_TYPE_TIMESTAMP`.
    public static let timestamp = Self(rawValue: 7)
    /// The corresponding server constant is `MYSQL_TYPE_LONGLONG`.
    public static let longlong = Self(rawValue: 8)
    /// The corresponding server constant is `MYSQL_TYPE_INT24`.
    public static let int24 = Self(rawValue: 9)
    /// The corresponding server constant is `MYSQL_TYPE_DATE`.
    public static let date = Self(rawValue: 10)
    /// The corresponding server constant is `MYSQL_TYPE_TIME`.
    public static let time = Self(rawValue: 11)
    /// The corresponding server constant is `MYSQL_TYPE_DATETIME`.
    public static let datetime = Self(rawValue: 12)
    /// The corresponding server constant is `MYSQL_TYPE_YEAR`.
    public static let year = Self(rawValue: 13)
    /// The corresponding server constant is `MYSQL_TYPE_NEWDATE`.
    public static let newDate = Self(rawValue: 14)
    /// The corresponding server constant is `MYSQL_TYPE_VARCHAR`.
    public static let varchar = Self(rawValue: 15)
    /// The corresponding server constant is `MYSQL_TYPE_BIT`.
    public static let bit = Self(rawValue: 16)
    /// The corresponding server constant is `MYSQL_TYPE_TIMESTAMP2`.
    public static let timestamp2 = Self(rawValue: 17)
    /// The corresponding server constant is `MYSQL_TYPE_DATETIME2`.
    public static let datetime2 = Self(rawValue: 18)
    /// The corresponding server constant is `MYSQL_TYPE_TIME2`.
    public static let time2 = Self(rawValue: 19)
    /// The corresponding server constant is `MYSQL_TYPE_TYPED_ARRAY`.
    public static let typedArray = Self(rawValue: 20)
    /// The corresponding server constant is `MYSQL_TYPE_VECTOR` (MySQL 9).
    public static let vector = Self(rawValue: 242)
    /// The corresponding server constant is `MYSQL_TYPE_INVALID`.
    public static let invalid = Self(rawValue: 243)
    /// The corresponding server constant is `MYSQL_TYPE_BOOL`.
    public static let bool = Self(rawValue: 244)
    /// The corresponding server constant is `MYSQL_TYPE_JSON`.
    public static let json = Self(rawValue: 245)
    /// The corresponding server constant is `MYSQL_TYPE_NEWDECIMAL`.
    public static let newDecimal = Self(rawValue: 246)
    /// The corresponding server constant is `MYSQL_TYPE_ENUM`.
    public static let `enum` = Self(rawValue: 247)
    /// The corresponding server constant is `MYSQL_TYPE_SET`.
    public static let set = Self(rawValue: 248)
    /// The corresponding server constant is `MYSQL_TYPE_TINY_BLOB`.
    public static let tinyBlob = Self(rawValue: 249)
    /// The corresponding server constant is `MYSQL_TYPE_MEDIUM_BLOB`.
    public static let mediumBlob = Self(rawValue: 250)
    /// The corresponding server constant is `MYSQL_TYPE_LONG_BLOB`.
    public static let longBlob = Self(rawValue: 251)
    /// The corresponding server constant is `MYSQL_TYPE_BLOB`.
    public static let blob = Self(rawValue: 252)
    /// The corresponding server constant is `MYSQL_TYPE_VAR_STRING`.
    public static let varString = Self(rawValue: 253)
    /// The corresponding server constant is `MYSQL_TYPE_STRING`.
    public static let string = Self(rawValue: 254)
    /// The corresponding server constant is `MYSQL_TYPE_GEOMETRY`.
    public static let geometry = Self(rawValue: 255)
    /// MariaDB's `BLOB`/`TEXT … COMPRESSED` (`MYSQL_TYPE_BLOB_COMPRESSED`): metadata as BLOB's.
    public static let blobCompressed = Self(rawValue: 140)
    /// MariaDB's `VARCHAR … COMPRESSED` (`MYSQL_TYPE_VARCHAR_COMPRESSED`): metadata as VARCHAR's.
    public static let varcharCompressed = Self(rawValue: 141)

    /// Bytes of Table_map metadata this type carries.
    public var metadataLength: Int {
        switch rawValue {
        case 4, 5, 17, 18, 19, 140, 242, 245, 249, 250, 251, 252, 255: return 1
        case 15, 16, 141, 246, 247, 248, 253, 254: return 2
        default: return 0
        }
    }

    public var description: String { "type \(rawValue)" }
}
