// The event type codes of MySQL and MariaDB binlogs, as an open set of named constants.

/// The type code in byte 4 of every event header.
///
/// An open set: a code this library does not know is still a value, so an unknown event is
/// kept and reported rather than dropped.
public struct BinlogEventType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The corresponding server constant is `UNKNOWN_EVENT`.
    public static let unknown = Self(rawValue: 0)
    /// The corresponding server constant is `START_EVENT_V3`.
    public static let startV3 = Self(rawValue: 1)
    /// The corresponding server constant is `QUERY_EVENT`.
    public static let query = Self(rawValue: 2)
    /// The corresponding server constant is `STOP_EVENT`.
    public static let stop = Self(rawValue: 3)
    /// The corresponding server constant is `ROTATE_EVENT`.
    public static let rotate = Self(rawValue: 4)
    /// The corresponding server constant is `INTVAR_EVENT`.
    public static let intvar = Self(rawValue: 5)
    /// The corresponding server constant is `LOAD_EVENT` (MySQL 3.23–4.x).
    public static let load = Self(rawValue: 6)
    /// The corresponding server constant is `SLAVE_EVENT` (never written).
    public static let slave = Self(rawValue: 7)
    /// The corresponding server constant is `CREATE_FILE_EVENT` (MySQL 4.x).
    public static let createFile = Self(rawValue: 8)
    /// The corresponding server constant is `APPEND_BLOCK_EVENT`.
    public static let appendBlock = Self(rawValue: 9)
    /// The corresponding server constant is `EXEC_LOAD_EVENT` (MySQL 4.x).
    public static let execLoad = Self(rawValue: 10)
    /// The corresponding server constant is `DELETE_FILE_EVENT`.
    public static let deleteFile = Self(rawValue: 11)
    /// The corresponding server constant is `NEW_LOAD_EVENT` (MySQL 4.x).
    public static let newLoad = Self(rawValue: 12)
    /// The corresponding server constant is `RAND_EVENT`.
    public static let rand = Self(rawValue: 13)
    /// The corresponding server constant is `USER_VAR_EVENT`.
    public static let userVar = Self(rawValue: 14)
    /// The corresponding server constant is `FORMAT_DESCRIPTION_EVENT`.
    public static let formatDescription = Self(rawValue: 15)
    /// The corresponding server constant is `XID_EVENT`.
    public static let xid = Self(rawValue: 16)
    /// The corresponding server constant is `BEGIN_LOAD_QUERY_EVENT`.
    public static let beginLoadQuery = Self(rawValue: 17)
    /// The corresponding server constant is `EXECUTE_LOAD_QUERY_EVENT`.
    public static let executeLoadQuery = Self(rawValue: 18)
    /// The corresponding server constant is `TABLE_MAP_EVENT`.
    public static let tableMap = Self(rawValue: 19)
    /// The corresponding server constant is `PRE_GA_WRITE_ROWS_EVENT` (MySQL 5.1 betas).
    public static let preGAWriteRows = Self(rawValue: 20)
    /// The corresponding server constant is `PRE_GA_UPDATE_ROWS_EVENT`.
    public static let preGAUpdateRows = Self(rawValue: 21)
    /// The corresponding server constant is `PRE_GA_DELETE_ROWS_EVENT`.
    public static let preGADeleteRows = Self(rawValue: 22)
    /// The corresponding server constant is `WRITE_ROWS_EVENT_V1`.
    public static let writeRowsV1 = Self(rawValue: 23)
    /// The corresponding server constant is `UPDATE_ROWS_EVENT_V1`.
    public static let updateRowsV1 = Self(rawValue: 24)
    /// The corresponding server constant is `DELETE_ROWS_EVENT_V1`.
    public static let deleteRowsV1 = Self(rawValue: 25)
    /// The corresponding server constant is `INCIDENT_EVENT`.
    public static let incident = Self(rawValue: 26)
    /// The corresponding server constant is `HEARTBEAT_LOG_EVENT`.
    public static let heartbeat = Self(rawValue: 27)
    /// The corresponding server constant is `IGNORABLE_LOG_EVENT`.
    public static let ignorable = Self(rawValue: 28)
    /// The corresponding server constant is `ROWS_QUERY_LOG_EVENT`.
    public static let rowsQuery = Self(rawValue: 29)
    /// The corresponding server constant is `WRITE_ROWS_EVENT`.
    public static let writeRows = Self(rawValue: 30)
    /// The corresponding server constant is `UPDATE_ROWS_EVENT`.
    public static let updateRows = Self(rawValue: 31)
    /// The corresponding server constant is `DELETE_ROWS_EVENT`.
    public static let deleteRows = Self(rawValue: 32)
    /// The corresponding server constant is `GTID_LOG_EVENT`.
    public static let gtid = Self(rawValue: 33)
    /// The corresponding server constant is `ANONYMOUS_GTID_LOG_EVENT`.
    public static let anonymousGTID = Self(rawValue: 34)
    /// The corresponding server constant is `PREVIOUS_GTIDS_LOG_EVENT`.
    public static let previousGTIDs = Self(rawValue: 35)
    /// The corresponding server constant is `TRANSACTION_CONTEXT_EVENT`.
    public static let transactionContext = Self(rawValue: 36)
    /// The corresponding server constant is `VIEW_CHANGE_EVENT`.
    public static let viewChange = Self(rawValue: 37)
    /// The corresponding server constant is `XA_PREPARE_LOG_EVENT`.
    public static let xaPrepare = Self(rawValue: 38)
    /// The corresponding server constant is `PARTIAL_UPDATE_ROWS_EVENT`.
    public static let partialUpdateRows = Self(rawValue: 39)
    /// The corresponding server constant is `TRANSACTION_PAYLOAD_EVENT`.
    public static let transactionPayload = Self(rawValue: 40)
    /// The corresponding server constant is `HEARTBEAT_LOG_EVENT_V2`.
    public static let heartbeatV2 = Self(rawValue: 41)
    /// The corresponding server constant is `GTID_TAGGED_LOG_EVENT`.
    public static let gtidTagged = Self(rawValue: 42)
    /// The corresponding server constant is `LARGE_TRANSACTION_HEADER_EVENT` (MySQL 9.x).
    public static let largeTransactionHeader = Self(rawValue: 43)
    /// The corresponding server constant is `ANNOTATE_ROWS_EVENT` (MariaDB).
    public static let annotateRows = Self(rawValue: 160)
    /// The corresponding server constant is `BINLOG_CHECKPOINT_EVENT` (MariaDB).
    public static let binlogCheckpoint = Self(rawValue: 161)
    /// The corresponding server constant is `GTID_EVENT` (MariaDB).
    public static let mariaDBGTID = Self(rawValue: 162)
    /// The corresponding server constant is `GTID_LIST_EVENT` (MariaDB).
    public static let gtidList = Self(rawValue: 163)
    /// The corresponding server constant is `START_ENCRYPTION_EVENT` (MariaDB).
    public static let startEncryption = Self(rawValue: 164)
    /// The corresponding server constant is `QUERY_COMPRESSED_EVENT` (MariaDB).
    public static let queryCompressed = Self(rawValue: 165)
    /// The corresponding server constant is `WRITE_ROWS_COMPRESSED_EVENT_V1` (MariaDB).
    public static let writeRowsCompressedV1 = Self(rawValue: 166)
    /// The corresponding server constant is `UPDATE_ROWS_COMPRESSED_EVENT_V1` (MariaDB).
    public static let updateRowsCompressedV1 = Self(rawValue: 167)
    /// The corresponding server constant is `DELETE_ROWS_COMPRESSED_EVENT_V1` (MariaDB).
    public static let deleteRowsCompressedV1 = Self(rawValue: 168)
    /// The corresponding server constant is `WRITE_ROWS_COMPRESSED_EVENT` (MariaDB).
    public static let writeRowsCompressed = Self(rawValue: 169)
    /// The corresponding server constant is `UPDATE_ROWS_COMPRESSED_EVENT` (MariaDB).
    public static let updateRowsCompressed = Self(rawValue: 170)
    /// The corresponding server constant is `DELETE_ROWS_COMPRESSED_EVENT` (MariaDB).
    public static let deleteRowsCompressed = Self(rawValue: 171)
    /// The corresponding server constant is `PARTIAL_ROW_DATA_EVENT` (MariaDB 12.3).
    public static let partialRowData = Self(rawValue: 172)

    /// The name MySQL's `SHOW BINLOG EVENTS` uses, or `Unknown(N)`.
    public var name: String {
        switch rawValue {
        case 0: return "Unknown"
        case 1: return "Start_v3"
        case 2: return "Query"
        case 3: return "Stop"
        case 4: return "Rotate"
        case 5: return "Intvar"
        case 6: return "Load"
        case 7: return "Slave"
        case 8: return "Create_file"
        case 9: return "Append_block"
        case 10: return "Exec_load"
        case 11: return "Delete_file"
        case 12: return "New_load"
        case 13: return "RAND"
        case 14: return "User var"
        case 15: return "Format_desc"
        case 16: return "Xid"
        case 17: return "Begin_load_query"
        case 18: return "Execute_load_query"
        case 19: return "Table_map"
        case 20: return "Write_rows_event_old"
        case 21: return "Update_rows_event_old"
        case 22: return "Delete_rows_event_old"
        case 23: return "Write_rows_v1"
        case 24: return "Update_rows_v1"
        case 25: return "Delete_rows_v1"
        case 26: return "Incident"
        case 27: return "Heartbeat"
        case 28: return "Ignorable"
        case 29: return "Rows_query"
        case 30: return "Write_rows"
        case 31: return "Update_rows"
        case 32: return "Delete_rows"
        case 33: return "Gtid"
        case 34: return "Anonymous_Gtid"
        case 35: return "Previous_gtids"
        case 36: return "Transaction_context"
        case 37: return "View_change"
        case 38: return "XA_prepare"
        case 39: return "Update_rows_partial"
        case 40: return "Transaction_payload"
        case 41: return "Heartbeat_v2"
        case 42: return "Gtid_tagged"
        case 43: return "Large_transaction_header"
        case 160: return "Annotate_rows"
        case 161: return "Binlog_checkpoint"
        case 162: return "Gtid"
        case 163: return "Gtid_list"
        case 164: return "Start_encryption"
        case 165: return "Query_compressed"
        case 166: return "Write_rows_compressed_v1"
        case 167: return "Update_rows_compressed_v1"
        case 168: return "Delete_rows_compressed_v1"
        case 169: return "Write_rows_compressed"
        case 170: return "Update_rows_compressed"
        case 171: return "Delete_rows_compressed"
        case 172: return "Partial_row_data"
        default: return "Unknown(\(rawValue))"
        }
    }

    public var description: String { name }

    /// Row events of every generation and flavour.
    public var isRowsEvent: Bool {
        switch rawValue {
        case 20...25, 30...32, 39, 166...171: return true
        default: return false
        }
    }
}
