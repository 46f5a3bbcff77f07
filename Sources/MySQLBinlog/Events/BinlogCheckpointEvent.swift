// BINLOG_CHECKPOINT_EVENT (MariaDB): the oldest binlog file crash recovery still needs.

/// | Name | Format | Description |
/// |---|---|---|
/// | binlog_file_length | int<4> | |
/// | binlog_file | string<binlog_file_length> | |
public struct BinlogCheckpointEvent: Hashable, Sendable {
    public var file: BinlogString

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        let length = try reader.length(UInt64(try reader.readUInt32("binlog_file_length")), "binlog_file")
        file = try reader.readString(length, "binlog_file")
    }
}
