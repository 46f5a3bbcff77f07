// The mariadb-binlog script: what `binlog dump` prints for MariaDB-written binlogs, byte for byte.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLBinlog

/// How the text output is shaped (the options mysqlbinlog and mariadb-binlog share).
struct TextOutputOptions {
    var base64Output: Base64OutputMode = .auto
    var hexdump = false
    var shortForm = false
    var disableLogBin = false
    var skipGTIDs = false
    var idempotent = false
    /// mariadb-binlog's `--print-row-count` (on by default, off with `--short-form`).
    var printRowCount = true
    /// mariadb-binlog's `--print-row-event-positions`: the `# at N` lines (off with `--short-form`).
    var printPositions = true
    /// Where LOAD DATA temporary files are written (mariadb-binlog uses the temp directory).
    var loadDataDirectory = "/tmp/"
    /// `-v` (1): `###` pseudo-SQL for row events; `-vv` (2 or more): with column types.
    var verbose = 0
    /// Events are selected by server id (mariadb-binlog then resets the session's server id and
    /// GTID domain in its trailer).
    var filtersServerIDs = false
    /// `-d DB` and the replica rules: statements whose default database is not kept, and row
    /// events of tables not kept, print only their `# at` line.
    var schema: SchemaFilter?
    /// `--rewrite-db`: a statement whose database was renamed gets its `use` line before its
    /// header line, where mariadb-binlog prints it.
    var rewrite: DatabaseRewrite?
    /// `--print-table-metadata`: the columns of each Table_map.
    var printTableMetadata = false
}

/// Prints events in the mariadb-binlog (MariaDB 10.11) dialect.
///
/// The state mirrors what mariadb-binlog keeps between events: the session variables it last
/// printed (so it prints only changes), the pending Annotate_rows event, and the caches that
/// group a statement's Table_map and rows events into one BINLOG statement.
final class MariaDBTextPrinter {
    /// The flags2 bits this dialect prints, in the order it prints them.
    static let sessionFlags: [SessionFlag] = [
        SessionFlag(bit: MariaDBOptionBits.noForeignKeyChecks, variable: "@@session.foreign_key_checks", inverted: true),
        SessionFlag(bit: MariaDBOptionBits.autoIsNull, variable: "@@session.sql_auto_is_null", inverted: false),
        SessionFlag(bit: MariaDBOptionBits.relaxedUniqueChecks, variable: "@@session.unique_checks", inverted: true),
        SessionFlag(bit: MariaDBOptionBits.notAutocommit, variable: "@@session.autocommit", inverted: true),
        SessionFlag(bit: MariaDBOptionBits.noCheckConstraintChecks, variable: "@@session.check_constraint_checks", inverted: true),
        SessionFlag(bit: MariaDBOptionBits.ifExists, variable: "@@session.sql_if_exists", inverted: false),
        SessionFlag(bit: MariaDBOptionBits.explicitDefaultsForTimestamp, variable: "@@session.explicit_defaults_for_timestamp", inverted: false),
        SessionFlag(bit: MariaDBOptionBits.insertHistory, variable: "@@session.system_versioning_insert_history", inverted: false),
    ]

    /// The flags a server of `version` writes to the binlog, as mariadb-binlog 10.11 decides
    /// which of them to print: `sql_if_exists` from 10.5.2, `explicit_defaults_for_timestamp`
    /// from 10.5.17, 10.6.9, 10.7.5, 10.8.4, 10.9.2 and 10.10 (found by giving mariadb-binlog
    /// the same file under each server version). The others' bits are never printed.
    static func sessionFlags(forServer version: (Int, Int, Int)) -> [SessionFlag] {
        let (major, minor, patch) = version
        let modern = major > 10 || (major == 10 && minor >= 10)
        let writesIfExists = modern || (major == 10 && (minor > 5 || (minor == 5 && patch >= 2)))
        let firstWithExplicitDefaults: [Int: Int] = [5: 17, 6: 9, 7: 5, 8: 4, 9: 2]
        let writesExplicitDefaults = modern || (major == 10 && firstWithExplicitDefaults[minor].map { patch >= $0 } == true)
        return sessionFlags.filter { flag in
            if flag.bit == MariaDBOptionBits.ifExists { return writesIfExists }
            if flag.bit == MariaDBOptionBits.explicitDefaultsForTimestamp { return writesExplicitDefaults }
            return true
        }
    }

    /// The session flags printed for the server version of the file being read, and the bits
    /// of those it leaves out.
    private var printedSessionFlags = MariaDBTextPrinter.sessionFlags
    private var unprintedSessionFlagBits: UInt32 = 0
    private var printedSessionFlagsVersion = ""

    let out: OutputSink
    let options: TextOutputOptions
    private let delimiter = "/*!*/;"

    // Session state printed so far (PRINT_EVENT_INFO).
    private var database: ArraySlice<UInt8> = []
    private var flags2: UInt32?
    private var sqlMode: UInt64?
    private var autoIncrementIncrement: UInt16 = 0
    private var autoIncrementOffset: UInt16 = 0
    private var charset: [UInt8]?
    private var timeZone: ArraySlice<UInt8> = []
    private var lcTimeNames: Int = -1
    private var charsetDatabase: Int = -2
    private var threadID: UInt32?
    private var serverID: UInt32?
    private var domainID: UInt32?
    private var allowParallel: Bool?
    private var skipReplication = false
    private var printedFormatDescription = false

    // Statement grouping.
    private var head: [UInt8] = []
    /// The BINLOG statement's base64 lines so far (slices of the reader's text, by reference).
    private var body = PendingText()
    private var pendingAnnotate: PendingAnnotate?
    private var rowCount = 0
    private var inRowsStatement = false
    /// What row counting needs of each table map, derived once per distinct Table_map.
    private var tableLayouts: [UInt64: TableLayout] = [:]
    /// Base64 of the event being printed, when the reader computed it (see `usePrecomputedBase64`).
    private var precomputedBase64: ArraySlice<UInt8>?

    func usePrecomputedBase64(_ text: ArraySlice<UInt8>?) { precomputedBase64 = text }

    // The header timestamp text of the last event (consecutive events mostly share it).
    private var lastTimestamp: UInt32?
    private var lastTimestampText: [UInt8] = []

    /// An Annotate_rows event kept until its Table_map, copied out of the read buffer.
    private struct PendingAnnotate {
        var header: EventHeader
        var checksum: UInt32?
        var bytes: ArraySlice<UInt8>
        var query: ArraySlice<UInt8>
    }

    /// The column types and metadata of a table map, and the body bytes they came from.
    /// (A class: looked up for every rows event, and a struct's copy would retain each array.)
    private final class TableLayout {
        let body: [UInt8]
        let types: [ColumnType]
        let metadata: [UInt16]
        /// What `-v` prints with (names and nullability), made only when it is on.
        let verbose: MariaDBVerboseRows.Table?

        init(body: [UInt8], types: [ColumnType], metadata: [UInt16], verbose: MariaDBVerboseRows.Table?) {
            self.body = body
            self.types = types
            self.metadata = metadata
            self.verbose = verbose
        }
    }
    /// The `-v` text of the statement's rows events, printed after its BINLOG statement.
    private var tail: [UInt8] = []
    /// Table ids whose Table_map `-d` filtered out: their rows events print nothing.
    private var ignoredTables: Set<UInt64> = []
    /// Whether the current GTID group is an XA transaction (its `XA …` statements count as
    /// transaction keywords for `-d`).
    private var inXAGroup = false

    // LOAD DATA temporary files by file id.
    private lazy var loadFiles = LoadDataFiles(directory: options.loadDataDirectory)
    var warnings: [String] = []

    init(out: OutputSink, options: TextOutputOptions) {
        self.out = out
        self.options = options
    }

    private var printsBase64: Bool { options.base64Output == .auto && !options.shortForm }

    func preamble() {
        out.write("/*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=1*/;\n")
        out.write("/*!40019 SET @@session.max_delayed_threads=0*/;\n")
        if options.disableLogBin {
            out.write("/*!32316 SET @OLD_SQL_LOG_BIN=@@SQL_LOG_BIN, SQL_LOG_BIN=0*/;\n")
        }
        out.write("/*!50003 SET @OLD_COMPLETION_TYPE=@@COMPLETION_TYPE,COMPLETION_TYPE=0*/;\n")
    }

    /// mariadb-binlog keeps its session state per input file: each file starts afresh.
    func beginFile() {
        out.write("DELIMITER /*!*/;\n")
        database = []
        flags2 = nil
        sqlMode = nil
        autoIncrementIncrement = 0
        autoIncrementOffset = 0
        charset = nil
        timeZone = []
        lcTimeNames = -1
        charsetDatabase = -2
        threadID = nil
        serverID = nil
        domainID = nil
        allowParallel = nil
        skipReplication = false
        printedFormatDescription = false
        head.removeAll()
        body.removeAll()
        rowCount = 0
        inRowsStatement = false
        tableLayouts.removeAll()
    }

    func endFile() {
        if inRowsStatement || !body.isEmpty {
            warnings.append("The range of printed events ends with a row event or a table map event that does not have the STMT_END_F flag set: the events of that partial statement were not printed.")
        }
        out.write("DELIMITER ;\n")
    }

    func trailer() {
        out.write("# End of log file\n")
        out.write("ROLLBACK /* added by mysqlbinlog */;\n")
        out.write("/*!50003 SET COMPLETION_TYPE=@OLD_COMPLETION_TYPE*/;\n")
        if options.disableLogBin {
            out.write("/*!32316 SET SQL_LOG_BIN=@OLD_SQL_LOG_BIN*/;\n")
        }
        out.write("/*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=0*/;\n")
        if options.filtersServerIDs {
            out.write("/*!100001 SET @@SESSION.SERVER_ID=@@GLOBAL.SERVER_ID */;\n")
            out.write("/*!100001 SET @@SESSION.GTID_DOMAIN_ID=@@GLOBAL.GTID_DOMAIN_ID */;\n")
        }
    }

    // MARK: Events

    /// Prints one event; `formatDescription` is the one in force for it.
    func print(_ event: BinlogEvent, formatDescription: FormatDescriptionEvent) throws {
        if options.printPositions {
            out.buffer.append("# at ")
            out.buffer.append(decimal: event.offset)
            out.buffer.append(10)
        }
        let context = HeaderContext(header: event.header, checksum: event.checksum, offset: event.offset,
                                    hexdumpBytes: options.hexdump ? event.bytes : nil,
                                    headerLength: formatDescription.commonHeaderLength)
        // Events printed through mariadb-binlog's Write_on_release_cache start by clearing the
        // head cache: the headers of a rows statement that never reached STMT_END_F are dropped.
        switch event.payload {
        case .annotateRows, .tableMap, .rows, .unsupported, .heartbeat, .rowsQuery, .gtid, .previousGTIDs,
             .transactionContext, .viewChange:
            break
        default:
            head.removeAll(keepingCapacity: true)
        }
        switch event.payload {
        case .formatDescription(let description):
            printFormatDescription(event, description, context)
        case .startV3(let start):
            printStartV3(event, start, context)
        case .query(let query):
            if formatDescription.serverVersion != printedSessionFlagsVersion {
                printedSessionFlagsVersion = formatDescription.serverVersion
                printedSessionFlags = Self.sessionFlags(forServer: formatDescription.versionTriple)
                let printed = printedSessionFlags.reduce(UInt32(0)) { $0 | $1.bit }
                unprintedSessionFlagBits = Self.sessionFlags.reduce(UInt32(0)) { $0 | $1.bit } & ~printed
            }
            if let schema = options.schema, !isTransactionKeyword(query.query.bytes), !schema.keepsStatement(database: query.database.bytes) {
                return
            }
            printSkipReplication(event)
            printQuery(event, query, context, type: event.header.type == .queryCompressed ? "Query_compressed" : "Query")
        case .stop:
            printSkipReplication(event)
            if !options.shortForm { simple(context, "\tStop\n") }
        case .rotate(let rotate):
            printSkipReplication(event)
            if !options.shortForm {
                var line = header(context)
                line += Array("\tRotate to ".utf8) + rotate.nextFile.bytes + Array("  pos: \(rotate.position)\n".utf8)
                out.write(line)
            }
        case .intvar(let intvar):
            printSkipReplication(event)
            var text = options.shortForm ? [] : header(context) + Array("\tIntvar\n".utf8)
            let name: String
            switch intvar.kind {
            case .lastInsertID: name = "LAST_INSERT_ID"
            case .insertID: name = "INSERT_ID"
            default: name = "INVALID_INT"
            }
            text += Array("SET \(name)=\(Int64(bitPattern: intvar.value))\(delimiter)\n".utf8)
            out.write(text)
        case .rand(let rand):
            printSkipReplication(event)
            var text = options.shortForm ? [] : header(context) + Array("\tRand\n".utf8)
            text += Array("SET @@RAND_SEED1=\(Int64(bitPattern: rand.seed1)), @@RAND_SEED2=\(Int64(bitPattern: rand.seed2))\(delimiter)\n".utf8)
            out.write(text)
        case .userVar(let userVar):
            printSkipReplication(event)
            printUserVar(userVar, context)
        case .xid(let xid):
            printSkipReplication(event)
            if !options.shortForm {
                appendHeader(context, to: &out.buffer)
                out.buffer.append("\tXid = ")
                out.buffer.append(decimal: xid.xid)
                out.buffer.append(10)
            }
            out.buffer.append("COMMIT/*!*/;\n")
        case .incident(let incident):
            printSkipReplication(event)
            if !options.shortForm {
                let description = incident.incident == 1 ? "LOST_EVENTS" : incident.incident == 0 ? "NONE" : "UNKNOWN"
                out.write(header(context) + Array("\n# Incident: \(description)\nRELOAD DATABASE; # Shall generate syntax error\n".utf8))
            }
        case .execLoad(let file):
            if !options.shortForm {
                out.write(header(context) + Array("\n#Exec_load: file_id=\(file.fileID)\n".utf8))
            }
        case .heartbeat, .rowsQuery, .gtid, .previousGTIDs, .transactionContext, .viewChange, .transactionPayload, .legacyLoad:
            // Events MariaDB does not write; mariadb-binlog prints them as ignorable or unknown.
            printSkipReplication(event)
            printUnknownOrIgnorable(event, context)
        case .xaPrepare(let prepare):
            printSkipReplication(event)
            let xid = serializedXID(prepare.xid)
            var text = options.shortForm ? [] : header(context) + Array("\tXID = ".utf8) + xid + [10]
            text += Array("XA PREPARE ".utf8) + xid + Array("\n\(delimiter)\n".utf8)
            out.write(text)
        case .annotateRows(let annotate):
            // Slices of the reader's chunk, which is never overwritten: keeping them copies nothing.
            pendingAnnotate = PendingAnnotate(header: event.header, checksum: event.checksum,
                                              bytes: options.hexdump ? event.bytes : [],
                                              query: annotate.query.bytes)
        case .tableMap(let map):
            if let schema = options.schema, !schema.keepsTable(database: map.database.bytes, table: map.table.bytes) {
                ignoredTables.insert(map.tableID)
                return
            }
            try requireFormatDescription(event)
            // The head cache is written out at this Table_map: when it holds nothing yet, the
            // Annotate_rows and Table_map lines go straight to the output.
            let direct = head.isEmpty && (!options.shortForm || options.printRowCount)
            printPendingAnnotate(formatDescription: formatDescription, hexdumpOffset: event.offset, direct: direct)
            // --rewrite-db after -d (which looks at the names as logged, as mariadb-binlog's does).
            if let rewrite = options.rewrite, let renamed = rewrite.apply(to: event, postHeaderLength: formatDescription.postHeaderLength(for: .tableMap) ?? 8),
               case .tableMap(let renamedMap) = renamed.payload {
                // The hex dump shows the renamed event too (size and name; end position and checksum as logged).
                var renamedContext = context
                if renamedContext.hexdumpBytes != nil { renamedContext.hexdumpBytes = renamed.bytes }
                printTableMap(renamed, renamedMap, renamedContext, direct: direct)
            } else {
                printTableMap(event, map, context, direct: direct)
            }
        case .rows(let rows):
            try requireFormatDescription(event)
            printRows(event, rows, context)
        case .beginLoadQuery(let block):
            if !options.shortForm {
                out.write(header(context) + Array("\n#Begin_load_query: file_id: \(block.fileID)  block_len: \(block.block.count)\n".utf8))
            }
            try startLoadFile(block)
        case .appendBlock(let block):
            if !options.shortForm {
                out.write(header(context) + Array("\n#Append_block: file_id: \(block.fileID)  block_len: \(block.block.count)\n".utf8))
            }
            try appendLoadFile(block)
        case .deleteFile(let file):
            printSkipReplication(event)
            if !options.shortForm {
                out.write(header(context) + Array("\n#Delete_file: file_id=\(file.fileID)\n".utf8))
            }
        case .executeLoadQuery(let load):
            let localFile = loadFiles.take(load.fileID)
            if let schema = options.schema, !schema.keepsStatement(database: load.query.database.bytes) { return }
            if let name = localFile {
                printSkipReplication(event)
                printExecuteLoadQuery(event, load, context, localFile: name)
            } else {
                warnings.append("Ignoring Execute_load_query since there is no Begin_load_query event for file_id: \(load.fileID)")
            }
        case .binlogCheckpoint(let checkpoint):
            printSkipReplication(event)
            if !options.shortForm {
                out.write(header(context) + Array("\tBinlog checkpoint ".utf8) + checkpoint.file.bytes + [10])
            }
        case .mariaDBGTID(let gtid):
            inXAGroup = gtid.flags.contains(.preparedXA) || gtid.flags.contains(.completedXA)
            printSkipReplication(event)
            printGTID(event, gtid, context)
        case .gtidList(let list):
            printSkipReplication(event)
            if !options.shortForm {
                let sorted = list.gtids.sorted { ($0.domainID, $0.serverID, $0.sequenceNumber) < ($1.domainID, $1.serverID, $1.sequenceNumber) }
                let text = sorted.map(\.description).joined(separator: ",\n# ")
                out.write(header(context) + Array("\tGtid list [\(text)]\n".utf8))
            }
        case .startEncryption(let start):
            printSkipReplication(event)
            let nonce = start.nonce.map { TextFormatting.hex(UInt64($0), width: 2) }.joined()
            out.write("# Encryption scheme: \(start.scheme), key_version: \(start.keyVersion), nonce: \(nonce)\n# The rest of the binlog is encrypted!\n")
        case .unsupported:
            printSkipReplication(event)
            printUnknownOrIgnorable(event, context)
        }
        out.flushIfNeeded()
    }

    /// BINLOG statements replay only after a Format_description has been printed.
    private func requireFormatDescription(_ event: BinlogEvent) throws {
        if !printedFormatDescription && !options.shortForm && options.base64Output == .auto {
            throw CLIError(.dataProblem, "at offset \(event.offset): malformed binlog: it does not contain any Format_description event before this \(event.header.type.name) event, which is not safe to print without one")
        }
    }

    // MARK: Header

    /// What an event's header line needs (the event's bytes only for `--hexdump`).
    struct HeaderContext {
        var header: EventHeader
        var checksum: UInt32?
        var offset: UInt64
        var hexdumpBytes: ArraySlice<UInt8>?
        var headerLength: Int
    }

    /// `#yymmdd hh:mm:ss server id N  end_log_pos N CRC32 0x........ ` (and the hex dump).
    private func header(_ context: HeaderContext) -> [UInt8] {
        var bytes: [UInt8] = []
        appendHeader(context, to: &bytes)
        return bytes
    }

    private func appendHeader(_ context: HeaderContext, to bytes: inout [UInt8]) {
        appendHeaderLine(context.header, checksum: context.checksum, to: &bytes)
        if let dumped = context.hexdumpBytes {
            bytes += HexDump.render(event: dumped, at: context.offset, headerLength: context.headerLength)
        }
    }

    private func appendHeaderLine(_ header: EventHeader, checksum: UInt32?, to bytes: inout [UInt8]) {
        if lastTimestamp != header.timestamp {
            lastTimestamp = header.timestamp
            lastTimestampText = Array(TextFormatting.headerTimestamp(header.timestamp).utf8)
        }
        // Built in scratch space and appended once (one line per event: this is dump's hottest text).
        lastTimestampText.withUnsafeBufferPointer { timestamp in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128 + timestamp.count) { scratch in
                var line = LineWriter(scratch.baseAddress!)
                line.put(UInt8(ascii: "#"))
                line.put(timestamp)
                line.put(" server id ")
                line.put(decimal: UInt64(header.serverID))
                line.put("  end_log_pos ")
                line.put(decimal: UInt64(header.logPosition))
                line.put(UInt8(ascii: " "))
                if let checksum {
                    line.put("CRC32 0x")
                    line.put(hex8: checksum)
                    line.put(UInt8(ascii: " "))
                }
                bytes.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress!, count: line.count))
            }
        }
    }

    private func simple(_ context: HeaderContext, _ text: String) {
        out.write(header(context) + Array(text.utf8))
    }

    private func printSkipReplication(_ event: BinlogEvent) {
        let value = event.header.flags.contains(.skipReplication)
        if value == skipReplication { return }
        out.write("/*!50521 SET skip_replication=\(value ? 1 : 0)*/\(delimiter)\n")
        skipReplication = value
    }

    // MARK: Format description

    private func printFormatDescription(_ event: BinlogEvent, _ description: FormatDescriptionEvent, _ context: HeaderContext) {
        var text: [UInt8] = []
        if !options.shortForm {
            text += header(context)
            text += Array("\tStart: binlog v \(description.binlogVersion), server v \(description.serverVersion) created ".utf8)
            text += Array(TextFormatting.headerTimestamp(event.header.timestamp).utf8)
            if description.createTimestamp != 0 { text += Array(" at startup".utf8) }
            text.append(10)
            if event.header.flags.contains(.binlogInUse) {
                text += Array("# Warning: this binlog is either in use or was not closed properly.\n".utf8)
            }
        }
        if !event.header.flags.contains(.artificial) && description.createTimestamp != 0 {
            text += Array("ROLLBACK\(delimiter)\n".utf8)
        }
        if options.base64Output != .never && !options.shortForm {
            if options.base64Output != .decodeRows {
                text += Array("BINLOG '\n".utf8)
                text += Base64.lines(event.bytes)
                text += Array("'\(delimiter)\n".utf8)
            }
            printedFormatDescription = true
        }
        out.write(text)
    }

    private func printStartV3(_ event: BinlogEvent, _ start: StartV3Event, _ context: HeaderContext) {
        var text: [UInt8] = []
        if !options.shortForm {
            text += header(context)
            text += Array("\tStart: binlog v \(start.binlogVersion), server v \(start.serverVersion) created ".utf8)
            text += Array(TextFormatting.headerTimestamp(event.header.timestamp).utf8)
            if start.createTimestamp != 0 { text += Array(" at startup".utf8) }
            text.append(10)
        }
        if start.createTimestamp != 0 {
            text += Array("ROLLBACK\(delimiter)\n".utf8)
        }
        if options.base64Output != .never && !options.shortForm {
            if options.base64Output != .decodeRows {
                text += Array("BINLOG '\n".utf8) + Base64.lines(event.bytes) + Array("'\(delimiter)\n".utf8)
            }
            printedFormatDescription = true
        }
        out.write(text)
    }

    // MARK: Query

    /// mariadb-binlog's `is_trans_keyword`: BEGIN, COMMIT (compared over the query's length),
    /// SAVEPOINT and ROLLBACK prefixes, and XA statements.
    private func queryHeader(_ event: BinlogEvent, threadID eventThreadID: UInt32, executionTime: UInt32, errorCode: UInt16,
                             status: QueryStatusVariables, database eventDatabase: ArraySlice<UInt8>, type: String,
                             _ context: HeaderContext, suppressUse: Bool, isTransactionKeyword: Bool, renamed: Bool = false) -> [UInt8] {
        var text: [UInt8] = []
        var use: [UInt8] = []
        if suppressUse {
            if !isTransactionKeyword { database = [] }
        } else if database != eventDatabase {
            database = ArraySlice(Array(eventDatabase))
            if !eventDatabase.isEmpty {
                use = Array("use ".utf8) + TextFormatting.backtickQuoted(eventDatabase) + Array("\(delimiter)\n".utf8)
            }
        }
        if renamed { text += use }
        if !options.shortForm {
            text += header(context)
            text += Array("\t\(type)\tthread_id=\(eventThreadID)\texec_time=\(executionTime)\terror_code=\(errorCode)\txid=\(status.xid ?? 0)\n".utf8)
        }
        if !renamed { text += use }
        var timestamp = "SET TIMESTAMP=\(event.header.timestamp)"
        if let fraction = status.microseconds, status.isMariaDBHighResolutionNow, fraction != 0, fraction <= 999_999 {
            let digits = String(fraction)
            timestamp += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        text += Array("\(timestamp)\(delimiter)\n".utf8)
        if threadID == nil || (event.header.flags.contains(.threadSpecific) && eventThreadID != threadID) {
            text += Array("SET @@session.pseudo_thread_id=\(options.shortForm ? 999_999_999 : eventThreadID)\(delimiter)\n".utf8)
            threadID = eventThreadID
        }
        if let flags = status.flags2 {
            if let line = SessionFlag.setStatement(printedSessionFlags, value: flags, previous: flags2, ignoring: unprintedSessionFlagBits) {
                text += Array("\(line)\(delimiter)\n".utf8)
            }
            flags2 = flags
        }
        if let mode = status.sqlMode, sqlMode != mode {
            text += Array("SET @@session.sql_mode=\(mode)\(delimiter)\n".utf8)
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
                let clientName: String
                if let names = MariaDBCollations.byID[UInt32(client)] {
                    text += Array("/*!\\C \(names.charset) */\(delimiter)\n".utf8)
                    clientName = names.charset
                } else {
                    text += Array("# Ignored (Unknown charset) ".utf8)
                    clientName = "Unknown"
                    warnings.append("character set #\(client) of the statement at offset \(event.offset) is unknown")
                }
                text += Array("SET @@session.character_set_client=\(clientName),@@session.collation_connection=\(connection),@@session.collation_server=\(server)\(delimiter)\n".utf8)
                charset = raw
            }
        }
        if let zone = status.timeZone, !zone.isEmpty, zone.bytes != timeZone {
            text += Array("SET @@session.time_zone='".utf8) + zone.bytes + Array("'\(delimiter)\n".utf8)
            timeZone = ArraySlice(Array(zone.bytes))
        }
        let lcTime = Int(status.lcTimeNames ?? 0)
        if lcTime != lcTimeNames {
            text += Array("SET @@session.lc_time_names=\(lcTime)\(delimiter)\n".utf8)
            lcTimeNames = lcTime
        }
        let databaseCharset = Int(status.charsetDatabase ?? 0)
        if databaseCharset != charsetDatabase {
            if databaseCharset != 0 {
                text += Array("SET @@session.collation_database=\(databaseCharset)\(delimiter)\n".utf8)
            } else {
                text += Array("SET @@session.collation_database=DEFAULT\(delimiter)\n".utf8)
            }
            charsetDatabase = databaseCharset
        }
        return text
    }

    private func printQuery(_ event: BinlogEvent, _ query: QueryEvent, _ context: HeaderContext, type: String) {
        let keyword = isTransactionKeyword(query.query.bytes)
        let suppressUse = keyword || event.header.flags.contains(.suppressUse)
        let renamed = renamedDatabase(event, query.database.bytes)
        var text = queryHeader(event, threadID: query.threadID, executionTime: query.executionTime, errorCode: query.errorCode,
                               status: query.statusVariables, database: renamed.map { $0[...] } ?? query.database.bytes, type: type, context,
                               suppressUse: suppressUse, isTransactionKeyword: keyword, renamed: renamed != nil)
        let alterFlags = (query.statusVariables.gtidFlags3 ?? 0) & (2 | 4 | 8)
        if alterFlags != 0 {
            let encoded = printsBase64
            let commentMode = encoded && alterFlags & (2 | 8) != 0
            if commentMode { text += Array("/*!100600 ".utf8) }
            if encoded { text += Array("BINLOG '\n".utf8) + Base64.lines(event.bytes) }
            if encoded { text += Array((commentMode ? "' */\(delimiter)\n" : "'\(delimiter)\n").utf8) }
        } else {
            text += query.query.bytes
            text += Array("\n\(delimiter)\n".utf8)
        }
        out.write(text)
    }

    /// `--rewrite-db`: the new name of a statement's database (not for statements logged without `use`).
    private func renamedDatabase(_ event: BinlogEvent, _ database: ArraySlice<UInt8>) -> [UInt8]? {
        guard let rewrite = options.rewrite, !event.header.flags.contains(.suppressUse) else { return nil }
        return rewrite.renamed(database)
    }

    private func printExecuteLoadQuery(_ event: BinlogEvent, _ load: ExecuteLoadQueryEvent, _ context: HeaderContext, localFile: String) {
        let query = load.query
        let keyword = isTransactionKeyword(query.query.bytes)
        let renamed = renamedDatabase(event, query.database.bytes)
        var text = queryHeader(event, threadID: query.threadID, executionTime: query.executionTime, errorCode: query.errorCode,
                               status: query.statusVariables, database: renamed.map { $0[...] } ?? query.database.bytes,
                               type: "Execute_load_query", context,
                               suppressUse: event.header.flags.contains(.suppressUse), isTransactionKeyword: keyword, renamed: renamed != nil)
        let bytes = query.query.bytes
        text += bytes.prefix(Int(load.fileNameStart))
        text += Array(" LOCAL INFILE ".utf8) + TextFormatting.prettyQuoted(Array(localFile.utf8))
        if load.duplicateHandling == 2 { text += Array(" REPLACE".utf8) }
        text += Array(" INTO".utf8)
        text += bytes.dropFirst(Int(load.fileNameEnd))
        text += Array("\n\(delimiter)\n".utf8)
        if !options.shortForm { text += Array("# file_id: \(load.fileID) \n".utf8) }
        out.write(text)
    }

    // MARK: User variables

    private func printUserVar(_ userVar: UserVarEvent, _ context: HeaderContext) {
        var text = options.shortForm ? [] : header(context) + Array("\tUser_var\n".utf8)
        text += Array("SET @".utf8) + TextFormatting.backtickQuoted(userVar.name.bytes)
        guard let value = userVar.value else {
            text += Array(":=NULL\(delimiter)\n".utf8)
            out.write(text)
            return
        }
        switch value.type {
        case .real:
            var bits: UInt64 = 0
            for (i, byte) in value.bytes.prefix(8).enumerated() { bits |= UInt64(byte) << (8 * UInt64(i)) }
            text += Array(":=\(TextFormatting.cFormat("%.14g", Double(bitPattern: bits)))\(delimiter)\n".utf8)
        case .int:
            var bits: UInt64 = 0
            for (i, byte) in value.bytes.prefix(8).enumerated() { bits |= UInt64(byte) << (8 * UInt64(i)) }
            let number = value.isUnsigned ? String(bits) : String(Int64(bitPattern: bits))
            text += Array(":=\(number)\(delimiter)\n".utf8)
        case .decimal:
            let rendered = value.bytes.count >= 2
                ? BinaryDecimal.string(precision: Int(value.bytes[0]), scale: Int(value.bytes[1]), bytes: Array(value.bytes.dropFirst(2)))
                : nil
            text += Array(":=\(rendered ?? "???")\(delimiter)\n".utf8)
        case .string:
            if let names = MariaDBCollations.byID[value.charset] {
                // str_to_hex: X'…' for bytes, "" for an empty string.
                let literal = value.bytes.isEmpty ? "\"\"" : "X'\(TextFormatting.upperHex(value.bytes))'"
                text += Array(":=_\(names.charset) \(literal) COLLATE `\(names.collation)`\(delimiter)\n".utf8)
            } else {
                text += Array(":=???\(delimiter)\n".utf8)
            }
        default:
            text += Array(":=???\(delimiter)\n".utf8)
        }
        out.write(text)
    }

    // MARK: GTID

    private func serializedXID(_ xid: XID) -> [UInt8] {
        // XID::serialize: X'gtrid',X'bqual',formatID in lower-case hex.
        func hexLower(_ bytes: [UInt8]) -> String { bytes.map { TextFormatting.hex(UInt64($0), width: 2) }.joined() }
        return Array("X'\(hexLower(xid.gtrid))',X'\(hexLower(xid.bqual))',\(xid.formatID)".utf8)
    }

    private func printGTID(_ event: BinlogEvent, _ gtid: MariaDBGTIDEvent, _ context: HeaderContext) {
        if !options.shortForm {
            appendHeader(context, to: &out.buffer)
            out.buffer.append("\tGTID ")
            out.buffer.append(decimal: UInt64(gtid.domainID))
            out.buffer.append(UInt8(ascii: "-"))
            out.buffer.append(decimal: UInt64(event.header.serverID))
            out.buffer.append(UInt8(ascii: "-"))
            out.buffer.append(decimal: gtid.sequenceNumber)
            if gtid.flags.contains(.groupCommitID), let commit = gtid.commitID {
                out.buffer.append(" cid=")
                out.buffer.append(decimal: commit)
            }
            if gtid.flags.contains(.ddl) { out.buffer.append(" ddl") }
            if gtid.flags.contains(.transactional) { out.buffer.append(" trans") }
            if gtid.flags.contains(.waited) { out.buffer.append(" waited") }
            if let extra = gtid.extraFlags {
                if extra.contains(.startAlter) { out.buffer.append(" START ALTER") }
                if extra.contains(.commitAlter) {
                    out.buffer.append(" COMMIT ALTER id= ")
                    out.buffer.append(decimal: gtid.startAlterSequenceNumber ?? 0)
                }
                if extra.contains(.rollbackAlter) {
                    out.buffer.append(" ROLLBACK ALTER id= ")
                    out.buffer.append(decimal: gtid.startAlterSequenceNumber ?? 0)
                }
            }
            out.buffer.append(10)
            let parallel = gtid.flags.contains(.allowParallel)
            if allowParallel != parallel {
                out.buffer.append(parallel ? "/*M!100101 SET @@session.skip_parallel_replication=0*//*!*/;\n"
                                           : "/*M!100101 SET @@session.skip_parallel_replication=1*//*!*/;\n")
                allowParallel = parallel
            }
            // --skip-gtids: the transaction is replayed under a GTID of the target's choosing.
            if !options.skipGTIDs && domainID != gtid.domainID {
                out.buffer.append("/*M!100001 SET @@session.gtid_domain_id=")
                out.buffer.append(decimal: UInt64(gtid.domainID))
                out.buffer.append("*//*!*/;\n")
                domainID = gtid.domainID
            }
            if !options.skipGTIDs && serverID != event.header.serverID {
                out.buffer.append("/*M!100001 SET @@session.server_id=")
                out.buffer.append(decimal: UInt64(event.header.serverID))
                out.buffer.append("*//*!*/;\n")
                serverID = event.header.serverID
            }
            if !options.skipGTIDs {
                out.buffer.append("/*M!100001 SET @@session.gtid_seq_no=")
                out.buffer.append(decimal: gtid.sequenceNumber)
                out.buffer.append("*//*!*/;\n")
            }
        }
        if gtid.flags.contains(.preparedXA), let xid = gtid.xid {
            out.buffer.append("XA START ")
            out.buffer.append(contentsOf: serializedXID(xid))
            out.buffer.append("/*!*/;\n")
        } else if !gtid.flags.contains(.standalone) {
            out.buffer.append("START TRANSACTION\n/*!*/;\n")
        }
    }

    // MARK: Row events

    /// Prints the Annotate_rows kept for the statement. Its hex dump is labelled with the offset of
    /// the event being processed (the Table_map), as mariadb-binlog labels it.
    ///
    /// `direct`: the head cache would be written out at this Table_map anyway, so the text goes
    /// straight to the output (the statement's lines by reference, not copied).
    private func printPendingAnnotate(formatDescription: FormatDescriptionEvent, hexdumpOffset: UInt64, direct: Bool) {
        guard let annotate = pendingAnnotate else { return }
        pendingAnnotate = nil
        if direct {
            appendAnnotateHeader(annotate, formatDescription: formatDescription, hexdumpOffset: hexdumpOffset, to: &out.buffer)
        } else {
            appendAnnotateHeader(annotate, formatDescription: formatDescription, hexdumpOffset: hexdumpOffset, to: &head)
        }
        // Each line of the statement, CR and LF runs dropped, prefixed with `#Q> `.
        Self.forEachLine(of: annotate.query) { line in
            if direct {
                out.buffer.append("#Q> ")
                out.appendShared(line)
                out.buffer.append(10)
            } else {
                head.append("#Q> ")
                head.append(contentsOf: line)
                head.append(10)
            }
        }
    }

    private func appendAnnotateHeader(_ annotate: PendingAnnotate, formatDescription: FormatDescriptionEvent, hexdumpOffset: UInt64,
                                      to head: inout [UInt8]) {
        if !options.shortForm {
            appendHeaderLine(annotate.header, checksum: annotate.checksum, to: &head)
            if options.hexdump {
                head += HexDump.render(event: annotate.bytes, at: hexdumpOffset,
                                       headerLength: formatDescription.commonHeaderLength)
            }
            head.append("\tAnnotate_rows:\n")
        } else {
            head.append("# Annotate_rows:\n")
        }
    }

    /// The lines of `text` without their line ends, runs of CR and LF dropped.
    private static func forEachLine(of text: ArraySlice<UInt8>, _ body: (ArraySlice<UInt8>) -> Void) {
        let start = text.startIndex
        let end = text.endIndex
        var index = start
        while index < end {
            while index < end && (text[index] == 13 || text[index] == 10) { index += 1 }
            guard index < end else { break }
            // The line runs to the next LF or CR (memchr for the LF; statements rarely have CRs).
            let lineEnd = text.withUnsafeBufferPointer { bytes -> Int in
                let base = bytes.baseAddress!
                let from = index - start
                var stop = bytes.count
                if let newline = memchr(base + from, 10, stop - from) {
                    stop = base.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                }
                if let carriage = memchr(base + from, 13, stop - from) {
                    stop = base.distance(to: carriage.assumingMemoryBound(to: UInt8.self))
                }
                return start + stop
            }
            body(text[index..<lineEnd])
            index = lineEnd
        }
    }

    private func printTableMap(_ event: BinlogEvent, _ map: TableMapEvent, _ context: HeaderContext, direct: Bool) {
        if options.printRowCount { rememberLayout(of: map, event: event) }
        if !options.shortForm {
            if direct { appendTableMapLine(map, context, to: &out.buffer) } else { appendTableMapLine(map, context, to: &head) }
        }
        if !options.shortForm || options.printRowCount {
            if options.printTableMetadata {
                head += MariaDBTableMetadata.lines(map)
                if let problem = TableMapOptionalMetadata(map).problem {
                    // The block runs to the end of the event's body, just before its checksum.
                    let blockStart = event.endOffset - UInt64(event.checksum == nil ? 0 : 4) - UInt64(map.optionalMetadata.count)
                    warnings.append("the optional metadata of the Table_map at \(event.offset) is damaged at offset \(blockStart + UInt64(problem.offset)): \(problem.message); the fields from there on are not printed")
                }
            }
            if printsBase64 {
                if let text = precomputedBase64 { body.appendShared(text) } else { body.appendBase64Lines(event.bytes) }
            }
            out.buffer.append(contentsOf: head)
            head.removeAll(keepingCapacity: true)
        }
    }

    private func appendTableMapLine(_ map: TableMapEvent, _ context: HeaderContext, to head: inout [UInt8]) {
        appendHeader(context, to: &head)
        head.append("\tTable_map: ")
        TextFormatting.appendBacktickQuoted(map.database.bytes, to: &head)
        head.append(UInt8(ascii: "."))
        TextFormatting.appendBacktickQuoted(map.table.bytes, to: &head)
        head.append(" mapped to number ")
        head.append(decimal: map.tableID)
        if map.flags & (1 << 14) != 0 { head.append(" (has triggers)") }
        head.append(10)
    }

    /// Derives a table's column layout once per distinct Table_map (servers repeat the same map
    /// before every statement).
    private func rememberLayout(of map: TableMapEvent, event: BinlogEvent) {
        let body = event.bytes.dropFirst(19).dropLast(event.checksum == nil ? 0 : 4)
        if let known = tableLayouts[map.tableID], known.body.count == body.count,
           known.body.withUnsafeBytes({ a in body.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }) {
            return
        }
        let types = map.columnTypes
        let metadata = map.columnMetadata
        let verbose = options.verbose > 0
            ? MariaDBVerboseRows.Table(database: map.database.owned(), table: map.table.owned(), types: types, metadata: metadata,
                                       nullable: (0..<map.columnCount).map(map.isNullable))
            : nil
        tableLayouts.setBounded(TableLayout(body: Array(body), types: types, metadata: metadata, verbose: verbose), for: map.tableID)
    }

    private func printRows(_ event: BinlogEvent, _ rows: RowsEvent, _ context: HeaderContext) {
        let statementEnd = rows.flags.contains(.statementEnd)
        if !inRowsStatement {
            rowCount = 0
            inRowsStatement = true
        }
        if ignoredTables.contains(rows.tableID) {
            // A table -d filtered out. At the statement's end mariadb-binlog writes its caches out
            // as they are (no BINLOG line, no row count) and keeps counting rows into the next
            // statement: its quirks, kept.
            if statementEnd {
                ignoredTables.removeAll()
                pendingAnnotate = nil
                if !body.isEmpty { body.append("'/*!*/;\n") }
                out.buffer.append(contentsOf: head)
                out.append(body)
                out.buffer.append(contentsOf: tail)
                head.removeAll(keepingCapacity: true)
                body.removeAll()
                tail.removeAll(keepingCapacity: true)
            }
            return
        }
        if !options.shortForm {
            let name: StaticString
            switch (rows.kind, rows.wasCompressed) {
            case (.write, false): name = "Write_rows"
            case (.update, false), (.partialUpdate, _): name = "Update_rows"
            case (.delete, false): name = "Delete_rows"
            case (.write, true): name = "Write_compressed_rows"
            case (.update, true): name = "Update_compressed_rows"
            case (.delete, true): name = "Delete_compressed_rows"
            }
            // mariadb-binlog replaces a compressed event by its uncompressed form before printing,
            // so a hex dump shows the uncompressed bytes.
            var shown = context
            if options.hexdump, rows.wasCompressed, let plain = event.uncompressedRowsEvent {
                shown.hexdumpBytes = plain[...]
            }
            // The statement's last event writes the head cache out next: with nothing in it, its
            // line goes straight to the output.
            if statementEnd && head.isEmpty {
                appendRowsLine(name, rows, shown, statementEnd: true, to: &out.buffer)
            } else {
                appendRowsLine(name, rows, shown, statementEnd: statementEnd, to: &head)
            }
        }
        // Compressed events are printed as the uncompressed event they stand for.
        let printedBytes: ArraySlice<UInt8> = rows.wasCompressed ? (event.uncompressedRowsEvent.map { $0[...] } ?? event.bytes) : event.bytes
        if !options.shortForm || options.printRowCount {
            // The last event of a statement goes straight to the output below, not through the cache.
            if printsBase64 && !statementEnd {
                if let text = precomputedBase64, !rows.wasCompressed { body.appendShared(text) } else { body.appendBase64Lines(printedBytes) }
            }
            if options.verbose > 0 {
                rowCount += MariaDBVerboseRows(verbosity: options.verbose).append(rows, table: tableLayouts[rows.tableID]?.verbose, to: &tail)
            } else if options.printRowCount {
                rowCount += countRows(rows)
            }
        }
        if statementEnd {
            pendingAnnotate = nil
            out.buffer.append(contentsOf: head)
            head.removeAll(keepingCapacity: true)
            if printsBase64 {
                out.buffer.append("\nBINLOG '\n")
                out.append(body)
                if let text = precomputedBase64, !rows.wasCompressed {
                    out.appendShared(text)
                } else {
                    Base64.appendLines(printedBytes, to: &out.buffer)
                }
                out.buffer.append("'/*!*/;\n")
            } else {
                out.append(body)
            }
            body.removeAll()
            out.buffer.append(contentsOf: tail)
            tail.removeAll(keepingCapacity: true)
            if options.printRowCount {
                out.buffer.append("# Number of rows: ")
                out.buffer.append(decimal: UInt64(rowCount))
                out.buffer.append(10)
            }
            rowCount = 0
            inRowsStatement = false
        }
    }

    private func appendRowsLine(_ name: StaticString, _ rows: RowsEvent, _ context: HeaderContext, statementEnd: Bool, to head: inout [UInt8]) {
        appendHeader(context, to: &head)
        head.append(UInt8(ascii: "\t"))
        head.append(name)
        head.append(": table id ")
        head.append(decimal: rows.tableID)
        if statementEnd { head.append(" flags: STMT_END_F") }
        head.append(10)
    }

    /// mariadb-binlog's `is_trans_keyword`: statements `-d` never filters. In an XA group, any
    /// statement starting with `XA `; else a prefix of BEGIN or COMMIT (compared over the
    /// statement's length, so an empty statement counts), or one starting with SAVEPOINT or
    /// ROLLBACK in any case.
    private func isTransactionKeyword(_ query: ArraySlice<UInt8>) -> Bool {
        func startsCaseInsensitive(_ word: String) -> Bool {
            let letters = Array(word.utf8)
            guard query.count >= letters.count else { return false }
            return zip(query.prefix(letters.count), letters).allSatisfy { ($0 | 0x20) == ($1 | 0x20) }
        }
        if inXAGroup { return startsCaseInsensitive("XA ") }
        func isPrefix(of word: String) -> Bool {
            let letters = Array(word.utf8)
            return query.count <= letters.count && query.elementsEqual(letters.prefix(query.count))
        }
        return isPrefix(of: "BEGIN") || isPrefix(of: "COMMIT") || startsCaseInsensitive("SAVEPOINT") || startsCaseInsensitive("ROLLBACK")
    }

    /// Rows in a rows event, counted the way mariadb-binlog counts them (its quirks included).
    private func countRows(_ rows: RowsEvent) -> Int {
        guard let layout = tableLayouts[rows.tableID] else { return 0 }
        return MariaDBRowCount.rows(in: rows, types: layout.types, metadata: layout.metadata)
    }

    // MARK: Other events

    private func printUnknownOrIgnorable(_ event: BinlogEvent, _ context: HeaderContext) {
        if options.shortForm { return }
        // mariadb-binlog reads MySQL's GTID, Previous_gtids, Transaction_context, View_change and
        // Heartbeat_v2 events as ignorable whatever their flags say.
        if event.header.flags.contains(.ignorable) || [33, 34, 35, 36, 37, 41].contains(event.header.type.rawValue) {
            out.write(header(context) + Array("\tIgnorable\n# Ignorable event type \(event.header.type.rawValue) (\(mariaDBTypeName(event.header.type)))\n".utf8))
        } else {
            out.write(header(context) + Array("\n# Unknown event\n".utf8))
        }
    }

    private func mariaDBTypeName(_ type: BinlogEventType) -> String {
        switch type.rawValue {
        case 28: return "Ignorable log event"
        case 29: return "MySQL Rows_query"
        case 33: return "MySQL Gtid"
        case 34: return "MySQL Anonymous_Gtid"
        case 35: return "MySQL Previous_gtids"
        case 36: return "Transaction_context"
        case 37: return "View_change"
        case 41: return "MySQL Heartbeat"
        default: return type.name
        }
    }

    // MARK: LOAD DATA files

    private func startLoadFile(_ block: AppendBlockEvent) throws {
        try loadFiles.start(block)
    }

    private func appendLoadFile(_ block: AppendBlockEvent) throws {
        if try !loadFiles.append(block) {
            warnings.append("Ignoring Append_block as there is no Create_file event for file_id: \(block.fileID)")
        }
    }
}

/// Bits of a Query event's flags2 (MariaDB's OPTION_* values).
enum MariaDBOptionBits {
    static let autoIsNull: UInt32 = 1 << 14
    static let notAutocommit: UInt32 = 1 << 19
    static let noForeignKeyChecks: UInt32 = 1 << 26
    static let relaxedUniqueChecks: UInt32 = 1 << 27
    static let noCheckConstraintChecks: UInt32 = 1 << 15
    static let ifExists: UInt32 = 1 << 28
    static let explicitDefaultsForTimestamp: UInt32 = 1 << 24
    static let insertHistory: UInt32 = 1 << 30
}
