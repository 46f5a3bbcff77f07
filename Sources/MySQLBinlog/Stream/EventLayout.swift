// Where the parts of an event are, for consumers that read some events from their bytes.

/// The lengths the Format_description in force sets (common header, checksum, the post-headers
/// of Table_map and rows events), taken once so that reading the hot events of a file — rows
/// events and Table_maps — needs no decoder and builds no ``BinlogEvent``.
///
/// Get it from ``BinlogDecoder/layout`` or ``PrefetchingEventReader/layout`` after each
/// Format_description; it is a plain value and costs nothing to keep.
public struct EventLayout: Sendable {
    public var headerLength: Int
    /// 4 with CRC32 checksums, else 0.
    public var checksumLength: Int
    var tableMap: Int
    var rowsV0: Int
    var rowsV1: Int
    var rowsV2: Int
    var compressedV1: Int
    var compressedV2: Int
    var options: DecodingOptions

    init(headerLength: Int, checksumLength: Int, postHeaderLength: (BinlogEventType, Int) -> Int, options: DecodingOptions) {
        self.headerLength = headerLength
        self.checksumLength = checksumLength
        tableMap = postHeaderLength(.tableMap, 8)
        rowsV0 = postHeaderLength(BinlogEventType(rawValue: 20), 8)
        rowsV1 = postHeaderLength(.writeRowsV1, 8)
        rowsV2 = postHeaderLength(.writeRows, 10)
        compressedV1 = postHeaderLength(.writeRowsCompressedV1, 8)
        compressedV2 = postHeaderLength(.writeRowsCompressed, 8)
        self.options = options
    }

    /// The rows event in `bytes` (a whole event, header and checksum included, of type 20–25,
    /// 30–32, 39 or 166–171), without its checksum checked. MariaDB's compressed row images are inflated.
    public func rows(_ bytes: ArraySlice<UInt8>, at offset: UInt64) throws(BinlogDecodingError) -> RowsEvent {
        var body = try bodyReader(bytes, at: offset)
        let type = body.eventType ?? .unknown
        let postHeader: Int
        switch type.rawValue {
        case 20...22: postHeader = rowsV0
        case 23...25: postHeader = rowsV1
        case 30...32, 39: postHeader = rowsV2
        case 166...168: postHeader = compressedV1
        case 169...171: postHeader = compressedV2
        default:
            throw body.error(.invalidValue("event type \(type.rawValue) is not a rows event"), field: "type")
        }
        return try RowsEvent(parsing: &body, type: type, postHeaderLength: postHeader, options: options)
    }

    /// The table id of the Table_map in `bytes` and its body (after the common header, without
    /// the checksum): two maps with equal bodies describe the same table.
    public func tableMapBody(_ bytes: ArraySlice<UInt8>, at offset: UInt64) throws(BinlogDecodingError) -> (tableID: UInt64, body: ArraySlice<UInt8>) {
        var body = try bodyReader(bytes, at: offset)
        let whole = body.bytes[body.index...]
        let tableID = tableMap == 6 ? UInt64(try body.readUInt32("table_id")) : try body.readUInt48("table_id")
        return (tableID, whole)
    }

    /// A reader over the body of a complete event (after the common header, before the checksum).
    private func bodyReader(_ bytes: ArraySlice<UInt8>, at offset: UInt64) throws(BinlogDecodingError) -> ByteReader {
        let type = bytes.count > 4 ? BinlogEventType(rawValue: bytes[bytes.startIndex + 4]) : nil
        guard bytes.count >= headerLength + checksumLength else {
            throw BinlogDecodingError(.truncated(needed: headerLength + checksumLength, available: bytes.count), offset: offset,
                                      eventType: type, eventOffset: offset, field: "header")
        }
        return ByteReader(bytes[(bytes.startIndex + headerLength)..<(bytes.endIndex - checksumLength)],
                          baseOffset: offset + UInt64(headerLength), eventType: type, eventOffset: offset)
    }
}
