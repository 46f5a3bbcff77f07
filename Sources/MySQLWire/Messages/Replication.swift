// The replication commands a replica sends, and the packets of a binlog stream.
import NIOCore

extension Command {
    /// `COM_REGISTER_SLAVE` (0x15): announce this client as a replica.
    ///
    /// | Name | Format |
    /// |---|---|
    /// | command | int<1> 0x15 |
    /// | server_id | int<4> |
    /// | hostname, user, password | int<1> length + bytes each (empty here) |
    /// | port | int<2> |
    /// | replication_rank | int<4> (0) |
    /// | master_id | int<4> (0) |
    public static func registerReplica(serverID: UInt32, hostname: String = "", port: UInt16 = 0) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0x15))
        buffer.writeInteger(serverID, endianness: .little)
        let host = Array(hostname.utf8.prefix(255))
        buffer.writeInteger(UInt8(host.count))
        buffer.writeBytes(host)
        buffer.writeInteger(UInt8(0))  // user
        buffer.writeInteger(UInt8(0))  // password
        buffer.writeInteger(port, endianness: .little)
        buffer.writeInteger(UInt32(0), endianness: .little)
        buffer.writeInteger(UInt32(0), endianness: .little)
        return buffer
    }

    /// `BINLOG_DUMP_NON_BLOCK`: the server sends EOF at the end of its last binlog instead of waiting.
    public static let binlogDumpNonBlocking: UInt16 = 1

    /// `COM_BINLOG_DUMP` (0x12): stream the binlog from `file` at `position`.
    ///
    /// | Name | Format |
    /// |---|---|
    /// | command | int<1> 0x12 |
    /// | binlog_pos | int<4> |
    /// | flags | int<2> (BINLOG_DUMP_NON_BLOCK = 1) |
    /// | server_id | int<4> |
    /// | binlog_filename | string<EOF> |
    public static func binlogDump(file: String, position: UInt32, serverID: UInt32, flags: UInt16) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0x12))
        buffer.writeInteger(position, endianness: .little)
        buffer.writeInteger(flags, endianness: .little)
        buffer.writeInteger(serverID, endianness: .little)
        buffer.writeBytes(Array(file.utf8))
        return buffer
    }
}

extension Command {
    /// `BINLOG_THROUGH_GTID`: COM_BINLOG_DUMP_GTID carries a GTID set.
    public static let binlogThroughGTID: UInt16 = 4

    /// `COM_BINLOG_DUMP_GTID` (0x1e, MySQL): stream every transaction not in `gtidSet`, from the
    /// first binlog that has one (the file name is empty, the position 4, as MySQL's replica sends).
    ///
    /// | Name | Format |
    /// |---|---|
    /// | command | int<1> 0x1e |
    /// | flags | int<2> (BINLOG_DUMP_NON_BLOCK = 1, BINLOG_THROUGH_GTID = 4) |
    /// | server_id | int<4> |
    /// | binlog_filename_len | int<4> |
    /// | binlog_filename | string<len> |
    /// | binlog_pos | int<8> |
    /// | gtid_data_len | int<4> |
    /// | gtid_data | the set as a Previous_gtids event encodes it (`Gtid_set::encode`) |
    public static func binlogDumpGTID(gtidSet encoded: [UInt8], serverID: UInt32, flags: UInt16, file: String = "", position: UInt64 = 4) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0x1e))
        buffer.writeInteger(flags | binlogThroughGTID, endianness: .little)
        buffer.writeInteger(serverID, endianness: .little)
        let name = Array(file.utf8)
        buffer.writeInteger(UInt32(name.count), endianness: .little)
        buffer.writeBytes(name)
        buffer.writeInteger(position, endianness: .little)
        buffer.writeInteger(UInt32(encoded.count), endianness: .little)
        buffer.writeBytes(encoded)
        return buffer
    }
}

/// One packet of a binlog stream (after COM_BINLOG_DUMP).
public enum BinlogStreamPacket: Equatable, Sendable {
    /// 0x00 and the event's bytes (header, body, checksum).
    case event(ByteBuffer)
    /// The end of the last binlog (non-blocking dumps).
    case end
    case error(ServerError)

    /// Nil when the packet is none of these (the caller names it as a protocol error).
    public init?(parsing payload: ByteBuffer, capabilities: Capabilities) {
        switch payload.getInteger(at: payload.readerIndex, as: UInt8.self) {
        case 0x00:
            var event = payload
            event.moveReaderIndex(forwardBy: 1)
            self = .event(event)
        case 0xfe where payload.readableBytes < 9:
            self = .end
        case 0xff:
            guard let error = ServerError(parsing: payload, capabilities: capabilities) else { return nil }
            self = .error(error)
        default:
            return nil
        }
    }
}
