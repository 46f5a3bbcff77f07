// ROWS_QUERY_LOG_EVENT (MySQL) and ANNOTATE_ROWS_EVENT (MariaDB): the statement behind row events.

/// MySQL's Rows_query: one length byte (ignored: it overflows above 255), then the statement.
public struct RowsQueryEvent: Hashable, Sendable {
    public var query: BinlogString

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        try reader.skip(1, "length")
        query = BinlogString(reader.readRest())
    }
}

/// MariaDB's Annotate_rows: the whole body is the statement.
public struct AnnotateRowsEvent: Hashable, Sendable {
    public var query: BinlogString

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        query = BinlogString(reader.readRest())
    }
}
