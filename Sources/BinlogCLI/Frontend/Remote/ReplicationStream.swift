// Asking a server for its binlog stream as a replica, and reading the events it sends: shared by
// `pull` (files written) and the remote input of dump, verify, stats and replay (events read).
import MySQLBinlog
import MySQLClient
import MySQLWire
import NIOCore

/// One event of a binlog stream, its header checked against the packet it came in.
struct StreamedEvent {
    /// `LOG_EVENT_ARTIFICIAL_F`: made up by the server for the stream, not in its file.
    static let artificialFlag: UInt16 = 0x20

    /// Header, body and checksum, as in the server's file.
    let bytes: [UInt8]
    let type: UInt8
    let endPosition: UInt32
    /// Not in the server's file: its flags say so, or its end position is 0.
    let artificial: Bool
    /// A Rotate event's next file and position.
    let rotate: (name: String, position: UInt64)?

    init(_ bytes: [UInt8]) throws {
        guard bytes.count >= 19 else { throw CLIError(.dataProblem, "the server sent an event of \(bytes.count) bytes (a header has 19)") }
        func u32(_ at: Int) -> UInt32 { UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24 }
        let length = u32(9)
        guard length == bytes.count else {
            throw CLIError(.dataProblem, "the server sent an event whose header says \(length) bytes in a packet of \(bytes.count)")
        }
        self.bytes = bytes
        type = bytes[4]
        endPosition = u32(13)
        let flags = UInt16(bytes[17]) | UInt16(bytes[18]) << 8
        artificial = flags & StreamedEvent.artificialFlag != 0 || endPosition == 0
        if type == 4 {
            // Rotate: position (8 bytes), then the next file's name (a checksum may follow).
            guard bytes.count >= 27 else { throw CLIError(.dataProblem, "a Rotate event of \(bytes.count) bytes") }
            let position = UInt64(u32(19)) | UInt64(u32(23)) << 32
            var name = Array(bytes[27...])
            // A CRC32 follows the name when the last 4 bytes are the CRC32 of the rest.
            if name.count >= 4, CRC32.checksum(bytes[0..<(bytes.count - 4)]) == u32(bytes.count - 4) { name.removeLast(4) }
            rotate = (String(decoding: name, as: UTF8.self), position)
        } else {
            rotate = nil
        }
    }

    /// Heartbeats (MySQL's two kinds; MariaDB's is 27 too) are never in a file.
    var isHeartbeat: Bool { type == 27 || type == 41 }
    /// The last event of a file: the server's own Rotate or Stop.
    var closesFile: Bool { !artificial && (type == 4 || type == 3) }
}

enum ReplicationStream {
    enum Item {
        case event(StreamedEvent)
        /// The end of the server's last binlog (a non-blocking dump).
        case end
    }

    /// Sets the session up as a replica and asks for the stream: from `file` at `position`, or
    /// (MariaDB) after the GTID position `gtids`, or from the server's first binlog when `file`
    /// is nil. Returns the file asked for ("" for a GTID start).
    @discardableResult
    static func begin(_ session: MySQLSession, file: String?, position: UInt64, gtids: String? = nil, serverID: UInt32,
                      heartbeatSeconds: UInt32, nonBlocking: Bool) async throws -> String {
        let mariaDB = session.serverVersion.contains("MariaDB")
        // Checksums as the server writes them (else it strips them from the stream).
        try await session.query("SET @master_binlog_checksum = @@global.binlog_checksum")
        if !mariaDB { _ = try? await session.query("SET @source_binlog_checksum = @@global.binlog_checksum") }
        if mariaDB {
            // 4: this replica understands GTID events (older capabilities get them rewritten).
            try await session.query("SET @mariadb_slave_capability = 4")
        }
        if heartbeatSeconds > 0 {
            try await session.query("SET @master_heartbeat_period = \(UInt64(heartbeatSeconds) * 1_000_000_000)")
        }
        var name = file ?? ""
        var start = position
        var mySQLGTIDs: MySQLGTIDSet?
        if let gtids, !mariaDB {
            // MySQL: every transaction not in the set (COM_BINLOG_DUMP_GTID).
            guard let set = try? MySQLGTIDSet(parsing: gtids) else {
                throw CLIError(.usage, "--start-gtid \(gtids): the server is \(session.serverVersion), which takes a MySQL GTID set (uuid:1-5,...)")
            }
            mySQLGTIDs = set
            name = ""
        } else if let gtids {
            guard gtids.split(separator: ",").allSatisfy({ ReplayFrontend.mariaDBGTID(String($0)) != nil }) else {
                throw CLIError(.usage, "--start-gtid \(gtids): the server is \(session.serverVersion), which takes MariaDB GTID positions (domain-server-sequence, comma-separated)")
            }
            try await session.query("SET @slave_connect_state = '\(gtids)'")
            try await session.query("SET @slave_gtid_strict_mode = 0")
            try await session.query("SET @slave_gtid_ignore_duplicates = 0")
            name = ""
            start = 4
        } else if name.isEmpty {
            guard let first = try await binaryLogs(session).first else { throw CLIError(.dataProblem, "the server has no binlogs (log_bin is off)") }
            name = first.name
            start = 4
        }
        try await session.sendCommand(Command.registerReplica(serverID: serverID))
        let registered = try await session.nextPacket()
        if let error = ServerError(parsing: registered.payload, capabilities: session.capabilities) { throw error }
        var flags: UInt16 = nonBlocking ? Command.binlogDumpNonBlocking : 0
        if let mySQLGTIDs {
            try await session.sendCommand(Command.binlogDumpGTID(gtidSet: mySQLGTIDs.encoded(), serverID: serverID, flags: flags))
            return name
        }
        if mariaDB { flags |= 2 }  // BINLOG_SEND_ANNOTATE_ROWS_EVENT: Annotate_rows events are in the files
        try await session.sendCommand(Command.binlogDump(file: name, position: UInt32(clamping: start), serverID: serverID, flags: flags))
        return name
    }

    /// The server's binlogs and their sizes (`SHOW BINARY LOGS`).
    static func binaryLogs(_ session: MySQLSession) async throws -> [(name: String, size: UInt64?)] {
        try await session.query("SHOW BINARY LOGS").textRows.compactMap { row in
            guard let name = row.first ?? nil else { return nil }
            return (name, row.count > 1 ? (row[1]).flatMap { UInt64($0) } : nil)
        }
    }

    /// The next event or the end; a server error is thrown as ``ServerError``, a dropped
    /// connection as ``ConnectionError``, anything else the server should not send as a CLIError.
    ///
    /// With a `timeout`, a server that sends nothing for that long (not even a heartbeat) counts
    /// as a dropped connection: the session is closed and a ConnectionError says so.
    static func next(_ session: MySQLSession, timeout: TimeAmount? = nil) async throws -> Item {
        let packet: MySQLPacket
        if let timeout { packet = try await session.nextPacket(timeout: timeout) } else { packet = try await session.nextPacket() }
        guard let item = BinlogStreamPacket(parsing: packet.payload, capabilities: session.capabilities) else {
            let first = packet.payload.getInteger(at: packet.payload.readerIndex, as: UInt8.self).map { String($0) } ?? "none"
            throw CLIError(.dataProblem, "the server sent a packet that is not part of a binlog stream (first byte \(first))")
        }
        switch item {
        case .end: return .end
        case .error(let error): throw error
        case .event(let buffer): return .event(try StreamedEvent(Array(buffer.readableBytesView)))
        }
    }
}
