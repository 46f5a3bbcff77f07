// `binlog dump --format sql`: plain SQL that any client can apply, no BINLOG statements.
import MySQLBinlog

/// What `--format sql` takes from the dump options.
struct SQLOutputOptions {
    /// `-d` and the replica rules (mysqlbinlog semantics, as in the other outputs).
    var schema: SchemaFilter?
    /// `--rewrite-db`: `USE` lines and the database of row statements are renamed.
    var rewrite: DatabaseRewrite?
    /// `--disable-log-bin`: `SET @@session.sql_log_bin=0` first.
    var disableLogBin = false
    /// Where LOAD DATA files are written (as the text output writes them).
    var loadDataDirectory = "/tmp/"
    var maximumJSONDepth = DecodingOptions().maximumJSONDepth
}

/// Prints the changes in a binlog as SQL statements.
///
/// - Statements are printed as logged, each after the session settings it needs that differ
///   from what was last set: `USE`, `SET TIMESTAMP`, the flags2 options, `sql_mode` (by name),
///   auto-increment, character sets and collations (by name), time zone, `lc_time_names`,
///   `collation_database`; and its user variables, `INSERT_ID`/`LAST_INSERT_ID` and RAND seeds.
/// - Rows events become `INSERT`, `UPDATE … LIMIT 1` and `DELETE … LIMIT 1` statements, run
///   with `sql_mode='NO_AUTO_VALUE_ON_ZERO'` and `time_zone='+00:00'` (TIMESTAMP values are
///   written in UTC). Values are exact whatever the client's character set or `sql_mode`:
///   strings are `'text'` only when printable ASCII without quote or backslash, otherwise
///   `_charset X'…'` (`X'…'` when the charset is not logged); FLOAT and DOUBLE as the decimal
///   text that reads back as the same value; TIMESTAMP in UTC.
/// - `WHERE` uses the primary key when the Table_map names it (`binlog_row_metadata=FULL`),
///   otherwise every column of the before image, strings compared byte for byte.
/// - When the Table_map has no column names (`binlog_row_metadata` MINIMAL or NO_LOG), the
///   names are taken from the target server's `information_schema.COLUMNS` by ordinal position
///   when the SQL is applied: such statements are built with `CONCAT` and run with
///   `PREPARE`/`EXECUTE`. Integer signedness and BINARY padding the binlog does not give are
///   decided the same way.
/// - GTIDs start transactions (`START TRANSACTION`) but are not carried over: the target gives
///   the transactions GTIDs of its own.
final class SQLPrinter: TextPrinter {
    private let out: OutputSink
    private let options: SQLOutputOptions
    private(set) var warnings: [String] = []
    private var fileName = ""
    /// Whether the file being read was written by MariaDB (names of sql_mode bits, collations).
    private var isMariaDB = true
    private var serverVersion = (10, 11, 0)

    /// Session variables as last set in the output (`@@session.x` → value text).
    private var session: [String: String] = [:]
    /// The default database as last set with `USE`.
    private var database: [UInt8]?
    /// Intvar, Rand and User_var statements waiting for the statement they belong to.
    private var pendingContext: [UInt8] = []
    /// The Annotate_rows / Rows_query text of the statement whose rows come next, as comments.
    private var pendingAnnotation: [UInt8] = []
    /// Whether a `START TRANSACTION` (or BEGIN) was printed and not yet ended.
    private var inTransaction = false
    /// The table whose column names the `@binlog_c…` variables hold.
    private var resolvedTable: [UInt8]?
    private var usedPreparedStatement = false

    private struct Table {
        var map: TableMapEvent
        var decoder: RowDecoder
        var metadata: TableMapOptionalMetadata
        /// `db`.`table`, with the database renamed by --rewrite-db.
        var qualified: [UInt8]
        /// The database as printed (for information_schema).
        var databaseName: [UInt8]
        var quotedNames: [[UInt8]]?
        var kept: Bool
    }
    private var tables: [UInt64: Table] = [:]

    private lazy var loadFiles = LoadDataFiles(directory: options.loadDataDirectory)

    init(out: OutputSink, options: SQLOutputOptions) {
        self.out = out
        self.options = options
    }

    // MARK: TextPrinter

    func preamble() {
        out.write(Array("-- SQL written by binlog dump --format sql\n".utf8))
        if options.disableLogBin { out.write(Array("SET @@session.sql_log_bin=0;\n".utf8)) }
    }

    func beginFile() {
        tables.removeAll()
        resolvedTable = nil
    }

    func beginFile(named name: String) {
        fileName = name
        beginFile()
        var line = Array("\n-- file: ".utf8)
        appendCommentText(Array(name.utf8)[...], to: &line)
        out.write(line)
    }

    func endFile() {}

    func trailer() {
        if inTransaction {
            // The binlog ends inside a transaction (cut by a stop position, or a crashed server):
            // what was not committed there is not committed here either.
            out.write(Array("ROLLBACK;\n".utf8))
            inTransaction = false
        }
        if usedPreparedStatement { out.write(Array("DEALLOCATE PREPARE binlog_stmt;\n".utf8)) }
    }

    func print(_ event: BinlogEvent, formatDescription: FormatDescriptionEvent) throws {
        endAnnotation(event)
        switch event.payload {
        case .formatDescription(let description):
            isMariaDB = description.isMariaDB
            serverVersion = description.versionTriple
            // A Format_description written at server start: transactions left open by a crash
            // were rolled back there.
            if description.createTimestamp != 0 && inTransaction {
                out.write(Array("ROLLBACK;\n".utf8))
                inTransaction = false
            }
        case .query(let query):
            try printStatement(event, query, load: nil)
        case .executeLoadQuery(let load):
            guard let name = loadFiles.take(load.fileID) else {
                throw decodingError("Execute_load_query for file id \(load.fileID) without the Begin_load_query that starts its file", event)
            }
            try printStatement(event, load.query, load: (load, name))
        case .beginLoadQuery(let block):
            try loadFiles.start(block)
        case .appendBlock(let block):
            if try !loadFiles.append(block) {
                warnings.append("\(fileName): Append_block at \(event.offset) for file id \(block.fileID) has no Begin_load_query: ignored")
            }
        case .intvar(let intvar):
            let name: String
            switch intvar.kind {
            case .lastInsertID: name = "LAST_INSERT_ID"
            case .insertID: name = "INSERT_ID"
            default: name = "INSERT_ID"
            }
            pendingContext += Array("SET \(name)=\(intvar.value);\n".utf8)
        case .rand(let rand):
            pendingContext += Array("SET @@RAND_SEED1=\(rand.seed1), @@RAND_SEED2=\(rand.seed2);\n".utf8)
        case .userVar(let userVar):
            pendingContext += userVariable(userVar)
        case .xid:
            flushContext()
            out.write(Array("COMMIT;\n".utf8))
            inTransaction = false
        case .mariaDBGTID(let gtid):
            flushContext()
            var line = Array("-- GTID \(gtid.domainID)-\(event.header.serverID)-\(gtid.sequenceNumber) at \(event.offset)\n".utf8)
            if gtid.flags.contains(.preparedXA), let xid = gtid.xid {
                line += Array("XA START ".utf8) + serializedXID(xid) + Array(";\n".utf8)
                inTransaction = true
            } else if !gtid.flags.contains(.standalone) {
                line += Array("START TRANSACTION;\n".utf8)
                inTransaction = true
            }
            out.write(line)
        case .gtid(let gtid):
            if event.header.type != .anonymousGTID {
                out.write(Array("-- GTID \(gtid.sid)\(gtid.tag.map { ":" + $0 } ?? ""):\(gtid.gno) at \(event.offset)\n".utf8))
            }
        case .xaPrepare(let prepare):
            flushContext()
            let xid = serializedXID(prepare.xid)
            out.write(Array((prepare.isOnePhase ? "XA COMMIT " : "XA PREPARE ").utf8) + xid
                      + Array((prepare.isOnePhase ? " ONE PHASE;\n" : ";\n").utf8))
            inTransaction = false
        case .annotateRows(let annotate):
            // Shown with the statement's first rows event that is printed (-d may leave them all out).
            pendingAnnotation = Array("-- at \(event.offset): rows of the statement\n".utf8)
            appendCommentText(annotate.query.bytes, to: &pendingAnnotation, prefix: "--   ")
        case .rowsQuery(let rowsQuery):
            pendingAnnotation = Array("-- at \(event.offset): rows of the statement\n".utf8)
            appendCommentText(rowsQuery.query.bytes, to: &pendingAnnotation, prefix: "--   ")
        case .tableMap(let map):
            rememberTable(map)
        case .rows(let rows):
            try printRows(event, rows)
        case .transactionPayload(let payload):
            var reader = try TransactionPayloadReader(payload, in: event, formatDescription: formatDescription)
            while let inner = try reader.next() {
                var positioned = inner
                positioned.offset = event.offset
                try print(positioned, formatDescription: formatDescription)
            }
        case .incident(let incident):
            warnings.append("\(fileName): incident event at \(event.offset) (\(incident.message.description)): the source server may have lost changes here")
            out.write(Array("-- at \(event.offset): incident on the source server; changes may be missing here\n".utf8))
        case .execLoad, .legacyLoad:
            throw decodingError("MySQL 4.x LOAD DATA events are not converted to SQL; use the text output", event)
        case .unsupported(let unknown):
            out.write(Array("-- at \(event.offset): event type \(unknown.type.rawValue) (\(unknown.type.name)) is not converted\n".utf8))
        default:
            // Rotate, Stop, Heartbeat, Previous_gtids, Gtid_list, Binlog_checkpoint, Delete_file,
            // Transaction_context, View_change, Start_v3: nothing to apply.
            break
        }
    }

    private func decodingError(_ message: String, _ event: BinlogEvent) -> BinlogDecodingError {
        var failure = BinlogDecodingError(.invalidValue(message), offset: event.offset, field: "event")
        failure.eventType = event.header.type
        failure.eventOffset = event.offset
        failure.file = fileName
        return failure
    }

    private func flushContext() {
        // Context events whose statement never came: dropped (they would change the next one).
        pendingContext.removeAll()
    }

    /// Before every event but Table_map and rows: the statement an Annotate_rows announced is over.
    private func endAnnotation(_ event: BinlogEvent) {
        switch event.payload {
        case .tableMap, .rows, .annotateRows, .rowsQuery: break
        default: pendingAnnotation.removeAll()
        }
    }

    // MARK: Comments

    /// `text` as comment lines, each starting with `prefix` (line breaks start a new comment).
    private func appendCommentText(_ text: ArraySlice<UInt8>, to line: inout [UInt8], prefix: StaticString = "") {
        line.append(prefix)
        for byte in text {
            if byte == 10 {
                line.append(10)
                line.append(prefix)
            } else if byte == 13 {
                line.append(UInt8(ascii: " "))
            } else {
                line.append(byte)
            }
        }
        line.append(10)
    }

    // MARK: Statements

    private func keywordKind(_ query: ArraySlice<UInt8>) -> StatementKind { StatementKind(query) }

    private func printStatement(_ event: BinlogEvent, _ query: QueryEvent, load: (event: ExecuteLoadQueryEvent, file: String)?) throws {
        let kind = keywordKind(query.query.bytes)
        resolvedTable = nil
        if let schema = options.schema, !kind.isTransactionControl, !schema.keepsStatement(database: query.database.bytes) {
            flushContext()
            return
        }
        let status = query.statusVariables
        // MariaDB's two-phase ALTER: the ALTER is in the START ALTER event; COMMIT/ROLLBACK ALTER are replication markers.
        if let flags = status.gtidFlags3, flags & (4 | 8) != 0 {
            out.write(Array("-- at \(event.offset): \(flags & 4 != 0 ? "COMMIT" : "ROLLBACK") ALTER marker (the ALTER was printed at its START ALTER)\n".utf8))
            flushContext()
            return
        }
        var text: [UInt8] = []
        text += Array("-- at \(event.offset)\n".utf8)
        // The default database; statements logged without one (or transaction keywords) keep the last.
        if !event.header.flags.contains(.suppressUse) && !kind.isTransactionControl {
            var name = Array(query.database.bytes)
            if let renamed = options.rewrite?.renamed(query.database.bytes) { name = renamed }
            if !name.isEmpty && database != name {
                text += Array("USE ".utf8) + TextFormatting.backtickQuoted(name) + Array(";\n".utf8)
                database = name
            }
        }
        var settings: [(String, String)] = []
        var timestamp = "\(event.header.timestamp)"
        if let fraction = status.microseconds, fraction != 0, fraction <= 999_999 {
            let digits = String(fraction)
            timestamp += "." + String(repeating: "0", count: 6 - digits.count) + digits
        }
        settings.append(("TIMESTAMP", timestamp))
        if let flags = status.flags2 {
            let list = isMariaDB ? MariaDBTextPrinter.sessionFlags(forServer: serverVersion) : MySQLTextPrinter.sessionFlags
            for flag in list {
                let set = flags & flag.bit != 0
                settings.append((flag.variable, (flag.inverted ? !set : set) ? "1" : "0"))
            }
        }
        if let mode = status.sqlMode { settings.append(("@@session.sql_mode", "'" + SQLPrinter.sqlModeNames(mode, mariaDB: isMariaDB) + "'")) }
        settings.append(("@@session.auto_increment_increment", "\(status.autoIncrementIncrement ?? 1)"))
        settings.append(("@@session.auto_increment_offset", "\(status.autoIncrementOffset ?? 1)"))
        if let client = status.charsetClient, let connection = status.collationConnection, let server = status.collationServer {
            if let names = collation(UInt32(client)) {
                settings.append(("@@session.character_set_client", names.charset))
            } else {
                warnings.append("\(fileName): the statement at \(event.offset) was sent in character set #\(client), which is not known: its client character set is not set")
            }
            settings.append(("@@session.collation_connection", collation(UInt32(connection))?.collation ?? "\(connection)"))
            settings.append(("@@session.collation_server", collation(UInt32(server))?.collation ?? "\(server)"))
        }
        if let zone = status.timeZone, !zone.isEmpty {
            settings.append(("@@session.time_zone", "'" + zone.description.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"))
        }
        if let names = status.lcTimeNames { settings.append(("@@session.lc_time_names", "\(names)")) }
        if let databaseCollation = status.charsetDatabase {
            settings.append(("@@session.collation_database",
                             databaseCollation == 0 ? "DEFAULT" : collation(UInt32(databaseCollation))?.collation ?? "\(databaseCollation)"))
        }
        if let explicit = status.explicitDefaultsForTimestamp, !isMariaDB {
            settings.append(("@@session.explicit_defaults_for_timestamp", explicit != 0 ? "1" : "0"))
        }
        if let utf8mb4 = status.defaultCollationForUTF8MB4, !isMariaDB, let names = collation(UInt32(utf8mb4)) {
            settings.append(("@@session.default_collation_for_utf8mb4", names.collation))
        }
        appendSettings(settings, to: &text)
        text += pendingContext
        pendingContext.removeAll()
        var statement = Array(query.query.bytes)
        if let (load, file) = load {
            // LOAD DATA: the data the server logged, from the file it was written to here.
            statement = Array(query.query.bytes.prefix(Int(load.fileNameStart)))
                + Array(" LOCAL INFILE ".utf8) + TextFormatting.prettyQuoted(Array(file.utf8))
            if load.duplicateHandling == 2 { statement += Array(" REPLACE".utf8) }
            statement += Array(" INTO".utf8) + query.query.bytes.dropFirst(Int(load.fileNameEnd))
        }
        SQLPrinter.appendTerminated(statement[...], to: &text)
        out.write(text)
        switch kind {
        case .begin, .xaStart: inTransaction = true
        case .commit, .rollback: inTransaction = false
        case .xaOther: break
        default:
            // DDL commits implicitly.
            if kind == .ddl { inTransaction = false }
        }
    }

    /// One `SET` for the settings that differ from what was last set (TIMESTAMP always).
    private func appendSettings(_ settings: [(String, String)], to text: inout [UInt8]) {
        var parts: [String] = []
        for (name, value) in settings where name == "TIMESTAMP" || session[name] != value {
            parts.append("\(name)=\(value)")
            session[name] = value
        }
        guard !parts.isEmpty else { return }
        text += Array("SET \(parts.joined(separator: ", "));\n".utf8)
    }

    private func collation(_ id: UInt32) -> (charset: String, collation: String)? {
        isMariaDB ? MariaDBCollations.byID[id] ?? MySQLCollations.byID[id] : MySQLCollations.byID[id] ?? MariaDBCollations.byID[id]
    }

    /// The statement and its terminator: `;` on the same line, on the next when the statement
    /// ends inside a `--`/`#` comment; for a statement with a `;` of its own outside quotes and
    /// comments (a stored program's body), a `DELIMITER` block, which the mysql and mariadb
    /// clients understand.
    static func appendTerminated(_ statement: ArraySlice<UInt8>, to text: inout [UInt8]) {
        let scan = StatementScan(statement)
        if scan.hasSemicolon {
            text += Array("DELIMITER $$\n".utf8)
            text += statement
            text += Array(scan.endsInLineComment ? "\n$$\nDELIMITER ;\n".utf8 : "$$\nDELIMITER ;\n".utf8)
        } else if scan.endsWithSemicolon {
            text += statement
            text.append(10)
        } else {
            text += statement
            text += Array(scan.endsInLineComment || scan.endsInBlockComment || scan.endsInQuote ? "\n;\n".utf8 : ";\n".utf8)
        }
    }

    // MARK: Context events

    private func userVariable(_ userVar: UserVarEvent) -> [UInt8] {
        var text = Array("SET @".utf8) + TextFormatting.backtickQuoted(userVar.name.bytes) + Array(":=".utf8)
        guard let value = userVar.value else { return text + Array("NULL;\n".utf8) }
        func bits() -> UInt64 {
            var bits: UInt64 = 0
            for (i, byte) in value.bytes.prefix(8).enumerated() { bits |= UInt64(byte) << (8 * UInt64(i)) }
            return bits
        }
        switch value.type {
        case .real:
            text += Array(SQLPrinter.doubleLiteral(Double(bitPattern: bits())).utf8)
        case .int:
            text += Array((value.isUnsigned ? String(bits()) : String(Int64(bitPattern: bits()))).utf8)
        case .decimal:
            let rendered = value.bytes.count >= 2
                ? BinaryDecimal.string(precision: Int(value.bytes[0]), scale: Int(value.bytes[1]), bytes: Array(value.bytes.dropFirst(2)))
                : nil
            text += Array((rendered ?? "NULL").utf8)
        case .string:
            if let names = collation(value.charset) {
                text += Array("_\(names.charset) X'\(TextFormatting.upperHex(value.bytes))' COLLATE `\(names.collation)`".utf8)
            } else {
                text += Array("X'\(TextFormatting.upperHex(value.bytes))'".utf8)
            }
        default:
            text += Array("NULL".utf8)
        }
        return text + Array(";\n".utf8)
    }

    private func serializedXID(_ xid: XID) -> [UInt8] {
        Array("X'\(TextFormatting.upperHex(xid.gtrid))',X'\(TextFormatting.upperHex(xid.bqual))',\(xid.formatID)".utf8)
    }

    // MARK: Tables

    private func rememberTable(_ map: TableMapEvent) {
        if let known = tables[map.tableID], known.map.hasSameBody(as: map) { return }
        let metadata = TableMapOptionalMetadata(map)
        var databaseName = Array(map.database.bytes)
        if let renamed = options.rewrite?.renamed(map.database.bytes) { databaseName = renamed }
        let qualified = TextFormatting.backtickQuoted(databaseName) + [UInt8(ascii: ".")] + TextFormatting.backtickQuoted(map.table.bytes)
        let kept = options.schema.map { $0.keepsTable(database: map.database.bytes, table: map.table.bytes) } ?? true
        let table = Table(map: map.owned(), decoder: RowDecoder(map), metadata: metadata, qualified: qualified,
                          databaseName: databaseName, quotedNames: metadata.columnNameBytes?.map { TextFormatting.backtickQuoted($0) },
                          kept: kept)
        tables.setBounded(table, for: map.tableID)
    }

    // MARK: Rows

    private func printRows(_ event: BinlogEvent, _ rows: RowsEvent) throws {
        guard let table = tables[rows.tableID] else {
            throw decodingError("rows event for table id \(rows.tableID) without its Table_map: its changes cannot be written as SQL", event)
        }
        guard table.kept else { return }
        flushContext()
        var text = pendingAnnotation
        pendingAnnotation.removeAll()
        text += Array("-- at \(event.offset)\n".utf8)
        // Names in Table_maps are UTF-8: the client character set reads them (values are ASCII text).
        var settings: [(String, String)] = [("@@session.sql_mode", "'NO_AUTO_VALUE_ON_ZERO'"), ("@@session.time_zone", "'+00:00'"),
                                            ("@@session.character_set_client", "utf8mb4"),
                                            ("@@session.foreign_key_checks", rows.flags.contains(.noForeignKeyChecks) ? "0" : "1"),
                                            ("@@session.unique_checks", rows.flags.contains(.relaxedUniqueChecks) ? "0" : "1")]
        if isMariaDB && (rows.flags.contains(.noCheckConstraintChecks) || session["@@session.check_constraint_checks"] != nil) {
            settings.append(("@@session.check_constraint_checks", rows.flags.contains(.noCheckConstraintChecks) ? "0" : "1"))
        }
        appendSettings(settings, to: &text)
        var builder = RowStatementBuilder(table: table.metadata, decoder: table.decoder, names: table.quotedNames,
                                          collation: { [unowned self] in self.collation($0) },
                                          maximumJSONDepth: options.maximumJSONDepth)
        var statements: [SQLText] = []
        var insert = SQLText()
        var insertColumns: [Int]?
        do throws(BinlogDecodingError) {
            try table.decoder.forEachRow(of: rows) { (row) throws(BinlogDecodingError) in
                let rowStart = row.first.range.lowerBound
                switch rows.kind {
                case .write:
                    if insertColumns == nil {
                        let columns = row.first.values.map(\.column)
                        insertColumns = columns
                        builder.beginInsert(into: table.qualified, columns: columns, count: rows.columnCount, &insert)
                    } else {
                        insert.text(",")
                    }
                    try builder.appendValues(row.first.values, at: rowStart, &insert)
                case .delete:
                    var statement = SQLText()
                    statement.text("DELETE FROM ")
                    statement.text(table.qualified)
                    try builder.appendWhere(row.first.values, at: rowStart, &statement)
                    statement.text(" LIMIT 1")
                    statements.append(statement)
                case .update, .partialUpdate:
                    guard let after = row.second, !after.values.isEmpty else { return }
                    var statement = SQLText()
                    statement.text("UPDATE ")
                    statement.text(table.qualified)
                    statement.text(" SET ")
                    try builder.appendAssignments(after.values, at: rowStart, &statement)
                    try builder.appendWhere(row.first.values, at: rowStart, &statement)
                    statement.text(" LIMIT 1")
                    statements.append(statement)
                }
            }
        } catch var failure {
            failure.locate(inRowsOf: event, rows, file: fileName)
            throw failure
        }
        if insertColumns != nil { statements.insert(insert, at: 0) }
        for statement in statements {
            if statement.isDynamic {
                if resolvedTable != table.qualified {
                    appendColumnLookup(table, to: &text)
                    resolvedTable = table.qualified
                }
                statement.appendPrepared(to: &text)
                usedPreparedStatement = true
            } else {
                statement.appendPlain(to: &text)
            }
        }
        out.write(text)
    }

    private func appendColumnLookup(_ table: Table, to text: inout [UInt8]) {
        text += SQLPrinter.columnLookup(databaseName: table.databaseName, table: Array(table.map.table.bytes),
                                        qualified: table.qualified, decoder: table.decoder, metadata: table.metadata)
    }

    /// Sets `@binlog_cN` (the quoted name), `@binlog_uN` (unsigned) and `@binlog_bN` (binary
    /// string type) for column N of the table, from the target's information_schema.
    static func columnLookup(databaseName: [UInt8], table: [UInt8], qualified: [UInt8], decoder: RowDecoder,
                             metadata: TableMapOptionalMetadata) -> [UInt8] {
        let where_ = " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = " + SQLPrinter.stringLiteral(databaseName)
            + " AND TABLE_NAME = " + SQLPrinter.stringLiteral(table) + " AND ORDINAL_POSITION = "
        var parts: [String] = []
        for column in 0..<decoder.types.count {
            let n = column + 1
            parts.append("@binlog_c\(n) := (SELECT CONCAT('`', REPLACE(COLUMN_NAME, '`', '``'), '`')\(where_)\(n))")
            if decoder.types[column].isNumeric && metadata.unsigned == nil {
                parts.append("@binlog_u\(n) := (SELECT COLUMN_TYPE LIKE '%unsigned%'\(where_)\(n))")
            }
            if decoder.types[column] == .string && metadata.collations == nil {
                parts.append("@binlog_b\(n) := (SELECT CHARACTER_SET_NAME IS NULL\(where_)\(n))")
            }
        }
        var text = Array("-- the binlog does not name the columns of \(String(decoding: qualified, as: UTF8.self)): the target's are used, by position\n".utf8)
        text += Array("SET \(parts.joined(separator: ",\n    "));\n".utf8)
        return text
    }

    // MARK: Literals


    /// A string literal for names (information_schema lookups): `'…'` when plain, else `_utf8mb4 X'…'`.
    static func stringLiteral(_ bytes: [UInt8]) -> String {
        if isPlainASCII(bytes[...]) { return "'" + String(decoding: bytes, as: UTF8.self) + "'" }
        return "_utf8mb4 X'\(TextFormatting.upperHex(bytes))'"
    }

    /// Printable ASCII without quote or backslash: the same text in every ASCII-based client
    /// character set and sql_mode.
    static func isPlainASCII(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7f && $0 != 0x27 && $0 != 0x5c }
    }

    /// A DOUBLE as decimal text that reads back as the same double (an exponent, so the server
    /// reads it as a floating-point literal, never as DECIMAL).
    static func doubleLiteral(_ value: Double) -> String {
        guard value.isFinite else { return "NULL" }
        var text = "\(value)"
        if !text.contains("e") { text += "e0" }
        return text
    }

    /// The names of the sql_mode bits, in the writer's numbering (MySQL 8.0 and MariaDB share
    /// bits 0–31 but for the modes MySQL dropped, which its servers ignore and are left out here).
    static func sqlModeNames(_ mode: UInt64, mariaDB: Bool) -> String {
        var names: [String] = []
        for bit in 0..<64 where mode & (1 << UInt64(bit)) != 0 {
            if let name = (mariaDB ? mariaDBModes : mySQLModes)[bit] { names.append(name) }
        }
        return names.joined(separator: ",")
    }

    private static let mariaDBModes: [Int: String] = [
        0: "REAL_AS_FLOAT", 1: "PIPES_AS_CONCAT", 2: "ANSI_QUOTES", 3: "IGNORE_SPACE", 4: "IGNORE_BAD_TABLE_OPTIONS",
        5: "ONLY_FULL_GROUP_BY", 6: "NO_UNSIGNED_SUBTRACTION", 7: "NO_DIR_IN_CREATE", 8: "POSTGRESQL", 9: "ORACLE",
        10: "MSSQL", 11: "DB2", 12: "MAXDB", 13: "NO_KEY_OPTIONS", 14: "NO_TABLE_OPTIONS", 15: "NO_FIELD_OPTIONS",
        16: "MYSQL323", 17: "MYSQL40", 18: "ANSI", 19: "NO_AUTO_VALUE_ON_ZERO", 20: "NO_BACKSLASH_ESCAPES",
        21: "STRICT_TRANS_TABLES", 22: "STRICT_ALL_TABLES", 23: "NO_ZERO_IN_DATE", 24: "NO_ZERO_DATE",
        25: "ALLOW_INVALID_DATES", 26: "ERROR_FOR_DIVISION_BY_ZERO", 27: "TRADITIONAL", 28: "NO_AUTO_CREATE_USER",
        29: "HIGH_NOT_PRECEDENCE", 30: "NO_ENGINE_SUBSTITUTION", 31: "PAD_CHAR_TO_FULL_LENGTH",
        32: "EMPTY_STRING_IS_NULL", 33: "SIMULTANEOUS_ASSIGNMENT", 34: "TIME_ROUND_FRACTIONAL",
    ]

    private static let mySQLModes: [Int: String] = [
        0: "REAL_AS_FLOAT", 1: "PIPES_AS_CONCAT", 2: "ANSI_QUOTES", 3: "IGNORE_SPACE",
        5: "ONLY_FULL_GROUP_BY", 6: "NO_UNSIGNED_SUBTRACTION", 7: "NO_DIR_IN_CREATE",
        18: "ANSI", 19: "NO_AUTO_VALUE_ON_ZERO", 20: "NO_BACKSLASH_ESCAPES",
        21: "STRICT_TRANS_TABLES", 22: "STRICT_ALL_TABLES", 23: "NO_ZERO_IN_DATE", 24: "NO_ZERO_DATE",
        25: "ALLOW_INVALID_DATES", 26: "ERROR_FOR_DIVISION_BY_ZERO", 27: "TRADITIONAL",
        29: "HIGH_NOT_PRECEDENCE", 30: "NO_ENGINE_SUBSTITUTION", 31: "PAD_CHAR_TO_FULL_LENGTH",
        32: "TIME_TRUNCATE_FRACTIONAL",
    ]
}

/// A statement being built: text, and the parts only the target server can fill in (column
/// names and choices looked up in its information_schema).
struct SQLText {
    enum Part {
        case text([UInt8])
        /// `@binlog_cN`: the quoted name of column N (1-based).
        case column(Int)
        /// `IF(@variable, whenTrue, whenFalse)`: SQL text chosen by the target.
        case choice(variable: String, whenTrue: [UInt8], whenFalse: [UInt8])
    }
    private(set) var parts: [Part] = []
    private var current: [UInt8] = []

    var isDynamic: Bool { !parts.isEmpty }

    mutating func text(_ string: StaticString) { current.append(string) }
    mutating func text(_ bytes: [UInt8]) { current += bytes }
    mutating func text(_ bytes: ArraySlice<UInt8>) { current += bytes }

    mutating func column(_ index: Int) {
        parts.append(.text(current))
        current = []
        parts.append(.column(index + 1))
    }

    mutating func choice(_ variable: String, _ whenTrue: [UInt8], _ whenFalse: [UInt8]) {
        parts.append(.text(current))
        current = []
        parts.append(.choice(variable: variable, whenTrue: whenTrue, whenFalse: whenFalse))
    }

    func appendPlain(to out: inout [UInt8]) {
        out += current
        out += Array(";\n".utf8)
    }

    /// `SET @binlog_sql := CONCAT(…); PREPARE …; EXECUTE …;`
    func appendPrepared(to out: inout [UInt8]) {
        out += Array("SET @binlog_sql := CONCAT(".utf8)
        var first = true
        func separator() {
            if !first { out += Array(", ".utf8) }
            first = false
        }
        for part in parts + [.text(current)] {
            switch part {
            case .text(let bytes):
                if bytes.isEmpty { continue }
                separator()
                SQLText.appendQuoted(bytes, to: &out)
            case .column(let n):
                separator()
                out += Array("@binlog_c\(n)".utf8)
            case .choice(let variable, let whenTrue, let whenFalse):
                separator()
                out += Array("IF(@\(variable), ".utf8)
                SQLText.appendQuoted(whenTrue, to: &out)
                out += Array(", ".utf8)
                SQLText.appendQuoted(whenFalse, to: &out)
                out += Array(")".utf8)
            }
        }
        if first { out += Array("''".utf8) }
        out += Array(");\nPREPARE binlog_stmt FROM @binlog_sql;\nEXECUTE binlog_stmt;\n".utf8)
    }

    /// SQL text as a string literal: quotes doubled; `_utf8mb4 X'…'` when it has a backslash or
    /// bytes outside printable ASCII (so neither sql_mode nor the client's charset matters).
    private static func appendQuoted(_ bytes: [UInt8], to out: inout [UInt8]) {
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f && $0 != 0x5c }) {
            out.append(UInt8(ascii: "'"))
            for byte in bytes {
                out.append(byte)
                if byte == 0x27 { out.append(byte) }
            }
            out.append(UInt8(ascii: "'"))
        } else {
            out += Array("_utf8mb4 X'\(TextFormatting.upperHex(bytes))'".utf8)
        }
    }
}

/// Writes the values, assignments and conditions of row statements for one table.
struct RowStatementBuilder {
    let table: TableMapOptionalMetadata
    let decoder: RowDecoder
    let names: [[UInt8]]?
    let collation: (UInt32) -> (charset: String, collation: String)?
    let maximumJSONDepth: Int

    private func appendName(_ column: Int, _ out: inout SQLText) {
        if let names { out.text(names[column]) } else { out.column(column) }
    }

    mutating func beginInsert(into qualified: [UInt8], columns: [Int], count: Int, _ out: inout SQLText) {
        out.text("INSERT INTO ")
        out.text(qualified)
        // Every column, in order, needs no names: the common case of FULL images without FULL metadata.
        if names != nil || columns != Array(0..<count) {
            out.text(" (")
            for (index, column) in columns.enumerated() {
                if index > 0 { out.text(", ") }
                appendName(column, &out)
            }
            out.text(")")
        }
        out.text(" VALUES ")
    }

    func appendValues(_ values: [(column: Int, value: RowValue)], at row: Int, _ out: inout SQLText) throws(BinlogDecodingError) {
        out.text("(")
        for (index, pair) in values.enumerated() {
            if index > 0 { out.text(", ") }
            try appendLiteral(pair.value, column: pair.column, comparing: false, at: row, &out)
        }
        out.text(")")
    }

    func appendAssignments(_ values: [(column: Int, value: RowValue)], at row: Int, _ out: inout SQLText) throws(BinlogDecodingError) {
        for (index, pair) in values.enumerated() {
            if index > 0 { out.text(", ") }
            appendName(pair.column, &out)
            out.text(" = ")
            if case .jsonDiff(let bytes) = pair.value {
                try appendJSONDiff(bytes, column: pair.column, at: row, &out)
            } else {
                try appendLiteral(pair.value, column: pair.column, comparing: false, at: row, &out)
            }
        }
    }

    /// ` WHERE …`: the primary key when the Table_map names it and the image has it, else every
    /// column of the image (strings byte for byte).
    func appendWhere(_ values: [(column: Int, value: RowValue)], at row: Int, _ out: inout SQLText) throws(BinlogDecodingError) {
        // A partial JSON update's after image holds changes, not the value: not a condition.
        var chosen = values.filter { if case .jsonDiff = $0.value { return false } else { return true } }
        var byKey = false
        if let key = table.primaryKey, !key.isEmpty {
            let keyColumns = Set(key.map(\.column))
            let keyValues = chosen.filter { keyColumns.contains($0.column) }
            if keyValues.count == keyColumns.count {
                chosen = keyValues
                byKey = true
            }
        }
        out.text(" WHERE ")
        if chosen.isEmpty { out.text("FALSE") }
        for (index, pair) in chosen.enumerated() {
            if index > 0 { out.text(" AND ") }
            switch pair.value {
            case .null:
                appendName(pair.column, &out)
                out.text(" IS NULL")
            case .string(let bytes) where !byKey:
                // Byte for byte: a case-insensitive collation would match 'A' for 'a'.
                out.text("CAST(")
                appendName(pair.column, &out)
                out.text(" AS BINARY) = ")
                appendBytes(bytes, column: pair.column, introducer: false, &out)
            case .compressed:
                out.text("CAST(")
                appendName(pair.column, &out)
                out.text(" AS BINARY) = ")
                try appendLiteral(pair.value, column: pair.column, comparing: true, at: row, &out)
            case .json:
                appendName(pair.column, &out)
                out.text(" = ")
                try appendLiteral(pair.value, column: pair.column, comparing: true, at: row, &out)
            default:
                appendName(pair.column, &out)
                out.text(" = ")
                try appendLiteral(pair.value, column: pair.column, comparing: true, at: row, &out)
            }
        }
    }

    /// Whether an image finds its row: it has every column, or the whole primary key the
    /// Table_map names.
    func identifiesRow(_ values: [(column: Int, value: RowValue)]) -> Bool {
        let present = Set(values.compactMap { pair -> Int? in
            if case .jsonDiff = pair.value { return nil }
            return pair.column
        })
        if present.count == decoder.types.count { return true }
        if let key = table.primaryKey, !key.isEmpty { return key.allSatisfy { present.contains($0.column) } }
        return false
    }

    /// The real type code of a column (ENUM and SET travel as STRING).
    private func realType(_ column: Int) -> UInt8 {
        let code = decoder.types[column].rawValue
        let meta = decoder.metadata[column]
        if code == 254 && meta >= 256 {
            let high = UInt8(meta >> 8)
            if high == 247 || high == 248 { return high }
        }
        return code
    }

    private func charset(_ column: Int) -> (charset: String, collation: String)? {
        guard let collations = table.collations, column < collations.count, let id = collations[column] else { return nil }
        return collation(id)
    }

    /// The bytes of a BINARY(n) column as the column holds them: the binlog drops trailing NULs.
    private func fieldLength(_ column: Int) -> Int {
        let meta = Int(decoder.metadata[column])
        var length = meta & 0xff
        let high = meta >> 8
        if meta >= 256 && high & 0x30 != 0x30 { length |= ((high & 0x30) ^ 0x30) << 4 }
        return length
    }

    private static let asciiIncompatible: Set<String> = ["ucs2", "utf16", "utf16le", "utf32", "filename"]

    /// A string value: `'text'`, `_cs X'…'` or `X'…'`. `introducer: false` gives the raw bytes
    /// (`X'…'`) for byte comparisons.
    private func appendBytes(_ bytes: ArraySlice<UInt8>, column: Int, introducer: Bool, _ out: inout SQLText) {
        let names = charset(column)
        if realType(column) == 254 {
            let length = fieldLength(column)
            if bytes.count < length {
                let padded = Array(bytes) + [UInt8](repeating: 0, count: length - bytes.count)
                if names?.charset == "binary" {
                    out.text(Array("X'\(TextFormatting.upperHex(padded))'".utf8))
                    return
                }
                if names == nil {
                    // CHAR or BINARY? The target's information_schema says.
                    out.choice("binlog_b\(column + 1)", Array("X'\(TextFormatting.upperHex(padded))'".utf8),
                               Array("X'\(TextFormatting.upperHex(bytes))'".utf8))
                    return
                }
            }
        }
        // Binary strings always as X'…': MariaDB's INET4, INET6 and UUID (binary in the binlog)
        // would read a quoted string as text.
        if !introducer || names == nil || names?.charset == "binary" {
            out.text(Array("X'\(TextFormatting.upperHex(bytes))'".utf8))
        } else if let names, !RowStatementBuilder.asciiIncompatible.contains(names.charset), SQLPrinter.isPlainASCII(bytes) {
            out.text("'")
            out.text(bytes)
            out.text("'")
        } else if let names {
            if bytes.isEmpty {
                out.text("''")
            } else {
                out.text(Array("_\(names.charset) X'\(TextFormatting.upperHex(bytes))'".utf8))
            }
        }
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func digits(_ value: Int, _ count: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, count - text.count)) + text
    }

    /// `.fff…`: the column's digits when they hold the value, all six otherwise.
    private static func fraction(_ microseconds: Int, _ decimals: Int) -> String {
        guard decimals > 0 || microseconds != 0 else { return "" }
        var divisor = 1
        for _ in 0..<(6 - min(max(decimals, 1), 6)) { divisor *= 10 }
        if microseconds % divisor == 0 { return "." + digits(microseconds / divisor, 6 - String(divisor).count + 1) }
        return "." + digits(microseconds, 6)
    }

    private func appendLiteral(_ value: RowValue, column: Int, comparing: Bool, at row: Int, _ out: inout SQLText) throws(BinlogDecodingError) {
        switch value {
        case .null: out.text("NULL")
        case .int(let v):
            if v < 0 && table.unsigned == nil && decoder.types[column].isNumeric && names == nil {
                // Signedness not logged: the target's column type decides.
                let width: UInt64 = [1: 8, 2: 16, 9: 24, 3: 32, 8: 64][decoder.types[column].rawValue] ?? 64
                let unsignedValue = width == 64 ? UInt64(bitPattern: v) : UInt64(bitPattern: v) & ((1 << width) - 1)
                out.choice("binlog_u\(column + 1)", Array(String(unsignedValue).utf8), Array(String(v).utf8))
            } else {
                out.text(Array(String(v).utf8))
            }
        case .uint(let v): out.text(Array(String(v).utf8))
        case .float(let v): out.text(Array(SQLPrinter.doubleLiteral(Double(v)).utf8))
        case .double(let v): out.text(Array(SQLPrinter.doubleLiteral(v).utf8))
        case .decimal(let text): out.text(Array(text.utf8))
        case .bit(let v, _):
            out.text(Array("b'\(String(v, radix: 2))'".utf8))
        case .year(let year): out.text(Array(String(year).utf8))
        case .date(let year, let month, let day):
            out.text(Array("'\(RowStatementBuilder.digits(year, 4))-\(RowStatementBuilder.two(month))-\(RowStatementBuilder.two(day))'".utf8))
        case .time(let negative, let hours, let minutes, let seconds, let micro, let decimals):
            out.text(Array("'\(negative ? "-" : "")\(RowStatementBuilder.two(hours)):\(RowStatementBuilder.two(minutes)):\(RowStatementBuilder.two(seconds))\(RowStatementBuilder.fraction(micro, decimals))'".utf8))
        case .datetime(let year, let month, let day, let hour, let minute, let second, let micro, let decimals):
            out.text(Array("'\(RowStatementBuilder.digits(year, 4))-\(RowStatementBuilder.two(month))-\(RowStatementBuilder.two(day)) \(RowStatementBuilder.two(hour)):\(RowStatementBuilder.two(minute)):\(RowStatementBuilder.two(second))\(RowStatementBuilder.fraction(micro, decimals))'".utf8))
        case .timestamp(let seconds, let micro, let decimals):
            // UTC: the statements run with time_zone='+00:00'.
            let text = seconds == 0 && micro == 0
                ? "0000-00-00 00:00:00"
                : TextFormatting.utcDateTime(UInt32(truncatingIfNeeded: seconds), separator: " ")
            out.text(Array("'\(text)\(RowStatementBuilder.fraction(micro, decimals))'".utf8))
        case .enumIndex(let index):
            if let members = table.enumOrSetValues[column], index >= 1, index <= members.count {
                appendBytes(members[index - 1][...], column: column, introducer: true, &out)
            } else {
                out.text(Array(String(index).utf8))
            }
        case .set(let bits):
            if let members = table.enumOrSetValues[column], members.count < 64, bits >> UInt64(members.count) == 0 {
                var joined: [UInt8] = []
                for (index, member) in members.enumerated() where bits & (1 << UInt64(index)) != 0 {
                    if !joined.isEmpty { joined.append(UInt8(ascii: ",")) }
                    joined += member
                }
                appendBytes(joined[...], column: column, introducer: true, &out)
            } else {
                out.text(Array(String(bits).utf8))
            }
        case .string(let bytes):
            appendBytes(bytes, column: column, introducer: true, &out)
        case .compressed(let stored):
            // The value's bytes as they are (the binlog may not give its charset): stored exactly.
            out.text(Array("X'\(TextFormatting.upperHex(try MariaDBCompression.inflateColumn(stored, column: column, at: row)))'".utf8))
        case .json(let document):
            var text: [UInt8] = []
            do throws(MySQLJSON.DecodingError) {
                try MySQLJSON.appendText(of: document, to: &text, maximumDepth: maximumJSONDepth)
            } catch {
                throw BinlogDecodingError(.invalidValue("column \(column + 1) holds JSON that cannot be printed, \(error)"),
                                          offset: UInt64(row), field: "row image")
            }
            out.text("CAST(")
            out.text(Array(SQLPrinter.isPlainASCII(text[...]) ? "'\(String(decoding: text, as: UTF8.self))'".utf8
                                                                : "_utf8mb4 X'\(TextFormatting.upperHex(text))'".utf8))
            out.text(" AS JSON)")
        case .jsonDiff:
            throw BinlogDecodingError(.invalidValue("column \(column + 1): a partial JSON update in a before image"),
                                      offset: UInt64(row), field: "row image")
        case .geometry(let bytes), .vector(let bytes):
            out.text(Array("X'\(TextFormatting.upperHex(bytes))'".utf8))
        }
    }

    /// A partial JSON update: the column's functions applied in order, `JSON_SET(JSON_REPLACE(col, …), …)`.
    private func appendJSONDiff(_ bytes: ArraySlice<UInt8>, column: Int, at row: Int, _ out: inout SQLText) throws(BinlogDecodingError) {
        let diffs: [MySQLJSON.Diff]
        do throws(MySQLJSON.DecodingError) {
            diffs = try MySQLJSON.diffs(bytes)
        } catch {
            throw BinlogDecodingError(.invalidValue("column \(column + 1) holds a partial JSON update that cannot be read, \(error)"),
                                      offset: UInt64(row), field: "row image")
        }
        for diff in diffs.reversed() {
            out.text(Array("\(diff.functionName)(".utf8))
        }
        appendName(column, &out)
        for diff in diffs {
            out.text(", ")
            out.text(Array(SQLPrinter.isPlainASCII(diff.path) ? "'\(String(decoding: diff.path, as: UTF8.self))'".utf8
                                                               : "_utf8mb4 X'\(TextFormatting.upperHex(diff.path))'".utf8))
            if let value = diff.value {
                var text: [UInt8] = []
                do throws(MySQLJSON.DecodingError) {
                    try MySQLJSON.appendText(of: value, to: &text, maximumDepth: maximumJSONDepth)
                } catch {
                    throw BinlogDecodingError(.invalidValue("column \(column + 1) holds JSON that cannot be printed, \(error)"),
                                              offset: UInt64(row), field: "row image")
                }
                out.text(", CAST(")
                out.text(Array(SQLPrinter.isPlainASCII(text[...]) ? "'\(String(decoding: text, as: UTF8.self))'".utf8
                                                                    : "_utf8mb4 X'\(TextFormatting.upperHex(text))'".utf8))
                out.text(" AS JSON)")
            }
            out.text(")")
        }
    }
}

/// Where a statement's text ends, as the mysql client reads it: inside a comment or quote, and
/// whether it has a `;` outside quotes and comments.
struct StatementScan {
    var hasSemicolon = false
    var endsInLineComment = false
    var endsInBlockComment = false
    var endsInQuote = false
    /// The statement's text ends with `;` (and white space).
    var endsWithSemicolon = false

    init(_ bytes: ArraySlice<UInt8>) {
        var index = bytes.startIndex
        let end = bytes.endIndex
        var lastSemicolon: Int?
        var semicolons = 0
        while index < end {
            let byte = bytes[index]
            switch byte {
            case 0x27, 0x22, 0x60:
                // A quoted string or identifier; backslash escapes in strings (as the client reads them).
                var next = index + 1
                var closed = false
                while next < end {
                    if bytes[next] == 0x5c && byte != 0x60 { next += 2; continue }
                    if bytes[next] == byte {
                        if next + 1 < end && bytes[next + 1] == byte { next += 2; continue }
                        closed = true
                        break
                    }
                    next += 1
                }
                if !closed {
                    endsInQuote = true
                    index = end
                } else {
                    index = next + 1
                }
            case 0x23:
                // `#` to the end of the line.
                while index < end && bytes[index] != 10 { index += 1 }
                if index == end { endsInLineComment = true }
            case 0x2d where index + 2 < end && bytes[index + 1] == 0x2d && (bytes[index + 2] <= 0x20):
                while index < end && bytes[index] != 10 { index += 1 }
                if index == end { endsInLineComment = true }
            case 0x2d where index + 2 == end && bytes[index + 1] == 0x2d:
                endsInLineComment = true
                index = end
            case 0x2f where index + 1 < end && bytes[index + 1] == 0x2a:
                // `/* … */`; the client keeps looking for `;` inside `/*! … */` too, so those count as code.
                if index + 2 < end && bytes[index + 2] == 0x21 {
                    index += 3
                    continue
                }
                var next = index + 2
                while next + 1 < end && !(bytes[next] == 0x2a && bytes[next + 1] == 0x2f) { next += 1 }
                if next + 1 >= end {
                    endsInBlockComment = true
                    index = end
                } else {
                    index = next + 2
                }
            case 0x3b:
                lastSemicolon = index
                semicolons += 1
                index += 1
            default:
                index += 1
            }
        }
        // A `;` at the very end (spaces after it allowed) ends the statement as the client would anyway.
        if let last = lastSemicolon {
            endsWithSemicolon = bytes[(last + 1)...].allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0a || $0 == 0x0d }
            hasSemicolon = semicolons > (endsWithSemicolon ? 1 : 0)
        }
    }
}
