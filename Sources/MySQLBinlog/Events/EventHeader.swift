// The common header that starts every binlog event.

/// Flags in the common header.
public struct EventFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The corresponding server constant is `LOG_EVENT_BINLOG_IN_USE_F`: set in the
    /// Format_description of a file still open (or not closed cleanly).
    public static let binlogInUse = Self(rawValue: 0x1)
    /// The corresponding server constant is `LOG_EVENT_THREAD_SPECIFIC_F`.
    public static let threadSpecific = Self(rawValue: 0x4)
    /// The corresponding server constant is `LOG_EVENT_SUPPRESS_USE_F`.
    public static let suppressUse = Self(rawValue: 0x8)
    /// The corresponding server constant is `LOG_EVENT_ARTIFICIAL_F`.
    public static let artificial = Self(rawValue: 0x20)
    /// The corresponding server constant is `LOG_EVENT_RELAY_LOG_F`.
    public static let relayLog = Self(rawValue: 0x40)
    /// The corresponding server constant is `LOG_EVENT_IGNORABLE_F`.
    public static let ignorable = Self(rawValue: 0x80)
    /// The corresponding server constant is `LOG_EVENT_SKIP_REPLICATION_F` (MariaDB).
    public static let skipReplication = Self(rawValue: 0x8000)
}

/// The header of every event.
///
/// | Name | Format | Description |
/// |---|---|---|
/// | timestamp | int<4> | seconds since the epoch when the statement began |
/// | type_code | int<1> | ``BinlogEventType`` |
/// | server_id | int<4> | server that wrote the event |
/// | event_size | int<4> | header + body + checksum |
/// | log_pos | int<4> | end position of the event (binlog v3+; 0 for some artificial events) |
/// | flags | int<2> | ``EventFlags`` (binlog v3+) |
///
/// Binlog v1 (MySQL 3.23) has a 13-byte header without `log_pos` and `flags`. Some old
/// Google-patched servers declared longer headers; the extra bytes are kept, not interpreted.
public struct EventHeader: Hashable, Sendable {
    public var timestamp: UInt32
    public var type: BinlogEventType
    public var serverID: UInt32
    public var eventSize: UInt32
    public var logPosition: UInt32
    public var flags: EventFlags

    /// The minimal v4 header length.
    public static let v4Length = 19
    public static let v1Length = 13

    public init(timestamp: UInt32, type: BinlogEventType, serverID: UInt32, eventSize: UInt32, logPosition: UInt32, flags: EventFlags) {
        self.timestamp = timestamp
        self.type = type
        self.serverID = serverID
        self.eventSize = eventSize
        self.logPosition = logPosition
        self.flags = flags
    }

    init(parsing reader: inout ByteReader, headerLength: Int) throws(BinlogDecodingError) {
        timestamp = try reader.readUInt32("timestamp")
        type = BinlogEventType(rawValue: try reader.readUInt8("type_code"))
        serverID = try reader.readUInt32("server_id")
        eventSize = try reader.readUInt32("event_size")
        if headerLength >= EventHeader.v4Length {
            logPosition = try reader.readUInt32("log_pos")
            flags = EventFlags(rawValue: try reader.readUInt16("flags"))
            try reader.skip(headerLength - EventHeader.v4Length, "extra_header")
        } else {
            logPosition = 0
            flags = []
        }
    }
}
