// QUERY_EVENT (and MariaDB's QUERY_COMPRESSED_EVENT): a statement with the session state it ran in.

/// The status variables a Query event may carry, MySQL 5.0–9.x and MariaDB.
///
/// Each is a one-byte code followed by a value whose length the code fixes. The server stops
/// at the first code it does not know; so do we, keeping the rest in `unparsed`.
public struct QueryStatusVariables: Hashable, Sendable {
    /// `Q_FLAGS2_CODE` (0): OPTION_AUTO_IS_NULL, OPTION_NOT_AUTOCOMMIT, OPTION_NO_FOREIGN_KEY_CHECKS, OPTION_RELAXED_UNIQUE_CHECKS.
    public var flags2: UInt32?
    /// `Q_SQL_MODE_CODE` (1).
    public var sqlMode: UInt64?
    /// `Q_CATALOG_CODE` (2, 5.0.0–5.0.3) or `Q_CATALOG_NZ_CODE` (6).
    public var catalog: BinlogString?
    /// `Q_AUTO_INCREMENT` (3): increment, offset.
    public var autoIncrement: (increment: UInt16, offset: UInt16)? {
        get { autoIncrementIncrement.map { ($0, autoIncrementOffset ?? 1) } }
        set { autoIncrementIncrement = newValue?.increment; autoIncrementOffset = newValue?.offset }
    }
    public var autoIncrementIncrement: UInt16?
    public var autoIncrementOffset: UInt16?
    /// `Q_CHARSET_CODE` (4): character_set_client, collation_connection, collation_server.
    public var charset: (client: UInt16, connection: UInt16, server: UInt16)? {
        get { charsetClient.map { ($0, collationConnection ?? 0, collationServer ?? 0) } }
        set { charsetClient = newValue?.client; collationConnection = newValue?.connection; collationServer = newValue?.server }
    }
    public var charsetClient: UInt16?
    public var collationConnection: UInt16?
    public var collationServer: UInt16?
    /// `Q_TIME_ZONE_CODE` (5).
    public var timeZone: BinlogString?
    /// `Q_LC_TIME_NAMES_CODE` (7).
    public var lcTimeNames: UInt16?
    /// `Q_CHARSET_DATABASE_CODE` (8).
    public var charsetDatabase: UInt16?
    /// `Q_TABLE_MAP_FOR_UPDATE_CODE` (9).
    public var tableMapForUpdate: UInt64?
    /// `Q_MASTER_DATA_WRITTEN_CODE` (10).
    public var masterDataWritten: UInt32?
    /// `Q_INVOKER` (11): user and host of the definer for stored routines.
    public var invokerUser: BinlogString?
    public var invokerHost: BinlogString?
    /// `Q_UPDATED_DB_NAMES` (12): `nil` names with a count of 254 mean "too many to list".
    public var updatedDBCount: UInt8?
    public var updatedDBNames: [BinlogString]?
    /// `Q_MICROSECONDS` (13, MySQL) or `Q_HRNOW` (128, MariaDB): fraction of the statement's start time.
    public var microseconds: UInt32?
    /// `Q_EXPLICIT_DEFAULTS_FOR_TIMESTAMP` (16).
    public var explicitDefaultsForTimestamp: UInt8?
    /// `Q_DDL_LOGGED_WITH_XID` (17): the XID of an atomic DDL statement (MySQL 8.0).
    public var ddlXID: UInt64?
    /// `Q_DEFAULT_COLLATION_FOR_UTF8MB4` (18).
    public var defaultCollationForUTF8MB4: UInt16?
    /// `Q_SQL_REQUIRE_PRIMARY_KEY` (19).
    public var sqlRequirePrimaryKey: UInt8?
    /// `Q_DEFAULT_TABLE_ENCRYPTION` (20).
    public var defaultTableEncryption: UInt8?
    /// `Q_HRNOW` (128, MariaDB): set when the microseconds came from MariaDB.
    public var isMariaDBHighResolutionNow: Bool = false
    /// `Q_XID` (129, MariaDB).
    public var xid: UInt64?
    /// `Q_GTID_FLAGS3` (130, MariaDB): extra GTID flags and, for COMMIT/ROLLBACK ALTER, the START ALTER sequence number.
    public var gtidFlags3: UInt8?
    public var startAlterSequenceNumber: UInt64?
    /// `Q_CHARACTER_SET_COLLATIONS` (131, MariaDB 11.2+): raw value.
    public var characterSetCollations: [UInt8]?
    /// Status bytes from the first code we do not know to the end.
    public var unparsed: [UInt8] = []

    public init() {}


    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        while !reader.isAtEnd {
            let code = try reader.readUInt8("status_var_code")
            switch code {
            case 0: flags2 = try reader.readUInt32("Q_FLAGS2_CODE")
            case 1: sqlMode = try reader.readUInt64("Q_SQL_MODE_CODE")
            case 2:
                let length = Int(try reader.readUInt8("Q_CATALOG_CODE"))
                catalog = try reader.readString(length, "Q_CATALOG_CODE")
                try reader.skip(1, "Q_CATALOG_CODE")
            case 3:
                autoIncrementIncrement = try reader.readUInt16("Q_AUTO_INCREMENT")
                autoIncrementOffset = try reader.readUInt16("Q_AUTO_INCREMENT")
            case 4:
                charsetClient = try reader.readUInt16("Q_CHARSET_CODE")
                collationConnection = try reader.readUInt16("Q_CHARSET_CODE")
                collationServer = try reader.readUInt16("Q_CHARSET_CODE")
            case 5: timeZone = try reader.readLengthPrefixedString("Q_TIME_ZONE_CODE")
            case 6: catalog = try reader.readLengthPrefixedString("Q_CATALOG_NZ_CODE")
            case 7: lcTimeNames = try reader.readUInt16("Q_LC_TIME_NAMES_CODE")
            case 8: charsetDatabase = try reader.readUInt16("Q_CHARSET_DATABASE_CODE")
            case 9: tableMapForUpdate = try reader.readUInt64("Q_TABLE_MAP_FOR_UPDATE_CODE")
            case 10: masterDataWritten = try reader.readUInt32("Q_MASTER_DATA_WRITTEN_CODE")
            case 11:
                invokerUser = try reader.readLengthPrefixedString("Q_INVOKER")
                invokerHost = try reader.readLengthPrefixedString("Q_INVOKER")
            case 12:
                let count = try reader.readUInt8("Q_UPDATED_DB_NAMES")
                updatedDBCount = count
                if count != 254 {
                    var names: [BinlogString] = []
                    for _ in 0..<count { names.append(try reader.readNullTerminated("Q_UPDATED_DB_NAMES")) }
                    updatedDBNames = names
                }
            case 13: microseconds = try reader.readUInt24("Q_MICROSECONDS")
            case 16: explicitDefaultsForTimestamp = try reader.readUInt8("Q_EXPLICIT_DEFAULTS_FOR_TIMESTAMP")
            case 17: ddlXID = try reader.readUInt64("Q_DDL_LOGGED_WITH_XID")
            case 18: defaultCollationForUTF8MB4 = try reader.readUInt16("Q_DEFAULT_COLLATION_FOR_UTF8MB4")
            case 19: sqlRequirePrimaryKey = try reader.readUInt8("Q_SQL_REQUIRE_PRIMARY_KEY")
            case 20: defaultTableEncryption = try reader.readUInt8("Q_DEFAULT_TABLE_ENCRYPTION")
            case 128:
                microseconds = try reader.readUInt24("Q_HRNOW")
                isMariaDBHighResolutionNow = true
            case 129: xid = try reader.readUInt64("Q_XID")
            case 130:
                let flags = try reader.readUInt8("Q_GTID_FLAGS3")
                gtidFlags3 = flags
                // FL_COMMIT_ALTER_E1 | FL_ROLLBACK_ALTER_E1
                if flags & (4 | 8) != 0 { startAlterSequenceNumber = try reader.readUInt64("Q_GTID_FLAGS3") }
            case 131:
                let count = Int(try reader.readUInt8("Q_CHARACTER_SET_COLLATIONS"))
                characterSetCollations = [UInt8(count)] + Array(try reader.readBytes(count * 4, "Q_CHARACTER_SET_COLLATIONS"))
            default:
                unparsed = [code] + Array(reader.readRest())
            }
        }
    }
}

/// A statement as the server logged it.
///
/// | Name | Format | Description |
/// |---|---|---|
/// | thread_id | int<4> | connection that ran the statement |
/// | exec_time | int<4> | seconds it took |
/// | db_len | int<1> | length of the default database name |
/// | error_code | int<2> | error the statement raised on the source |
/// | status_vars_len | int<2> | binlog v4 only (post-header ≥ 13) |
/// | (extra post-header) | | Execute_load_query adds 13 bytes here |
/// | status_vars | ``QueryStatusVariables`` | status_vars_len bytes |
/// | db | string<db_len> NUL | default database |
/// | query | string<EOF> | the statement; zlib-compressed in MariaDB's Query_compressed |
public struct QueryEvent: Hashable, Sendable {
    public var threadID: UInt32
    public var executionTime: UInt32
    public var errorCode: UInt16
    public var statusVariables: QueryStatusVariables
    public var database: BinlogString
    public var query: BinlogString
    /// True for MariaDB's QUERY_COMPRESSED_EVENT (the query was stored compressed).
    public var wasCompressed: Bool

    /// Decodes the fixed part and returns the bytes of the post-header beyond the Query fields
    /// (which Execute_load_query uses) through `extraPostHeader`.
    init(parsing reader: inout ByteReader, postHeaderLength: Int, compressed: Bool,
         options: DecodingOptions, extraPostHeader: inout ArraySlice<UInt8>) throws(BinlogDecodingError) {
        guard postHeaderLength >= 11 else {
            throw reader.error(.invalidLength("Query post-header length \(postHeaderLength) is below 11"), field: "post_header_len")
        }
        var post = try reader.bounded(postHeaderLength, "post_header")
        threadID = try post.readUInt32("thread_id")
        executionTime = try post.readUInt32("exec_time")
        let databaseLength = Int(try post.readUInt8("db_len"))
        errorCode = try post.readUInt16("error_code")
        var statusLength = 0
        if postHeaderLength >= 13 {
            statusLength = Int(try post.readUInt16("status_vars_len"))
        }
        extraPostHeader = post.readRest()
        var status = try reader.bounded(statusLength, "status_vars")
        statusVariables = try QueryStatusVariables(parsing: &status)
        database = try reader.readString(databaseLength, "db")
        let terminator = try reader.readUInt8("db")
        guard terminator == 0 else {
            throw reader.error(.invalidValue("default database name is not NUL-terminated"), field: "db")
        }
        let queryOffset = reader.offset
        let raw = reader.readRest()
        if compressed {
            query = BinlogString(try MariaDBCompression.decompress(raw, offset: queryOffset, eventType: reader.eventType,
                                                                    eventOffset: reader.eventOffset, field: "query",
                                                                    options: options))
        } else {
            query = BinlogString(raw)
        }
        wasCompressed = compressed
    }
}
