// TABLE_MAP_EVENT: binds a table id to a table and its column types for the row events after it.

/// | Name | Format | Description |
/// |---|---|---|
/// | table_id | int<6> | int<4> when the post-header is 6 bytes (MySQL 5.1.0–5.1.3) |
/// | flags | int<2> | |
/// | db_len, db | int<1>, string NUL | |
/// | table_len, table | int<1>, string NUL | |
/// | column_count | int<lenenc> | |
/// | column_types | int<1>[column_count] | ``ColumnType`` |
/// | metadata_len, metadata | int<lenenc>, bytes | per-type metadata, see ``ColumnType/metadataLength``; absent before MySQL 5.1.18 |
/// | null_bits | bytes<(column_count+7)/8> | nullable columns; absent with the metadata |
/// | optional_metadata | bytes<EOF> | TLV (binlog_row_metadata); decoded by the rows layer |
public struct TableMapEvent: Hashable, Sendable {
    public var tableID: UInt64
    public var flags: UInt16
    /// The event body the fields below are ranges of: one reference to count, not eight.
    private var body: ArraySlice<UInt8>
    private var databaseRange: Range<Int>
    private var tableRange: Range<Int>
    private var typesRange: Range<Int>
    private var metadataRange: Range<Int>
    private var nullsRange: Range<Int>

    public var database: BinlogString { BinlogString(body[databaseRange]) }
    public var table: BinlogString { BinlogString(body[tableRange]) }
    /// The type code of each column (see ``columnTypes`` for them as values).
    public var columnTypeCodes: ArraySlice<UInt8> { body[typesRange] }
    /// The per-column metadata block, as stored.
    public var metadataBytes: ArraySlice<UInt8> { body[metadataRange] }
    public var nullBitmap: ArraySlice<UInt8> { body[nullsRange] }
    public var optionalMetadata: ArraySlice<UInt8> { body[nullsRange.upperBound..<body.endIndex] }

    public var columnCount: Int { columnTypeCodes.count }
    public var columnTypes: [ColumnType] { columnTypeCodes.map(ColumnType.init(rawValue:)) }

    /// Metadata of each column, as a 16-bit value (0 when the type has none); two-byte
    /// metadata is combined as the server's `table_def` does for that type. Computed from the
    /// stored bytes on each call: cache it per table, not per row.
    public var columnMetadata: [UInt16] {
        var values: [UInt16] = []
        values.reserveCapacity(columnTypeCodes.count)
        var index = metadataBytes.startIndex
        for code in columnTypeCodes {
            let type = ColumnType(rawValue: code)
            switch type.metadataLength {
            case 1:
                values.append(index < metadataBytes.endIndex ? UInt16(metadataBytes[index]) : 0)
                index += 1
            case 2:
                let first = index < metadataBytes.endIndex ? UInt16(metadataBytes[index]) : 0
                let second = index + 1 < metadataBytes.endIndex ? UInt16(metadataBytes[index + 1]) : 0
                index += 2
                // VARCHAR (compressed too) and BIT store little-endian; STRING/ENUM/SET/NEWDECIMAL keep the first byte high.
                if type == .varchar || type == .varString || type == .bit || type == .varcharCompressed {
                    values.append(first | second << 8)
                } else {
                    values.append(first << 8 | second)
                }
            default:
                values.append(0)
            }
        }
        return values
    }

    /// Decodes a Table_map from its body: the bytes after the common header, without the checksum.
    public init(body: ArraySlice<UInt8>, postHeaderLength: Int) throws(BinlogDecodingError) {
        var reader = ByteReader(body)
        try self.init(parsing: &reader, postHeaderLength: postHeaderLength)
    }

    init(parsing reader: inout ByteReader, postHeaderLength: Int) throws(BinlogDecodingError) {
        body = reader.bytes[reader.index..<reader.bytes.endIndex]
        if postHeaderLength == 6 {
            tableID = UInt64(try reader.readUInt32("table_id"))
        } else {
            tableID = try reader.readUInt48("table_id")
        }
        flags = try reader.readUInt16("flags")
        let used = postHeaderLength == 6 ? 6 : 8
        if postHeaderLength > used { try reader.skip(postHeaderLength - used, "post_header") }
        let databaseLength = Int(try reader.readUInt8("db_len"))
        databaseRange = try reader.readRange(databaseLength, "db")
        try reader.skip(1, "db")
        let tableLength = Int(try reader.readUInt8("table_len"))
        tableRange = try reader.readRange(tableLength, "table")
        try reader.skip(1, "table")
        let count = try reader.length(try reader.readLengthEncodedInteger("column_count"), "column_types")
        typesRange = try reader.readRange(count, "column_types")
        // MySQL 5.1 before 5.1.18 wrote no metadata and no null bits: the event ends here.
        if reader.isAtEnd {
            metadataRange = reader.index..<reader.index
            nullsRange = reader.index..<reader.index
            body = body[body.startIndex..<reader.bytes.endIndex]
            return
        }
        let metadataLength = try reader.length(try reader.readLengthEncodedInteger("metadata_len"), "metadata")
        metadataRange = try reader.readRange(metadataLength, "metadata")
        // The metadata must hold what the column types declare.
        var needed = 0
        for code in body[typesRange] { needed += ColumnType(rawValue: code).metadataLength }
        guard needed <= metadataLength else {
            throw reader.error(.invalidLength("column types need \(needed) metadata bytes, the event has \(metadataLength)"), field: "metadata")
        }
        nullsRange = try reader.readRange((count + 7) / 8, "null_bits")
        body = body[body.startIndex..<reader.bytes.endIndex]
        _ = reader.readRest()
    }

    /// Equal when the decoded fields are equal, wherever the bytes are stored.
    public static func == (a: TableMapEvent, b: TableMapEvent) -> Bool {
        a.tableID == b.tableID && a.flags == b.flags && a.database == b.database && a.table == b.table
            && a.columnTypeCodes == b.columnTypeCodes && a.metadataBytes == b.metadataBytes
            && a.nullBitmap == b.nullBitmap && a.optionalMetadata == b.optionalMetadata
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tableID)
        hasher.combine(database)
        hasher.combine(table)
        hasher.combine(columnTypeCodes)
    }

    /// True when both events have the same bytes (a cheap test before re-deriving anything).
    public func hasSameBody(as other: TableMapEvent) -> Bool {
        body.count == other.body.count && body.withUnsafeBytes { a in
            other.body.withUnsafeBytes { b in a.elementsEqual(b) }
        }
    }

    /// The same event in storage of its own (not keeping the event's buffer alive).
    public func owned() -> TableMapEvent {
        var copy = self
        let shift = body.startIndex
        copy.body = ArraySlice(Array(body))
        func move(_ range: Range<Int>) -> Range<Int> { (range.lowerBound - shift)..<(range.upperBound - shift) }
        copy.databaseRange = move(databaseRange)
        copy.tableRange = move(tableRange)
        copy.typesRange = move(typesRange)
        copy.metadataRange = move(metadataRange)
        copy.nullsRange = move(nullsRange)
        return copy
    }

    public func isNullable(_ column: Int) -> Bool {
        column / 8 < nullBitmap.count && nullBitmap[nullBitmap.startIndex + column / 8] & (1 << (column % 8)) != 0
    }
}
