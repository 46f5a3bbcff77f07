// The decoded body of an event: one case per event type. Switches over it have no `default:`.
// Cases whose payload is large or rare are `indirect`, so that moving an event (millions of times
// per file) copies a small value; the hot ones (rows, table maps, Xid, annotations) stay inline.

public enum EventPayload: Hashable, Sendable {
    indirect case formatDescription(FormatDescriptionEvent)
    indirect case startV3(StartV3Event)
    indirect case query(QueryEvent)
    case stop(StopEvent)
    case rotate(RotateEvent)
    case intvar(IntvarEvent)
    case rand(RandEvent)
    indirect case userVar(UserVarEvent)
    case xid(XIDEvent)
    indirect case incident(IncidentEvent)
    indirect case heartbeat(HeartbeatEvent)
    case rowsQuery(RowsQueryEvent)
    /// MySQL GTID, anonymous GTID and tagged GTID events.
    indirect case gtid(GTIDEvent)
    indirect case previousGTIDs(PreviousGTIDsEvent)
    indirect case transactionContext(TransactionContextEvent)
    indirect case viewChange(ViewChangeEvent)
    indirect case xaPrepare(XAPrepareEvent)
    indirect case transactionPayload(TransactionPayloadEvent)
    case tableMap(TableMapEvent)
    case rows(RowsEvent)
    indirect case beginLoadQuery(AppendBlockEvent)
    indirect case appendBlock(AppendBlockEvent)
    indirect case executeLoadQuery(ExecuteLoadQueryEvent)
    case deleteFile(FileIDEvent)
    case execLoad(FileIDEvent)
    /// LOAD, NEW_LOAD and CREATE_FILE events of MySQL 3.23–4.x.
    indirect case legacyLoad(LegacyLoadEvent)
    case annotateRows(AnnotateRowsEvent)
    case binlogCheckpoint(BinlogCheckpointEvent)
    case mariaDBGTID(MariaDBGTIDEvent)
    case gtidList(GTIDListEvent)
    indirect case startEncryption(StartEncryptionEvent)
    /// An event type that is not decoded (ignorable events, unknown codes): kept, never dropped.
    indirect case unsupported(UnsupportedEvent)
}

/// One event: its header, decoded body, position and exact bytes.
public struct BinlogEvent: Sendable {
    public var header: EventHeader
    public var payload: EventPayload
    /// Byte offset of the event's first byte in its file (or stream).
    public var offset: UInt64
    /// The event's bytes, header to checksum, exactly as read.
    public var bytes: ArraySlice<UInt8>
    /// The stored CRC32 when the file uses checksums.
    public var checksum: UInt32?

    public init(header: EventHeader, payload: EventPayload, offset: UInt64, bytes: ArraySlice<UInt8>, checksum: UInt32?) {
        self.header = header
        self.payload = payload
        self.offset = offset
        self.bytes = bytes
        self.checksum = checksum
    }

    /// The offset just past the event.
    public var endOffset: UInt64 { offset + UInt64(bytes.count) }
}
