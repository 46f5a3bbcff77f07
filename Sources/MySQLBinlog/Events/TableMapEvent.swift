// TABLE_MAP_EVENT: binds a table id to a table and its column types for the row events after it.

/// | Name | Format | Description |
/// |---|---|---|
/// | table_id | int<6> | int<4> when the post-header is 6 bytes (MySQL 5.1.0–5.1.3) |
/// | flags | int<2> | |
/// | db_len, db | int<1>, string NUL | |
/// | table_len, table | int<1>, string NUL | |
/// | column_count | int<lenenc> | |
/// | column_types | int<1>[column_count] | ``ColumnType`` |
/// | metadata_len, metadata | int<lenenc>, bytes | per-type metadata, see ``ColumnType/metadataLength`` |
/// | null_bits | bytes<(column_count+7)/8> | nullable columns |
/// | optional_metadata | bytes<EOF> | TLV (binlog_row_metadata); decoded by the rows layer |
public struct TableMapEvent: Hashable, Sendable {
    public var tableID: UInt64
    public var flags: UInt16
    public var database: BinlogString
    public var table: BinlogString
    public var columnTypes: [ColumnType]
    /// Metadata of each column, as a 16-bit value (0 when the type has none); two-byte
    /// metadata is combined as the server's `table_def` does for that type.
    public var columnMetadata: [UInt16]
    public var nullBitmap: [UInt8]
    public var optionalMetadata: [UInt8]

    public var columnCount: Int { columnTypes.count }

    init(parsing reader: inout ByteReader, postHeaderLength: Int) throws(BinlogDecodingError) {
        if postHeaderLength == 6 {
            tableID = UInt64(try reader.readUInt32("table_id"))
        } else {
            tableID = try reader.readUInt48("table_id")
        }
        flags = try reader.readUInt16("flags")
        let used = postHeaderLength == 6 ? 6 : 8
        if postHeaderLength > used { try reader.skip(postHeaderLength - used, "post_header") }
        let databaseLength = Int(try reader.readUInt8("db_len"))
        database = try reader.readString(databaseLength, "db")
        try reader.skip(1, "db")
        let tableLength = Int(try reader.readUInt8("table_len"))
        table = try reader.readString(tableLength, "table")
        try reader.skip(1, "table")
        let count = try reader.length(try reader.readLengthEncodedInteger("column_count"), "column_types")
        columnTypes = try reader.readBytes(count, "column_types").map(ColumnType.init(rawValue:))
        let metadataLength = try reader.length(try reader.readLengthEncodedInteger("metadata_len"), "metadata")
        var metadata = try reader.bounded(metadataLength, "metadata")
        var values: [UInt16] = []
        values.reserveCapacity(count)
        for type in columnTypes {
            switch type.metadataLength {
            case 1:
                values.append(UInt16(try metadata.readUInt8("metadata")))
            case 2:
                let first = UInt16(try metadata.readUInt8("metadata"))
                let second = UInt16(try metadata.readUInt8("metadata"))
                // VARCHAR and BIT store little-endian; STRING/ENUM/SET/NEWDECIMAL keep the first byte high.
                if type == .varchar || type == .varString || type == .bit {
                    values.append(first | second << 8)
                } else {
                    values.append(first << 8 | second)
                }
            default:
                values.append(0)
            }
        }
        columnMetadata = values
        nullBitmap = Array(try reader.readBytes((count + 7) / 8, "null_bits"))
        optionalMetadata = Array(reader.readRest())
    }

    public func isNullable(_ column: Int) -> Bool {
        column / 8 < nullBitmap.count && nullBitmap[column / 8] & (1 << (column % 8)) != 0
    }
}
