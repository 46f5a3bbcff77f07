// GTID_EVENT (MariaDB): starts an event group with its domain-server-sequence GTID.

/// | Name | Format | Description |
/// |---|---|---|
/// | seq_no | int<8> | |
/// | domain_id | int<4> | |
/// | flags2 | int<1> | ``Flags`` |
/// | commit_id | int<8> | only with FL_GROUP_COMMIT_ID; otherwise 6 zero bytes complete the 19-byte post-header |
/// | xid format_id, gtrid_len, bqual_len, data | int<4>, int<1>, int<1>, bytes | only with FL_PREPARED_XA or FL_COMPLETED_XA |
/// | flags_extra | int<1> | optional (10.5+): ``ExtraFlags`` |
/// | extra_engines | int<1> | with FL_EXTRA_MULTI_ENGINE_E1 |
/// | sa_seq_no | int<8> | with FL_COMMIT_ALTER_E1 or FL_ROLLBACK_ALTER_E1 |
/// | thread_id | int<4> | with FL_EXTRA_THREAD_ID (11.5+) |
public struct MariaDBGTIDEvent: Hashable, Sendable {
    public struct Flags: OptionSet, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The corresponding server constant is `FL_STANDALONE`.
        public static let standalone = Self(rawValue: 1)
        /// The corresponding server constant is `FL_GROUP_COMMIT_ID`.
        public static let groupCommitID = Self(rawValue: 2)
        /// The corresponding server constant is `FL_TRANSACTIONAL`.
        public static let transactional = Self(rawValue: 4)
        /// The corresponding server constant is `FL_ALLOW_PARALLEL`.
        public static let allowParallel = Self(rawValue: 8)
        /// The corresponding server constant is `FL_WAITED`.
        public static let waited = Self(rawValue: 16)
        /// The corresponding server constant is `FL_DDL`.
        public static let ddl = Self(rawValue: 32)
        /// The corresponding server constant is `FL_PREPARED_XA`.
        public static let preparedXA = Self(rawValue: 64)
        /// The corresponding server constant is `FL_COMPLETED_XA`.
        public static let completedXA = Self(rawValue: 128)
    }

    public struct ExtraFlags: OptionSet, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The corresponding server constant is `FL_EXTRA_MULTI_ENGINE_E1`.
        public static let multiEngine = Self(rawValue: 1)
        /// The corresponding server constant is `FL_START_ALTER_E1`.
        public static let startAlter = Self(rawValue: 2)
        /// The corresponding server constant is `FL_COMMIT_ALTER_E1`.
        public static let commitAlter = Self(rawValue: 4)
        /// The corresponding server constant is `FL_ROLLBACK_ALTER_E1`.
        public static let rollbackAlter = Self(rawValue: 8)
        /// The corresponding server constant is `FL_EXTRA_THREAD_ID`.
        public static let threadID = Self(rawValue: 16)
    }

    public var sequenceNumber: UInt64
    public var domainID: UInt32
    public var flags: Flags
    public var commitID: UInt64?
    public var xid: XID?
    public var extraFlags: ExtraFlags?
    public var extraEngines: UInt8?
    public var startAlterSequenceNumber: UInt64?
    public var threadID: UInt32?

    init(parsing reader: inout ByteReader, postHeaderLength: Int) throws(BinlogDecodingError) {
        guard postHeaderLength >= 19 else {
            throw reader.error(.invalidLength("GTID post-header length \(postHeaderLength) is below 19"), field: "post_header_len")
        }
        sequenceNumber = try reader.readUInt64("seq_no")
        domainID = try reader.readUInt32("domain_id")
        flags = Flags(rawValue: try reader.readUInt8("flags2"))
        if flags.contains(.groupCommitID) {
            commitID = try reader.readUInt64("commit_id")
        }
        if !flags.intersection([.preparedXA, .completedXA]).isEmpty {
            let formatID = Int32(bitPattern: try reader.readUInt32("xid_format_id"))
            let gtridLength = Int(try reader.readUInt8("xid_gtrid_length"))
            let bqualLength = Int(try reader.readUInt8("xid_bqual_length"))
            guard gtridLength <= 64, bqualLength <= 64 else {
                throw reader.error(.invalidLength("XID lengths \(gtridLength)/\(bqualLength) exceed 64"), field: "xid_gtrid_length")
            }
            xid = XID(formatID: formatID, gtrid: Array(try reader.readBytes(gtridLength, "xid_gtrid")),
                      bqual: Array(try reader.readBytes(bqualLength, "xid_bqual")))
        }
        // As the server reads it: the byte after what was read is flags_extra when present
        // (in a plain event it is the first of the zero reserved bytes, so reads as no flags).
        if !reader.isAtEnd {
            let extra = ExtraFlags(rawValue: try reader.readUInt8("flags_extra"))
            extraFlags = extra
            if extra.contains(.multiEngine) { extraEngines = try reader.readUInt8("extra_engines") }
            if !extra.intersection([.commitAlter, .rollbackAlter]).isEmpty {
                startAlterSequenceNumber = try reader.readUInt64("sa_seq_no")
            }
            if extra.contains(.threadID) { threadID = try reader.readUInt32("thread_id") }
        }
    }
}

/// A MariaDB GTID: `domain-server-sequence`.
public struct MariaDBGTID: Hashable, Sendable, CustomStringConvertible {
    public var domainID: UInt32
    public var serverID: UInt32
    public var sequenceNumber: UInt64

    public init(domainID: UInt32, serverID: UInt32, sequenceNumber: UInt64) {
        self.domainID = domainID
        self.serverID = serverID
        self.sequenceNumber = sequenceNumber
    }

    public var description: String { "\(domainID)-\(serverID)-\(sequenceNumber)" }
}

/// GTID_LIST_EVENT (MariaDB): the binlog state when this file began.
///
/// | Name | Format | Description |
/// |---|---|---|
/// | count | int<4> | low 28 bits: number of GTIDs; high 4 bits: flags |
/// | per GTID | int<4> domain, int<4> server, int<8> seq_no | |
public struct GTIDListEvent: Hashable, Sendable {
    public var flags: UInt8
    public var gtids: [MariaDBGTID]

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        let value = try reader.readUInt32("count")
        let count = Int(value & ((1 << 28) - 1))
        flags = UInt8(value >> 28)
        guard count <= reader.remaining / 16 else {
            throw reader.error(.invalidLength("\(count) GTIDs cannot fit in \(reader.remaining) bytes"), field: "count")
        }
        gtids = []
        gtids.reserveCapacity(count)
        for _ in 0..<count {
            let domain = try reader.readUInt32("domain_id")
            let server = try reader.readUInt32("server_id")
            let sequence = try reader.readUInt64("seq_no")
            gtids.append(MariaDBGTID(domainID: domain, serverID: server, sequenceNumber: sequence))
        }
    }
}
