// GTID_TAGGED_LOG_EVENT (MySQL 8.3+): a GTID event in the mysql::serialization format.

enum TaggedGTIDDecoder {
    static func decode(_ reader: inout ByteReader) throws(BinlogDecodingError) -> GTIDEvent {
        throw reader.error(.invalidValue("tagged GTID events are not decoded yet"), field: nil)
    }
}
