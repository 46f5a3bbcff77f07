// HEARTBEAT_LOG_EVENT (v1 and v2): sent by a server to an idle replica; never stored in files.

/// | Name | Format | Description |
/// |---|---|---|
/// | v1: log_ident | string<EOF> | current binlog file; the position is the header's `log_pos` |
/// | v2: fields | type int<lenenc>, length int<lenenc>, value | 1 = log file name, 2 = log position (int<lenenc>), 0 = end |
public struct HeartbeatEvent: Hashable, Sendable {
    public var logFile: BinlogString
    /// v2 only; v1 carries the position in the header.
    public var logPosition: UInt64?
    public var isVersion2: Bool

    init(parsing reader: inout ByteReader, version2: Bool) throws(BinlogDecodingError) {
        isVersion2 = version2
        if !version2 {
            logFile = BinlogString(reader.readRest())
            logPosition = nil
            return
        }
        var file = BinlogString([])
        var position: UInt64?
        fieldLoop: while !reader.isAtEnd {
            let type = try reader.readLengthEncodedInteger("field_type")
            if type == 0 { break fieldLoop }
            let length = try reader.length(try reader.readLengthEncodedInteger("field_length"), "field_value")
            var value = try reader.bounded(length, "field_value")
            switch type {
            case 1: file = BinlogString(value.readRest())
            case 2: position = try value.readLengthEncodedInteger("log_position")
            default: break
            }
        }
        logFile = file
        logPosition = position
    }
}
