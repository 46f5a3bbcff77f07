// ROTATE_EVENT: names the next binlog file.

/// | Name | Format | Description |
/// |---|---|---|
/// | position | int<8> | where to start in the next file (binlog v3+; absent in v1) |
/// | new_log_ident | string<EOF> | next file name |
public struct RotateEvent: Hashable, Sendable {
    public var position: UInt64
    public var nextFile: BinlogString

    init(parsing reader: inout ByteReader, postHeaderLength: Int) throws(BinlogDecodingError) {
        position = postHeaderLength >= 8 ? try reader.readUInt64("position") : 4
        if postHeaderLength > 8 { try reader.skip(postHeaderLength - 8, "post_header") }
        nextFile = BinlogString(reader.readRest())
    }
}
