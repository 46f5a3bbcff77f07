// WRITE/UPDATE/DELETE_ROWS events of every generation (pre-GA, v1, v2, MariaDB compressed), framed.

/// The row-change kind of a rows event.
public enum RowsEventKind: Hashable, Sendable {
    case write, update, delete, partialUpdate
}

/// The header of a rows event and its undecoded row images.
///
/// | Name | Format | Description |
/// |---|---|---|
/// | table_id | int<6> | int<4> when the post-header is 6 bytes |
/// | flags | int<2> | STMT_END_F 1, NO_FOREIGN_KEY_CHECKS_F 2, RELAXED_UNIQUE_CHECKS_F 4, COMPLETE_ROWS_F 8 |
/// | extra_data_len | int<2> | v2 only: length of the extra data including these two bytes |
/// | extra_data | bytes | v2 only: NDB info, partition ids |
/// | column_count | int<lenenc> | |
/// | columns_present | bytes<(column_count+7)/8> | |
/// | columns_present_after | bytes<(column_count+7)/8> | UPDATE only |
/// | rows | bytes<EOF> | row images; zlib-compressed in MariaDB's *_COMPRESSED events |
public struct RowsEvent: Hashable, Sendable {
    public struct Flags: OptionSet, Hashable, Sendable {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// The corresponding server constant is `STMT_END_F`.
        public static let statementEnd = Self(rawValue: 1)
        /// The corresponding server constant is `NO_FOREIGN_KEY_CHECKS_F`.
        public static let noForeignKeyChecks = Self(rawValue: 2)
        /// The corresponding server constant is `RELAXED_UNIQUE_CHECKS_F`.
        public static let relaxedUniqueChecks = Self(rawValue: 4)
        /// The corresponding server constant is `COMPLETE_ROWS_F`.
        public static let completeRows = Self(rawValue: 8)
        /// The corresponding server constant is `NO_CHECK_CONSTRAINT_CHECKS_F` (MariaDB).
        public static let noCheckConstraintChecks = Self(rawValue: 0x80)
    }

    public var kind: RowsEventKind
    public var version: Int
    public var tableID: UInt64
    public var flags: Flags
    public var columnCount: Int
    /// The event body the fields below are ranges of (one reference to count, not four).
    private var body: ArraySlice<UInt8>
    private var extraRange: Range<Int>
    private var presentRange: Range<Int>
    private var presentAfterRange: Range<Int>?
    /// Decompressed row images of MariaDB's compressed events.
    private var inflated: [UInt8]?

    public var extraData: ArraySlice<UInt8> { body[extraRange] }
    public var columnsPresent: ArraySlice<UInt8> { body[presentRange] }
    public var columnsPresentAfter: ArraySlice<UInt8>? { presentAfterRange.map { body[$0] } }
    /// Row images (decompressed for MariaDB's compressed events); a slice of the event otherwise.
    public var rows: ArraySlice<UInt8> {
        if let inflated { return inflated[...] }
        return body[(presentAfterRange ?? presentRange).upperBound..<body.endIndex]
    }
    public var wasCompressed: Bool
    /// Offset of the row images from the start of the event (where compression begins).
    public var rowsStart: Int

    init(parsing reader: inout ByteReader, type: BinlogEventType, postHeaderLength: Int,
         options: DecodingOptions) throws(BinlogDecodingError) {
        switch type.rawValue {
        case 20, 23, 30, 166, 169: kind = .write
        case 21, 24, 31, 167, 170: kind = .update
        case 39: kind = .partialUpdate
        default: kind = .delete
        }
        switch type.rawValue {
        case 20...22: version = 0
        case 23...25, 166...168: version = 1
        default: version = 2
        }
        wasCompressed = (166...171).contains(type.rawValue)
        body = reader.bytes[reader.index..<reader.bytes.endIndex]
        if postHeaderLength == 6 {
            tableID = UInt64(try reader.readUInt32("table_id"))
        } else {
            tableID = try reader.readUInt48("table_id")
        }
        flags = Flags(rawValue: try reader.readUInt16("flags"))
        var used = postHeaderLength == 6 ? 6 : 8
        if postHeaderLength >= 10 {
            let extraLength = Int(try reader.readUInt16("extra_data_len"))
            guard extraLength >= 2 else {
                throw reader.error(.invalidLength("extra data length \(extraLength) is below 2"), field: "extra_data_len")
            }
            extraRange = try reader.readRange(extraLength - 2, "extra_data")
            used = 10
        } else {
            extraRange = reader.index..<reader.index
        }
        if postHeaderLength > used { try reader.skip(postHeaderLength - used, "post_header") }
        let width = try reader.readLengthEncodedInteger("column_count")
        // Each column takes a bit of the bitmap that follows: a count the bytes cannot hold is wrong.
        guard width <= UInt64(reader.remaining) * 8 else {
            throw reader.error(.invalidLength("\(width) columns need a longer bitmap than the \(reader.remaining) bytes left"), field: "column_count")
        }
        columnCount = Int(width)
        let bitmapLength = (columnCount + 7) / 8
        presentRange = try reader.readRange(bitmapLength, "columns_present")
        // A pre-GA update has one bitmap for both images.
        if (kind == .update && version > 0) || kind == .partialUpdate {
            presentAfterRange = try reader.readRange(bitmapLength, "columns_present_after")
        }
        let rowsOffset = reader.offset
        rowsStart = Int(rowsOffset - (reader.eventOffset ?? rowsOffset))
        let raw = reader.readRest()
        if wasCompressed {
            inflated = try MariaDBCompression.decompress(raw, offset: rowsOffset, eventType: reader.eventType,
                                                         eventOffset: reader.eventOffset, field: "rows", options: options)
        }
    }
}

extension RowsEvent {
    /// Equal when the decoded fields are equal, wherever the bytes are stored.
    public static func == (a: RowsEvent, b: RowsEvent) -> Bool {
        a.kind == b.kind && a.version == b.version && a.tableID == b.tableID && a.flags == b.flags
            && a.columnCount == b.columnCount && a.wasCompressed == b.wasCompressed && a.rowsStart == b.rowsStart
            && a.extraData == b.extraData && a.columnsPresent == b.columnsPresent
            && a.columnsPresentAfter == b.columnsPresentAfter && a.rows == b.rows
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tableID)
        hasher.combine(flags.rawValue)
        hasher.combine(rows)
    }
}

extension BinlogEvent {
    /// For MariaDB's compressed rows events: the equivalent uncompressed event (type 23–25 or
    /// 30–32, new size, checksum recomputed), as mariadb-binlog prints it in BINLOG statements.
    /// `nil` for other events.
    public var uncompressedRowsEvent: [UInt8]? {
        guard case .rows(let rows) = payload, rows.wasCompressed, rows.rowsStart <= bytes.count else { return nil }
        var event = Array(bytes.prefix(rows.rowsStart))
        event.append(contentsOf: rows.rows)
        let hasChecksum = checksum != nil
        let size = event.count + (hasChecksum ? 4 : 0)
        let type = header.type.rawValue
        event[4] = type >= 169 ? type - 169 + 30 : type - 166 + 23
        event[9] = UInt8(size & 0xff)
        event[10] = UInt8((size >> 8) & 0xff)
        event[11] = UInt8((size >> 16) & 0xff)
        event[12] = UInt8((size >> 24) & 0xff)
        if hasChecksum {
            let crc = CRC32.checksum(event[...])
            event += [UInt8(crc & 0xff), UInt8((crc >> 8) & 0xff), UInt8((crc >> 16) & 0xff), UInt8(crc >> 24)]
        }
        return event
    }
}
