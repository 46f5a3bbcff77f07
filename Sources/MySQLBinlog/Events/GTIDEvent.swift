// GTID_LOG_EVENT and ANONYMOUS_GTID_LOG_EVENT (MySQL): the identity and logical clock of a transaction.

/// | Name | Format | Description |
/// |---|---|---|
/// | flags | int<1> | bit 0: may have statement-based statements (rbr_only when clear) |
/// | sid | bytes<16> | source UUID (zero for anonymous) |
/// | gno | int<8> | transaction number |
/// | lt_type | int<1> | 2 = logical timestamps follow (5.7+) |
/// | last_committed | int<8> | |
/// | sequence_number | int<8> | |
/// | immediate_commit_timestamp | int<7> | µs; bit 55 set when the original timestamp follows (8.0.1+) |
/// | original_commit_timestamp | int<7> | µs; only when bit 55 was set, else equals the immediate one |
/// | transaction_length | int<lenenc> | bytes of the whole transaction (8.0.2+) |
/// | immediate_server_version | int<4> | bit 31 set when the original version follows (8.0.14+) |
/// | original_server_version | int<4> | |
/// | commit_group_ticket | int<8> | optional (8.0.33+, group replication) |
public struct GTIDEvent: Hashable, Sendable {
    public var flags: UInt8
    public var sid: ServerUUID
    public var gno: Int64
    /// The tag of a tagged GTID (MySQL 8.3+), else `nil`.
    public var tag: String?
    public var lastCommitted: Int64?
    public var sequenceNumber: Int64?
    public var immediateCommitTimestamp: UInt64?
    public var originalCommitTimestamp: UInt64?
    public var transactionLength: UInt64?
    public var immediateServerVersion: UInt32?
    public var originalServerVersion: UInt32?
    public var commitGroupTicket: UInt64?

    /// False when the transaction may contain statement-based events.
    public var isRowBasedOnly: Bool { flags & 1 == 0 }

    public init(flags: UInt8, sid: ServerUUID, gno: Int64) {
        self.flags = flags
        self.sid = sid
        self.gno = gno
    }

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        flags = try reader.readUInt8("flags")
        sid = try ServerUUID(parsing: &reader, "sid")
        gno = Int64(bitPattern: try reader.readUInt64("gno"))
        guard !reader.isAtEnd else { return }
        let timestampType = try reader.readUInt8("lt_type")
        // As the server reads it: everything after lt_type exists only with logical timestamps
        // (MySQL 5.7.4 and earlier wrote other type codes and nothing that follows here).
        guard timestampType == 2 else { return }
        lastCommitted = Int64(bitPattern: try reader.readUInt64("last_committed"))
        sequenceNumber = Int64(bitPattern: try reader.readUInt64("sequence_number"))
        guard reader.remaining >= 7 else { return }
        var immediate = try reader.readUInt(byteCount: 7, "immediate_commit_timestamp")
        if immediate & (1 << 55) != 0 {
            immediate &= ~(1 << 55)
            originalCommitTimestamp = try reader.readUInt(byteCount: 7, "original_commit_timestamp")
        } else {
            originalCommitTimestamp = immediate
        }
        immediateCommitTimestamp = immediate
        guard !reader.isAtEnd else { return }
        transactionLength = try reader.readLengthEncodedInteger("transaction_length")
        guard reader.remaining >= 4 else { return }
        var version = try reader.readUInt32("immediate_server_version")
        if version & (1 << 31) != 0 {
            version &= ~(1 << 31)
            originalServerVersion = try reader.readUInt32("original_server_version")
        } else {
            originalServerVersion = version
        }
        immediateServerVersion = version
        if reader.remaining >= 8 {
            commitGroupTicket = try reader.readUInt64("commit_group_ticket")
        }
    }
}
