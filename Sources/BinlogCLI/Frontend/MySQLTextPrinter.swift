// The mysqlbinlog script: what `binlog dump` prints for MySQL-written binlogs (mysqlbinlog 8.4), byte for byte.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLBinlog

/// Prints events in the mysqlbinlog (MySQL 8.4) dialect.
///
/// The state mirrors mysqlbinlog's `PRINT_EVENT_INFO` and its globals, which, unlike
/// mariadb-binlog's, live for the whole run: the session variables last printed, whether a
/// transaction or a bare GTID is open (for the lines it adds at the end of each binlog), the
/// Intvar/Rand/User_var events held back until their Query, and the head and body caches that
/// gather a statement's Table_map and rows events into one BINLOG statement. The head cache is
/// written out after every event, and, as in mysqlbinlog, lines put in it by an event that is
/// then skipped (a `# at` line) go out with the next one.
final class MySQLTextPrinter {
    /// The flags2 bits this dialect prints, in the order it prints them.
    static let sessionFlags: [SessionFlag] = [
        SessionFlag(bit: MySQLOptionBits.noForeignKeyChecks, variable: "@@session.foreign_key_checks", inverted: true),
        SessionFlag(bit: MySQLOptionBits.autoIsNull, variable: "@@session.sql_auto_is_null", inverted: false),
        SessionFlag(bit: MySQLOptionBits.relaxedUniqueChecks, variable: "@@session.unique_checks", inverted: true),
        SessionFlag(bit: MySQLOptionBits.notAutocommit, variable: "@@session.autocommit", inverted: true),
    ]
    let out: OutputSink
    let options: TextOutputOptions
    private let delimiter = "/*!*/;"
    /// `UNDEFINED_SERVER_VERSION`.
    private static let undefinedServerVersion: UInt32 = 999_999

    // PRINT_EVENT_INFO: session state printed so far.
    private var database: [UInt8] = []
    private var flags2: UInt32?
    private var sqlMode: UInt64?
    private var autoIncrementIncrement: UInt16 = 0
    private var autoIncrementOffset: UInt16 = 0
    private var charset: [UInt8]?
    private var timeZone: [UInt8] = []
    private var lcTimeNames: UInt32 = .max
    private var charsetDatabase: UInt32 = .max
    private var defaultCollationForUTF8MB4: UInt32 = .max
    /// `nil` until the first pseudo_thread_id line.
    private var threadID: UInt32?
    private var printedFormatDescription = false
    private var immediateServerVersion: UInt32 = undefinedServerVersion
    private var haveUnflushedEvents = false

    // mysqlbinlog's globals.
    private var inTransaction = false
    private var seenGTID = false
    private var isFirstFormatDescription = true

    // -d and the replica rules (mysqlbinlog's `--database`).
    /// `skipped_event_in_transaction`: an event of the open transaction was left out, so a
    /// `COMMIT /* added by mysqlbinlog */` closes it when the next GTID (or the end) comes.
    private var skippedEventInTransaction = false
    /// `m_table_map_ignored`: tables whose Table_map was left out, until the statement ends.
    private var ignoredTables: Set<UInt64> = []
    private var warnedDatabaseAndGTIDs = false

    // The caches.
    private var head: [UInt8] = []
    private var body: [UInt8] = []
    /// Intvar, Rand and User_var events wait for the Query they belong to.
    private var deferred: [Context] = []

    // LOAD DATA temporary files by file id.
    private lazy var loadFiles = LoadDataFiles(directory: options.loadDataDirectory)
    private var collectedWarnings: [String] = []

    /// mysqlbinlog's `-v` count: the `###` lines of rows events; from 2 (`-vv`) with each
    /// column's type, and Rows_query events print their statement.
    private var verbosity: Int { options.verbose }
    /// `-v`: the tables of the Table_maps printed (mysqlbinlog's `m_table_map`), by table id.
    private var verboseTables: [UInt64: MariaDBVerboseRows.Table] = [:]
    /// The footer cache: the `###` lines of the statement's rows events, after its BINLOG statement.
    private var footer: [UInt8] = []

    init(out: OutputSink, options: TextOutputOptions) {
        self.out = out
        self.options = options
    }

    /// Warnings so far, and the ones mysqlbinlog gives when the input ends in mid-statement.
    var warnings: [String] {
        var all = collectedWarnings
        if !deferred.isEmpty {
            all.append("The range of printed events ends with an Intvar_event, Rand_event or User_var_event with no matching Query_log_event. This might be because the last statement was not fully written to the log, or because you are using a --stop-position or --stop-datetime that refers to an event in the middle of a statement. The event(s) from the partial statement have not been written to output.")
        } else if haveUnflushedEvents {
            all.append("The range of printed events ends with a row event or a table map event that does not have the STMT_END_F flag set. This might be because the last statement was not fully written to the log, or because you are using a --stop-position or --stop-datetime that refers to an event in the middle of a statement. The event(s) from the partial statement have not been written to output.")
        }
        return all
    }

    // MARK: Framing

    func preamble() {
        out.write("# The proper term is pseudo_replica_mode, but we use this compatibility alias\n")
        out.write("# to make the statement usable on server versions 8.0.24 and older.\n")
        out.write("/*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=1*/;\n")
        if options.disableLogBin {
            out.write("/*!32316 SET @OLD_SQL_LOG_BIN=@@SQL_LOG_BIN, SQL_LOG_BIN=0*/;\n")
        }
        out.write("/*!50003 SET @OLD_COMPLETION_TYPE=@@COMPLETION_TYPE,COMPLETION_TYPE=0*/;\n")
        if options.idempotent {
            out.write("/*!50700 SET @@SESSION.RBR_EXEC_MODE=IDEMPOTENT*/;\n\n")
        }
        // mysqlbinlog sets the delimiter once for all files.
        out.write("DELIMITER /*!*/;\n")
    }

    /// mysqlbinlog keeps one print state for all the files it reads.
    func beginFile() {}

    func endFile() {}

    func trailer() {
        if skippedEventInTransaction {
            out.write("COMMIT /* added by mysqlbinlog */\(delimiter)\n")
            skippedEventInTransaction = false
        }
        out.write(endOfBinlog())
        out.write("DELIMITER ;\n")
        out.write("# End of log file\n")
        out.write("/*!50003 SET COMPLETION_TYPE=@OLD_COMPLETION_TYPE*/;\n")
        if options.disableLogBin {
            out.write("/*!32316 SET SQL_LOG_BIN=@OLD_SQL_LOG_BIN*/;\n")
        }
        out.write("/*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=0*/;\n")
        if options.idempotent {
            out.write("/*!50700 SET @@SESSION.RBR_EXEC_MODE=STRICT*/;\n")
        }
    }

    /// mysqlbinlog ends its script the same way after an error: what was printed stays, the
    /// event that failed does not, and the closing lines follow.
    func finishAfterError() {
        trailer()
    }

    /// `end_binlog`: printed before the Format_description of each later binlog and at the end.
    private func endOfBinlog() -> String {
        var text = ""
        if inTransaction {
            text += "ROLLBACK /* added by mysqlbinlog */ \(delimiter)\n"
        } else if seenGTID && !options.skipGTIDs {
            text += "BEGIN /*added by mysqlbinlog */ \(delimiter)\nROLLBACK /* added by mysqlbinlog */ \(delimiter)\n"
        }
        if !options.skipGTIDs {
            text += "SET @@SESSION.GTID_NEXT= 'AUTOMATIC' /* added by mysqlbinlog */ \(delimiter)\n"
        }
        seenGTID = false
        inTransaction = false
        return text
    }

    private func flushHead() {
        out.write(head)
        head.removeAll(keepingCapacity: true)
    }

    // MARK: Events

    /// How one event is printed: where it is, and the end position its header shows (events
    /// inside a Transaction_payload show the payload's).
    private struct Context {
        var event: BinlogEvent
        var position: UInt64
        var logPosition: UInt32
        var commonHeaderLength: Int
        var formatDescription: FormatDescriptionEvent
    }

    func print(_ event: BinlogEvent, formatDescription: FormatDescriptionEvent) throws {
        let context = Context(event: event, position: event.offset, logPosition: event.header.logPosition,
                              commonHeaderLength: formatDescription.commonHeaderLength, formatDescription: formatDescription)
        try process(context)
        out.flushIfNeeded()
    }

    /// mysqlbinlog's `process_event`.
    private func process(_ original: Context) throws {
        // Files never hold heartbeats; mysqlbinlog asks servers not to send them.
        if case .heartbeat = original.event.payload { return }
        var c = original
        // --rewrite-db renames as the event is read, before -d looks at it (as mysqlbinlog).
        if let rewrite = options.rewrite {
            let type = c.event.header.type
            let postHeaderLength = c.formatDescription.postHeaderLength(for: type) ?? (type == .tableMap ? 8 : 13)
            if let renamed = rewrite.apply(to: c.event, postHeaderLength: postHeaderLength, mysqlbinlog: true) { c.event = renamed }
        }
        if !options.shortForm {
            head += Array("# at \(c.position)\n".utf8)
        }
        if options.skipGTIDs {
            switch c.event.payload {
            case .gtid, .previousGTIDs: return
            default: break
            }
        }
        switch c.event.payload {
        case .formatDescription(let description):
            if !c.event.header.flags.contains(.relayLog) {
                // The previous binlog ends before the next one's Format_description.
                if c.event.header.logPosition > 0 && !isFirstFormatDescription {
                    out.write(endOfBinlog())
                }
                isFirstFormatDescription = false
            }
            printFormatDescription(c, description)
        case .startV3(let start):
            printStartV3(c, start)
        case .query(let query):
            let starts = Self.startsGroup(query.query.bytes)
            let ends = Self.endsGroup(query.query.bytes)
            let skips = options.schema.map { !Self.isTransactionKeyword(query.query.bytes) && !$0.keepsStatement(database: query.database.bytes) } ?? false
            // The Intvar, Rand and User_var events go (or are left out) with their statement.
            if !skips { for held in deferred { printDeferred(held) } }
            deferred.removeAll()
            if skips {
                if seenGTID && !inTransaction && !starts && !ends {
                    // A DDL statement commits itself: its GTID gets its COMMIT at once.
                    out.write("COMMIT /* added by mysqlbinlog */\(delimiter)\n")
                    skippedEventInTransaction = false
                    inTransaction = false
                    seenGTID = false
                } else {
                    skippedEventInTransaction = true
                }
                // Not printed; its `# at` line goes out with the next event's.
                return
            }
            if ends {
                inTransaction = false
                skippedEventInTransaction = false
                seenGTID = false
            } else if starts {
                inTransaction = true
            } else if !inTransaction {
                // An implicitly committing statement.
                seenGTID = false
            }
            printQuery(c, query)
        case .intvar, .rand, .userVar:
            deferred.append(c)
        case .appendBlock(let block):
            if !options.shortForm {
                head += header(c) + Array("\n#Append_block: file_id: \(block.fileID)  block_len: \(block.block.count)\n".utf8)
            }
            try appendLoadFile(block)
        case .beginLoadQuery(let block):
            if !options.shortForm {
                head += header(c) + Array("\n#Begin_load_query: file_id: \(block.fileID)  block_len: \(block.block.count)\n".utf8)
            }
            try startLoadFile(block)
        case .executeLoadQuery(let load):
            let name = loadFiles.take(load.fileID)
            if let schema = options.schema, !schema.keepsStatement(database: load.query.database.bytes) {
                skippedEventInTransaction = true
            } else if let name {
                printExecuteLoadQuery(c, load, localFile: name)
            } else {
                collectedWarnings.append("Ignoring Execute_load_query since there is no Begin_load_query event for file_id: \(load.fileID)")
            }
        case .deleteFile(let file):
            if !options.shortForm {
                head += header(c) + Array("\n#Delete_file: file_id=\(file.fileID)\n".utf8)
            }
        case .tableMap, .rowsQuery, .rows:
            if case .tableMap(let map) = c.event.payload, let schema = options.schema,
               !schema.keepsTable(database: map.database.bytes, table: map.table.bytes) {
                skippedEventInTransaction = true
                ignoredTables.insertBounded(map.tableID)
                return
            }
            var statementEnd = false
            var ignored = false
            if case .rows(let rows) = c.event.payload {
                statementEnd = rows.flags.contains(.statementEnd)
                ignored = ignoredTables.contains(rows.tableID)
            }
            if statementEnd {
                ignoredTables.removeAll()
                if ignored {
                    // The statement's last event is left out: what its kept events put in the
                    // BINLOG statement is closed and written out.
                    haveUnflushedEvents = false
                    if !body.isEmpty { body += Array("'\(delimiter)\n".utf8) }
                    flushHead()
                    out.write(body)
                    body.removeAll(keepingCapacity: true)
                    out.write(footer)
                    footer.removeAll(keepingCapacity: true)
                }
            }
            if ignored {
                skippedEventInTransaction = true
                return
            }
            // BINLOG statements replay only after a Format_description has been printed.
            if !printedFormatDescription && !options.shortForm && options.base64Output != .decodeRows {
                if case .rows = c.event.payload {
                    let name = Self.typeName(c.event.header.type)
                    if options.base64Output == .never {
                        throw CLIError(.dataProblem, "--base64-output=never specified, but binlog contains a \(name) event which must be printed in base64.")
                    }
                    throw CLIError(.dataProblem, "malformed binlog: it does not contain any Format_description_log_event. I now found a \(name) event, which is not safe to process without a Format_description_log_event.")
                }
            }
            switch c.event.payload {
            case .tableMap(let map): printTableMap(c, map)
            case .rows(let rows): printRows(c, rows)
            case .rowsQuery(let rowsQuery): printRowsQuery(c, rowsQuery)
            default: break
            }
            haveUnflushedEvents = true
            if statementEnd {
                haveUnflushedEvents = false
                flushHead()
                out.write(body)
                body.removeAll(keepingCapacity: true)
                out.write(footer)
                footer.removeAll(keepingCapacity: true)
                return
            }
        case .gtid(let gtid):
            seenGTID = true
            immediateServerVersion = Self.serverVersions(gtid).immediate
            if skippedEventInTransaction {
                out.write("COMMIT /* added by mysqlbinlog */\(delimiter)\n")
            }
            skippedEventInTransaction = false
            printGTID(c, gtid)
        case .xid(let xid):
            inTransaction = false
            skippedEventInTransaction = false
            seenGTID = false
            var text = options.shortForm ? [] : header(c) + Array("\tXid = \(xid.xid)\n".utf8)
            text += Array("COMMIT\(delimiter)\n".utf8)
            head += text
        case .previousGTIDs(let set):
            if options.schema?.database != nil && !options.skipGTIDs && !warnedDatabaseAndGTIDs {
                warnedDatabaseAndGTIDs = true
                collectedWarnings.append("The option --database has been used. It may filter parts of transactions, but will include the GTIDs in any case. If you want to exclude or include transactions, you should use the options --exclude-gtids or --include-gtids, respectively, instead.")
            }
            if !options.shortForm {
                head += header(c) + Array("\tPrevious-GTIDs\n".utf8)
            }
            head += Array((set.entries.isEmpty ? "# [empty]" : "# " + set.formatted(separator: ",\n# ")).utf8) + [10]
        case .transactionPayload(let payload):
            try printTransactionPayload(c, payload)
        case .stop:
            if !options.shortForm { head += header(c) + Array("\tStop\n".utf8) }
        case .rotate(let rotate):
            if !options.shortForm {
                head += header(c) + Array("\tRotate to ".utf8) + rotate.nextFile.bytes + Array("  pos: \(rotate.position)\n".utf8)
            }
        case .incident(let incident):
            if !options.shortForm {
                let description = incident.incident == 1 ? "LOST_EVENTS" : incident.incident == 0 ? "NOTHING" : "UNKNOWN"
                head += header(c) + Array("\n# Incident: \(description)\nRELOAD DATABASE; # Shall generate syntax error\n".utf8)
            }
        case .xaPrepare(let prepare):
            // mysqlbinlog prints this header even with --short-form.
            let xid = Self.serializedXID(prepare.xid)
            head += header(c) + Array("\tXA PREPARE ".utf8) + xid + [10]
            head += Array((prepare.isOnePhase ? "XA COMMIT " : "XA PREPARE ").utf8) + xid
                + Array((prepare.isOnePhase ? " ONE PHASE\n" : "\n").utf8) + Array("\(delimiter)\n".utf8)
        case .transactionContext(let context):
            if !options.shortForm {
                head += header(c) + Array("Transaction_context: server_uuid=".utf8) + Self.cString(context.serverUUID.bytes)
                    + Array("\tthread_id=\(context.threadID)\n".utf8)
            }
        case .viewChange(let change):
            if !options.shortForm {
                head += header(c) + Array("View_change_log_event: view_id=\(change.viewID)\n".utf8)
            }
        case .heartbeat:
            break
        case .unsupported, .legacyLoad, .execLoad, .annotateRows, .binlogCheckpoint, .mariaDBGTID, .gtidList, .startEncryption:
            // Events mysqlbinlog 8.4 has no class for: ignorable ones print as such, the rest as unknown.
            if !options.shortForm {
                if c.event.header.flags.contains(.ignorable) {
                    head += header(c) + Array("\tIgnorable\n# Unrecognized ignorable event\n".utf8)
                } else {
                    head += header(c) + Array("\n# Unknown event\n".utf8)
                }
            }
        }
        flushHead()
    }

    // MARK: Header

    /// `#yymmdd hh:mm:ss server id N  end_log_pos N CRC32 0x........ ` (and the hex dump).
    private func header(_ c: Context) -> [UInt8] {
        var text = "#" + TextFormatting.headerTimestamp(c.event.header.timestamp)
            + " server id \(c.event.header.serverID)  end_log_pos \(c.logPosition) "
        if let checksum = c.event.checksum {
            text += "CRC32 0x" + TextFormatting.hex(UInt64(checksum), width: 8) + " "
        }
        var bytes = Array(text.utf8)
        if options.hexdump {
            bytes += Self.hexdump(c.event.bytes, from: c.position, commonHeaderLength: c.commonHeaderLength)
        }
        return bytes
    }

    /// mysqlbinlog's `--hexdump` block: the common header laid out (when it is 19 bytes), then
    /// the rest 16 bytes a line. It shows the event's size less 19 bytes, from the body on, or
    /// from the event's first byte when the common header is not 19 bytes long.
    static func hexdump(_ event: ArraySlice<UInt8>, from: UInt64, commonHeaderLength: Int) -> [UInt8] {
        var out: [UInt8] = [10]
        func append(_ text: String) { out += Array(text.utf8) }
        func h2(_ byte: UInt8) -> String { TextFormatting.hex(UInt64(byte), width: 2) }
        let bytes = Array(event)
        var start = 0
        var offset = from
        if commonHeaderLength == 19 && bytes.count >= 19 {
            append("# Position  Timestamp   Type   Source ID        Size      Source Pos    Flags \n")
            let b = bytes
            append("# " + TextFormatting.hex(from, width: 8) + " " + b[0...3].map(h2).joined(separator: " ") + "   " + h2(b[4]) + "   "
                   + b[5...8].map(h2).joined(separator: " ") + "   " + b[9...12].map(h2).joined(separator: " ") + "   "
                   + b[13...16].map(h2).joined(separator: " ") + "   " + h2(b[17]) + " " + h2(b[18]) + "\n")
            start = 19
            offset += 19
        }
        let size = max(0, bytes.count - 19)
        var index = 0
        while index < size {
            let end = min(index + 16, size)
            var hex = ""
            var ascii = ""
            for i in index..<end {
                let byte = start + i < bytes.count ? bytes[start + i] : 0
                hex += i % 16 <= 7 ? h2(byte) + " " : " " + h2(byte)
                let isAlphanumeric = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                ascii += isAlphanumeric ? String(UnicodeScalar(byte)) : "."
            }
            hex += String(repeating: " ", count: max(0, 48 - hex.count))
            append("# " + TextFormatting.hex(offset + UInt64(index), width: 8) + " " + hex + " |" + ascii + "|\n")
            index = end
        }
        append("# ")
        return out
    }

    /// `print_base64` into the body cache: the statement opens with the first event.
    private func appendToBinlogStatement(_ bytes: ArraySlice<UInt8>, more: Bool) {
        guard options.base64Output != .decodeRows else { return }
        if body.isEmpty { body += Array("\nBINLOG '\n".utf8) }
        Base64.appendLines(bytes, to: &body)
        if !more { body += Array("'\(delimiter)\n".utf8) }
    }

    // MARK: Format description

    private func printFormatDescription(_ c: Context, _ description: FormatDescriptionEvent) {
        let event = c.event
        if !options.shortForm {
            head += header(c)
            head += Array("\tStart: binlog v \(description.binlogVersion), server v \(description.serverVersion) created ".utf8)
            head += Array(TextFormatting.headerTimestamp(event.header.timestamp).utf8)
            if description.createTimestamp != 0 { head += Array(" at startup".utf8) }
            head.append(10)
            if event.header.flags.contains(.binlogInUse) {
                head += Array("# Warning: this binlog is either in use or was not closed properly.\n".utf8)
            }
        }
        if event.header.flags.contains(.relayLog) {
            head += Array("# This Format_description_event appears in a relay log and was generated by the replica thread.\n".utf8)
            return
        }
        if !event.header.flags.contains(.artificial) && description.createTimestamp != 0 {
            head += Array("ROLLBACK\(delimiter)\n".utf8)
        }
        if options.base64Output != .never && !options.shortForm {
            if options.base64Output != .decodeRows {
                head += Array("BINLOG '\n".utf8) + Base64.lines(event.bytes) + Array("'\(delimiter)\n".utf8)
            }
            printedFormatDescription = true
            if options.skipGTIDs {
                head += Array("/*!50616 SET @@SESSION.GTID_NEXT='AUTOMATIC'*/\(delimiter)\n".utf8)
            }
        }
    }

    /// Binlog v1/v3 files (MySQL 3.23–4.1): mysqlbinlog 8.x no longer reads them; printed as
    /// mysqlbinlog 5.x printed their Start event.
    private func printStartV3(_ c: Context, _ start: StartV3Event) {
        if !options.shortForm {
            head += header(c)
            head += Array("\tStart: binlog v \(start.binlogVersion), server v \(start.serverVersion) created ".utf8)
            head += Array(TextFormatting.headerTimestamp(c.event.header.timestamp).utf8)
            if start.createTimestamp != 0 { head += Array(" at startup".utf8) }
            head.append(10)
        }
        if start.createTimestamp != 0 {
            head += Array("ROLLBACK\(delimiter)\n".utf8)
        }
        if options.base64Output != .never && !options.shortForm {
            if options.base64Output != .decodeRows {
                head += Array("BINLOG '\n".utf8) + Base64.lines(c.event.bytes) + Array("'\(delimiter)\n".utf8)
            }
            printedFormatDescription = true
        }
    }

    // MARK: Query

    /// C's `strncmp(query, word, n)` over the query bytes (NUL-terminated after them).
    private static func strncmpEqual(_ query: ArraySlice<UInt8>, _ word: String, count: Int) -> Bool {
        let word = Array(word.utf8)
        for i in 0..<count {
            let a: UInt8 = i < query.count ? query[query.startIndex + i] : 0
            let b: UInt8 = i < word.count ? word[i] : 0
            if a != b { return false }
            if a == 0 { return true }
        }
        return true
    }

    /// `native_strncasecmp(query, word, strlen(word)) == 0`.
    private static func hasPrefixIgnoringCase(_ query: ArraySlice<UInt8>, _ word: String) -> Bool {
        let word = Array(word.utf8)
        guard query.count >= word.count else { return false }
        for (a, b) in zip(query, word) {
            let upper = a >= 0x61 && a <= 0x7a ? a - 0x20 : a
            if upper != b { return false }
        }
        return true
    }

    /// `Query_log_event::is_trans_keyword`.
    private static func isTransactionKeyword(_ query: ArraySlice<UInt8>) -> Bool {
        strncmpEqual(query, "BEGIN", count: query.count) || strncmpEqual(query, "COMMIT", count: query.count)
            || hasPrefixIgnoringCase(query, "SAVEPOINT") || hasPrefixIgnoringCase(query, "ROLLBACK")
            || hasPrefixIgnoringCase(query, "XA START") || hasPrefixIgnoringCase(query, "XA END")
            || hasPrefixIgnoringCase(query, "XA PREPARE") || hasPrefixIgnoringCase(query, "XA COMMIT")
            || hasPrefixIgnoringCase(query, "XA ROLLBACK")
    }

    /// `Query_log_event::starts_group`.
    private static func startsGroup(_ query: ArraySlice<UInt8>) -> Bool {
        strncmpEqual(query, "BEGIN", count: query.count) || strncmpEqual(query, "XA START", count: 8)
    }

    /// `Query_log_event::ends_group`.
    private static func endsGroup(_ query: ArraySlice<UInt8>) -> Bool {
        strncmpEqual(query, "COMMIT", count: query.count)
            || (hasPrefixIgnoringCase(query, "ROLLBACK") && !hasPrefixIgnoringCase(query, "ROLLBACK TO "))
            || strncmpEqual(query, "XA ROLLBACK", count: 11)
    }

    /// `print_query_header`: the header line, then the session lines that changed.
    private func queryHeader(_ c: Context, _ query: QueryEvent, typeName: String) -> [UInt8] {
        let status = query.statusVariables
        var text: [UInt8] = []
        if !options.shortForm {
            var xid = ""
            if let ddlXID = status.ddlXID, ddlXID != UInt64.max { xid = "\tXid = \(ddlXID)" }
            text += header(c)
            text += Array("\t\(typeName)\tthread_id=\(query.threadID)\texec_time=\(query.executionTime)\terror_code=\(query.errorCode)\(xid)\n".utf8)
        }
        let eventDatabase = Self.cString(query.database.bytes)
        if c.event.header.flags.contains(.suppressUse) {
            if !Self.isTransactionKeyword(query.query.bytes) { database = [] }
        } else if database != eventDatabase {
            database = eventDatabase
            if !eventDatabase.isEmpty {
                text += Array("use ".utf8) + TextFormatting.backtickQuoted(eventDatabase) + Array("\(delimiter)\n".utf8)
            }
        }
        var timestamp = "SET TIMESTAMP=\(c.event.header.timestamp)"
        if let fraction = status.microseconds, fraction != 0 {
            let digits = String(fraction)
            timestamp += "." + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        }
        text += Array("\(timestamp)\(delimiter)\n".utf8)
        if threadID == nil || (c.event.header.flags.contains(.threadSpecific) && query.threadID != threadID) {
            text += Array("SET @@session.pseudo_thread_id=\(options.shortForm ? 999_999_999 : query.threadID)\(delimiter)\n".utf8)
            threadID = query.threadID
        }
        if let flags = status.flags2 {
            if let line = SessionFlag.setStatement(Self.sessionFlags, value: flags, previous: flags2) {
                text += Array("\(line)\(delimiter)\n".utf8)
            }
            flags2 = flags
        }
        if let mode = status.sqlMode, sqlMode != mode {
            // Modes removed in 8.0.5 are masked out when the script runs on a newer server.
            let mask = mode & 0x1003_ff00 != 0 ? "/*!80005 &~0x1003ff00*/" : ""
            text += Array("SET @@session.sql_mode=\(mode)\(mask)\(delimiter)\n".utf8)
            sqlMode = mode
        }
        let increment = status.autoIncrementIncrement ?? 1
        let offset = status.autoIncrementOffset ?? 1
        if increment != autoIncrementIncrement || offset != autoIncrementOffset {
            text += Array("SET @@session.auto_increment_increment=\(increment), @@session.auto_increment_offset=\(offset)\(delimiter)\n".utf8)
            autoIncrementIncrement = increment
            autoIncrementOffset = offset
        }
        if let client = status.charsetClient, let connection = status.collationConnection, let server = status.collationServer {
            let raw = [UInt8(client & 0xff), UInt8(client >> 8), UInt8(connection & 0xff), UInt8(connection >> 8),
                       UInt8(server & 0xff), UInt8(server >> 8)]
            if charset != raw {
                if let names = MySQLCollations.byID[UInt32(client)] {
                    text += Array("/*!\\C \(names.charset) */\(delimiter)\n".utf8)
                }
                text += Array("SET @@session.character_set_client=\(client),@@session.collation_connection=\(connection),@@session.collation_server=\(server)\(delimiter)\n".utf8)
                charset = raw
            }
        }
        if let zone = status.timeZone, !zone.isEmpty {
            let bytes = Self.cString(zone.bytes)
            if bytes != timeZone {
                text += Array("SET @@session.time_zone='".utf8) + bytes + Array("'\(delimiter)\n".utf8)
                timeZone = bytes
            }
        }
        let lcTime = UInt32(status.lcTimeNames ?? 0)
        if lcTime != lcTimeNames {
            text += Array("SET @@session.lc_time_names=\(lcTime)\(delimiter)\n".utf8)
            lcTimeNames = lcTime
        }
        let databaseCharset = UInt32(status.charsetDatabase ?? 0)
        if databaseCharset != charsetDatabase {
            if databaseCharset != 0 {
                text += Array("SET @@session.collation_database=\(databaseCharset)\(delimiter)\n".utf8)
            } else {
                text += Array("SET @@session.collation_database=DEFAULT\(delimiter)\n".utf8)
            }
            charsetDatabase = databaseCharset
        }
        if let explicit = status.explicitDefaultsForTimestamp {
            text += Array("SET @@session.explicit_defaults_for_timestamp=\(explicit == 0 ? 0 : 1)\(delimiter)\n".utf8)
        }
        let utf8mb4 = UInt32(status.defaultCollationForUTF8MB4 ?? 0)
        if utf8mb4 != defaultCollationForUTF8MB4 {
            if utf8mb4 != 0 {
                text += Array("/*!80011 SET @@session.default_collation_for_utf8mb4=\(utf8mb4)*/\(delimiter)\n".utf8)
            }
            defaultCollationForUTF8MB4 = utf8mb4
        }
        // mysqlbinlog compares these two with a value it never updates: printed whenever present.
        if let value = status.sqlRequirePrimaryKey, value != 0xff {
            text += Array("/*!80013 SET @@session.sql_require_primary_key=\(value)*/\(delimiter)\n".utf8)
        }
        if let value = status.defaultTableEncryption, value != 0xff {
            text += Array("/*!80016 SET @@session.default_table_encryption=\(value)*/\(delimiter)\n".utf8)
        }
        return text
    }

    private func printQuery(_ c: Context, _ query: QueryEvent) {
        head += queryHeader(c, query, typeName: "Query")
        head += query.query.bytes
        head += Array("\n\(delimiter)\n".utf8)
    }

    private func printExecuteLoadQuery(_ c: Context, _ load: ExecuteLoadQueryEvent, localFile: String) {
        let query = Array(load.query.query.bytes)
        let start = min(Int(load.fileNameStart), query.count)
        let end = min(max(Int(load.fileNameEnd), start), query.count)
        head += queryHeader(c, load.query, typeName: "Execute_load_query")
        head += query[0..<start]
        head += Array(" LOCAL INFILE ".utf8) + TextFormatting.prettyQuoted(Array(localFile.utf8))
        if load.duplicateHandling == 2 { head += Array(" REPLACE".utf8) }
        head += Array(" INTO".utf8) + query[end...]
        head += Array("\n\(delimiter)\n".utf8)
        if !options.shortForm { head += Array("# file_id: \(load.fileID) \n".utf8) }
    }

    // MARK: Intvar, Rand, User_var

    /// Prints an event held back for its Query; its `# at` line went out when it was read.
    private func printDeferred(_ c: Context) {
        switch c.event.payload {
        case .intvar(let intvar):
            if !options.shortForm { head += header(c) + Array("\tIntvar\n".utf8) }
            let name: String
            switch intvar.kind {
            case .lastInsertID: name = "LAST_INSERT_ID"
            case .insertID: name = "INSERT_ID"
            default: name = "INVALID_INT"
            }
            head += Array("SET \(name)=\(Int64(bitPattern: intvar.value))\(delimiter)\n".utf8)
        case .rand(let rand):
            if !options.shortForm { head += header(c) + Array("\tRand\n".utf8) }
            head += Array("SET @@RAND_SEED1=\(Int64(bitPattern: rand.seed1)), @@RAND_SEED2=\(Int64(bitPattern: rand.seed2))\(delimiter)\n".utf8)
        case .userVar(let userVar):
            printUserVar(c, userVar)
        default:
            break
        }
    }

    private func printUserVar(_ c: Context, _ userVar: UserVarEvent) {
        if !options.shortForm { head += header(c) + Array("\tUser_var\n".utf8) }
        head += Array("SET @".utf8) + TextFormatting.backtickQuoted(Self.cString(userVar.name.bytes))
        guard let value = userVar.value else {
            head += Array(":=NULL\(delimiter)\n".utf8)
            return
        }
        func word() -> UInt64 {
            var bits: UInt64 = 0
            for (i, byte) in value.bytes.prefix(8).enumerated() { bits |= UInt64(byte) << (8 * UInt64(i)) }
            return bits
        }
        switch value.type {
        case .real:
            head += Array(":=\(TextFormatting.cFormat("%.14g", Double(bitPattern: word())))\(delimiter)\n".utf8)
        case .int:
            let bits = word()
            head += Array(":=\(value.isUnsigned ? String(bits) : String(Int64(bitPattern: bits)))\(delimiter)\n".utf8)
        case .decimal:
            let rendered = value.bytes.count >= 2
                ? BinaryDecimal.string(precision: Int(value.bytes[0]), scale: Int(value.bytes[1]), bytes: Array(value.bytes.dropFirst(2)))
                : nil
            head += Array(":=\(rendered ?? "???")\(delimiter)\n".utf8)
        case .string:
            if let names = MySQLCollations.byID[value.charset] {
                // str_to_hex: 0x… in upper case, "" for an empty string.
                let literal = value.bytes.isEmpty ? "\"\"" : "0x" + TextFormatting.upperHex(value.bytes)
                head += Array(":=_\(names.charset) \(literal) COLLATE `\(names.collation)`\(delimiter)\n".utf8)
            } else {
                head += Array(":=???\(delimiter)\n".utf8)
            }
        default:
            head += Array(":=???\(delimiter)\n".utf8)
        }
    }

    // MARK: GTID

    /// `serialize_xid`: X'gtrid',X'bqual',formatID in lower-case hex, the format id as `%lu`.
    private static func serializedXID(_ xid: XID) -> [UInt8] {
        func hexLower(_ bytes: [UInt8]) -> String { bytes.map { TextFormatting.hex(UInt64($0), width: 2) }.joined() }
        let format = UInt64(bitPattern: Int64(xid.formatID))
        return Array("X'\(hexLower(xid.gtrid))',X'\(hexLower(xid.bqual))',\(format)".utf8)
    }

    /// The server versions as Gtid_log_event holds them: 0 when the event has no commit
    /// timestamps (5.7 and older), `UNDEFINED_SERVER_VERSION` when it has timestamps only.
    private static func serverVersions(_ gtid: GTIDEvent) -> (original: UInt32, immediate: UInt32) {
        guard gtid.immediateCommitTimestamp != nil else { return (0, 0) }
        let immediate = gtid.immediateServerVersion ?? undefinedServerVersion
        return (gtid.originalServerVersion ?? immediate, immediate)
    }

    /// `microsecond_timestamp_to_str`: `%F %T.ffffff %Z` in the local zone.
    private static func commitTimestamp(_ microseconds: UInt64) -> String {
        var seconds = time_t(Int64(bitPattern: microseconds / 1_000_000))
        let fraction = microseconds % 1_000_000
        var parts = tm()
        localtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 256)
        var text = ""
        if strftime(&buffer, buffer.count, "%F %T", &parts) > 0 { text = Self.string(buffer) }
        let digits = String(fraction)
        text += "." + String(repeating: "0", count: 6 - digits.count) + digits
        buffer = [CChar](repeating: 0, count: 256)
        if strftime(&buffer, buffer.count, " %Z", &parts) > 0 { text += Self.string(buffer) }
        return text
    }

    private func printGTID(_ c: Context, _ gtid: GTIDEvent) {
        let isAnonymous = c.event.header.type == .anonymousGTID
        let original = gtid.originalCommitTimestamp ?? 0
        let immediate = gtid.immediateCommitTimestamp ?? 0
        let versions = Self.serverVersions(gtid)
        if !options.shortForm {
            head += header(c)
            head += Array(("\t\(isAnonymous ? "Anonymous_GTID" : "GTID")\tlast_committed=\(gtid.lastCommitted ?? 0)"
                + "\tsequence_number=\(gtid.sequenceNumber ?? 0)\trbr_only=\(gtid.isRowBasedOnly ? "yes" : "no")"
                + "\toriginal_committed_timestamp=\(original)\timmediate_commit_timestamp=\(immediate)"
                + "\ttransaction_length=\(gtid.transactionLength ?? 0)\n").utf8)
        }
        if gtid.isRowBasedOnly {
            head += Array("/*!50718 SET TRANSACTION ISOLATION LEVEL READ COMMITTED*/\(delimiter)\n".utf8)
        }
        head += Array("# original_commit_timestamp=\(original) (\(Self.commitTimestamp(original)))\n".utf8)
        head += Array("# immediate_commit_timestamp=\(immediate) (\(Self.commitTimestamp(immediate)))\n".utf8)
        head += Array("/*!80001 SET @@session.original_commit_timestamp=\(original)*/\(delimiter)\n".utf8)
        head += Array("/*!80014 SET @@session.original_server_version=\(versions.original)*/\(delimiter)\n".utf8)
        head += Array("/*!80014 SET @@session.immediate_server_version=\(versions.immediate)*/\(delimiter)\n".utf8)
        var next = "ANONYMOUS"
        if !isAnonymous {
            next = gtid.sid.description
            if let tag = gtid.tag { next += ":" + tag }
            next += ":\(gtid.gno)"
        }
        head += Array("SET @@SESSION.GTID_NEXT= '\(next)'\(delimiter)\n".utf8)
    }

    // MARK: Row events

    /// mysqlbinlog's names of row events (`Log_event::get_type_str`).
    private static func typeName(_ type: BinlogEventType) -> String {
        switch type.rawValue {
        case 23: return "Write_rows_v1"
        case 24: return "Update_rows_v1"
        case 25: return "Delete_rows_v1"
        case 30: return "Write_rows"
        case 31: return "Update_rows"
        case 32: return "Delete_rows"
        case 39: return "Update_rows_partial"
        default: return type.name
        }
    }

    private func printTableMap(_ c: Context, _ map: TableMapEvent) {
        guard !options.shortForm else { return }
        head += header(c)
        head += Array("\tTable_map: `".utf8) + Self.cString(map.database.bytes) + Array("`.`".utf8) + Self.cString(map.table.bytes)
            + Array("` mapped to number \(map.tableID)\n".utf8)
        if immediateServerVersion != Self.undefinedServerVersion && immediateServerVersion >= 80030 {
            // TM_GENERATED_INVISIBLE_PK_F
            head += Array("# has_generated_invisible_primary_key=\(map.flags & (1 << 2) != 0 ? 1 : 0)\n".utf8)
        }
        if options.printTableMetadata { head += MySQLTableMetadata.lines(map) }
        appendToBinlogStatement(c.event.bytes, more: true)
        if verbosity > 0 {
            verboseTables.setBounded(MariaDBVerboseRows.Table(database: map.database.owned(), table: map.table.owned(),
                                                              types: map.columnTypes, metadata: map.columnMetadata,
                                                              nullable: (0..<map.columnCount).map(map.isNullable)), for: map.tableID)
        }
    }

    /// With `-vv` only: every line of the statement behind `# ` so that it is never run, and the
    /// event itself in the BINLOG statement.
    private func printRowsQuery(_ c: Context, _ rowsQuery: RowsQueryEvent) {
        guard !options.shortForm && verbosity > 1 else { return }
        head += header(c) + Array("\tRows_query\n".utf8)
        // The server keeps the statement as a C string, and strtok skips empty lines.
        for line in Self.cString(rowsQuery.query.bytes).split(separator: 10) {
            head += Array("# ".utf8) + line + [10]
        }
        appendToBinlogStatement(c.event.bytes, more: true)
    }

    private func printRows(_ c: Context, _ rows: RowsEvent) {
        guard !options.shortForm else { return }
        let statementEnd = rows.flags.contains(.statementEnd)
        head += header(c)
        head += Array("\t\(Self.typeName(c.event.header.type)): table id \(rows.tableID)\(statementEnd ? " flags: STMT_END_F" : "")\n".utf8)
        appendToBinlogStatement(c.event.bytes, more: !statementEnd)
        if verbosity > 0 {
            _ = MariaDBVerboseRows(verbosity: verbosity, mysql: true).append(rows, table: verboseTables[rows.tableID], to: &footer)
        }
    }

    // MARK: Compressed transactions

    private func printTransactionPayload(_ c: Context, _ payload: TransactionPayloadEvent) throws {
        if !options.shortForm {
            let kind: String
            switch payload.compressionType {
            case 0: kind = "ZSTD"
            case 255: kind = "NONE"
            default: kind = "N/A"
            }
            var line = "\tTransaction_Payload\t\tpayload_size=\(payload.payloadSize)\tcompression_type=\(kind)"
            if payload.compressionType != 255 { line += "\tuncompressed_size=\(payload.uncompressedSize)" }
            head += header(c) + Array((line + "\n# Start of compressed events.\n").utf8)
        }
        var decoding = DecodingOptions()
        decoding.verifyChecksums = false
        var reader = try TransactionPayloadReader(payload, in: c.event, formatDescription: c.formatDescription, options: decoding)
        // The inner events show the payload's end position, and mysqlbinlog's `# at` repeats it.
        while let inner = try reader.next() {
            try process(Context(event: inner, position: UInt64(c.logPosition), logPosition: c.logPosition,
                                commonHeaderLength: c.commonHeaderLength, formatDescription: c.formatDescription))
        }
        if !options.shortForm { head += Array("# End of compressed events.\n".utf8) }
    }

    // MARK: LOAD DATA files

    private func startLoadFile(_ block: AppendBlockEvent) throws {
        try loadFiles.start(block)
    }

    private func appendLoadFile(_ block: AppendBlockEvent) throws {
        if try !loadFiles.append(block) {
            collectedWarnings.append("Ignoring Append_block as there is no Begin_load_query_log_event for file_id: \(block.fileID)")
        }
    }

    // MARK: Helpers

    private static func string(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The bytes before the first NUL: the server prints these names with `%s`.
    private static func cString<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        guard let end = bytes.firstIndex(of: 0) else { return Array(bytes) }
        return Array(bytes[..<end])
    }
}

/// Bits of a Query event's flags2 that mysqlbinlog prints (MySQL's OPTION_* values).
enum MySQLOptionBits {
    static let autoIsNull: UInt32 = 1 << 14
    static let notAutocommit: UInt32 = 1 << 19
    static let noForeignKeyChecks: UInt32 = 1 << 26
    static let relaxedUniqueChecks: UInt32 = 1 << 27
}
