// Collects the undo of the selected row changes: inverse statements or inverted rows events, kept newest last.
import MySQLBinlog

/// What `binlog flashback` writes.
enum FlashbackFormat: String, CaseIterable {
    case sql
    case binlog
}

/// Fed the selected events by ``DumpFrontend`` (as a printer), it pushes onto a ``SpillStack``,
/// for each transaction, a begin marker, the undo of each row (an SQL statement, or an inverted
/// rows event with its Table_map) and an end marker. Popped, the stack gives the undo newest
/// first: transactions in reverse order, and rows in reverse order within them.
///
/// Events that cannot be undone are listed in ``unsafe`` and their changes left out: statements
/// (DDL, changes logged as statements, LOAD DATA), incidents, unknown events, and rows events
/// whose images lack what the undo needs (a delete's before image without every column, an
/// update whose before image lacks a column it changed, or an image that does not find its row:
/// neither every column nor the whole primary key the Table_map names).
final class FlashbackCollector: TextPrinter {
    enum RecordKind {
        /// Payload: timestamp (4), server id (4); the end marker then names the transaction.
        static let begin: UInt8 = 1
        static let end: UInt8 = 2
        /// Payload: one SQL statement, terminated.
        static let statement: UInt8 = 3
        /// Payload: table key length (4), key, lookup length (4), lookup SQL, then the statement
        /// (built on the target with PREPARE: the binlog has no column names).
        static let preparedStatement: UInt8 = 4
        /// Payload: Table_map length (4), the Table_map event, the inverted rows event (no checksums).
        static let events: UInt8 = 5
    }

    let format: FlashbackFormat
    let stack: SpillStack
    private let schema: SchemaFilter?
    private let rewrite: DatabaseRewrite?
    private let maximumJSONDepth: Int
    private(set) var warnings: [String] = []
    /// The events that cannot be undone (at most ``unsafeListLimit`` described; all counted).
    private(set) var unsafe: [String] = []
    private(set) var unsafeCount = 0
    static let unsafeListLimit = 50
    /// The first Format_description read (the binlog output starts with it).
    private(set) var formatDescription: (bytes: [UInt8], hasChecksum: Bool, algorithmByte: Bool, queryPostHeader: Int)?
    private(set) var transactions = 0
    private(set) var rowChanges = 0

    private var fileName = ""
    private var isMariaDB = true
    /// The transaction being read: its first event's time, server id and a description.
    private var transaction: (timestamp: UInt32, serverID: UInt32, label: String, changes: Int)?
    private var gtidLabel: String?

    private struct Table {
        var mapBytes: [UInt8]
        var decoder: RowDecoder
        var metadata: TableMapOptionalMetadata
        var qualified: [UInt8]
        var databaseName: [UInt8]
        var tableName: [UInt8]
        var quotedNames: [[UInt8]]?
        var kept: Bool
    }
    private var tables: [UInt64: Table] = [:]

    init(format: FlashbackFormat, stack: SpillStack, schema: SchemaFilter?, rewrite: DatabaseRewrite?,
         maximumJSONDepth: Int = DecodingOptions().maximumJSONDepth) {
        self.format = format
        self.stack = stack
        self.schema = schema
        self.rewrite = rewrite
        self.maximumJSONDepth = maximumJSONDepth
    }

    // MARK: TextPrinter

    func preamble() {}
    func trailer() {}
    func beginFile() { tables.removeAll() }
    func beginFile(named name: String) {
        fileName = name
        beginFile()
    }
    func endFile() {}

    func print(_ event: BinlogEvent, formatDescription description: FormatDescriptionEvent) throws {
        try collect(event, description, inner: false)
    }

    /// The end of the input: a transaction still open (cut by a stop) keeps what it had.
    func finish() throws {
        try endTransaction()
    }

    private func collect(_ event: BinlogEvent, _ description: FormatDescriptionEvent, inner: Bool) throws {
        switch event.payload {
        case .formatDescription(let fd):
            isMariaDB = fd.isMariaDB
            if formatDescription == nil {
                formatDescription = (Array(event.bytes), event.checksum != nil, fd.checksumAlgorithm != nil,
                                     fd.postHeaderLength(for: .query) ?? 13)
            }
        case .mariaDBGTID(let gtid):
            gtidLabel = "GTID \(gtid.domainID)-\(event.header.serverID)-\(gtid.sequenceNumber)"
            if !gtid.flags.contains(.standalone) { try beginTransaction(event) }
        case .gtid(let gtid):
            gtidLabel = event.header.type == .anonymousGTID ? nil : "GTID \(gtid.sid)\(gtid.tag.map { ":" + $0 } ?? ""):\(gtid.gno)"
        case .query(let query):
            let kind = StatementKind(query.query.bytes)
            switch kind {
            case .begin, .xaStart: try beginTransaction(event)
            case .commit, .rollback: try endTransaction()
            case .xaOther, .savepoint: break
            default:
                if let schema, !schema.keepsStatement(database: query.database.bytes) { break }
                noteUnsafe(event, "a statement (\(Self.excerpt(query.query.bytes))): only row changes can be undone")
            }
        case .xid, .xaPrepare:
            try endTransaction()
        case .executeLoadQuery(let load):
            if let schema, !schema.keepsStatement(database: load.query.database.bytes) { break }
            noteUnsafe(event, "LOAD DATA logged as a statement: only row changes can be undone")
        case .incident(let incident):
            noteUnsafe(event, "an incident (\(incident.message.description)): the source may have lost changes here")
        case .unsupported(let unknown):
            noteUnsafe(event, "an event of unknown type \(unknown.type.rawValue)")
        case .tableMap(let map):
            rememberTable(map, event)
        case .rows(let rows):
            try collectRows(event, rows, description)
        case .transactionPayload(let payload):
            var reader = try TransactionPayloadReader(payload, in: event, formatDescription: description)
            while let innerEvent = try reader.next() {
                var positioned = innerEvent
                positioned.offset = event.offset
                try collect(positioned, description, inner: true)
            }
        default:
            break
        }
    }

    private func noteUnsafe(_ event: BinlogEvent, _ reason: String) {
        unsafeCount += 1
        if unsafe.count < Self.unsafeListLimit { unsafe.append("\(fileName) at \(event.offset): \(reason)") }
    }

    static func excerpt(_ query: ArraySlice<UInt8>) -> String {
        let text = String(decoding: query.prefix(80), as: UTF8.self)
            .map { $0.isNewline || $0 == "\t" ? " " : String($0) }.joined()
        return query.count > 80 ? text + "…" : text
    }

    // MARK: Transactions

    private func beginTransaction(_ event: BinlogEvent) throws {
        try endTransaction()
        let label = "\(fileName) at \(event.offset)" + (gtidLabel.map { " (\($0))" } ?? "")
        transaction = (event.header.timestamp, event.header.serverID, label, 0)
    }

    private func endTransaction() throws {
        defer {
            transaction = nil
            gtidLabel = nil
        }
        guard let open = transaction, open.changes > 0 else { return }
        try stack.push(kind: RecordKind.end, Self.marker(open.timestamp, open.serverID, open.label))
    }

    /// The begin marker is pushed with the transaction's first change (transactions that change
    /// nothing undoable leave nothing); a change outside any transaction gets one of its own.
    private func noteChange(_ event: BinlogEvent) throws {
        if transaction == nil {
            transaction = (event.header.timestamp, event.header.serverID, "\(fileName) at \(event.offset)", 0)
        }
        if transaction!.changes == 0 {
            transactions += 1
            try stack.push(kind: RecordKind.begin, Self.marker(transaction!.timestamp, transaction!.serverID, ""))
        }
        transaction!.changes += 1
    }

    private static func marker(_ timestamp: UInt32, _ serverID: UInt32, _ label: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for value in [timestamp, serverID] {
            for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) }
        }
        return bytes + Array(label.utf8)
    }

    // MARK: Tables

    private func rememberTable(_ map: TableMapEvent, _ event: BinlogEvent) {
        let metadata = TableMapOptionalMetadata(map)
        var databaseName = Array(map.database.bytes)
        if let renamed = rewrite?.renamed(map.database.bytes) { databaseName = renamed }
        var bytes = Array(event.bytes)
        if event.checksum != nil { bytes.removeLast(4) }
        let table = Table(mapBytes: bytes, decoder: RowDecoder(map), metadata: metadata,
                          qualified: TextFormatting.backtickQuoted(databaseName) + [UInt8(ascii: ".")] + TextFormatting.backtickQuoted(map.table.bytes),
                          databaseName: databaseName, tableName: Array(map.table.bytes),
                          quotedNames: metadata.columnNameBytes?.map { TextFormatting.backtickQuoted($0) },
                          kept: schema.map { $0.keepsTable(database: map.database.bytes, table: map.table.bytes) } ?? true)
        tables.setBounded(table, for: map.tableID)
    }

    // MARK: Rows

    private typealias Image = DecodedRow.Image

    private func collectRows(_ event: BinlogEvent, _ rows: RowsEvent, _ description: FormatDescriptionEvent) throws {
        guard let table = tables[rows.tableID] else {
            var failure = BinlogDecodingError(.invalidValue("rows event for table id \(rows.tableID) without its Table_map: its changes cannot be undone"),
                                              offset: event.offset, field: "table_id")
            failure.eventType = event.header.type
            failure.eventOffset = event.offset
            failure.file = fileName
            throw failure
        }
        guard table.kept else { return }
        // Every row's images, decoded.
        var images: [(before: Image, after: Image?)] = []
        do throws(BinlogDecodingError) {
            try table.decoder.forEachRow(of: rows) { (row) throws(BinlogDecodingError) in images.append((row.first, row.second)) }
        } catch var failure {
            failure.locate(inRowsOf: event, rows, file: fileName)
            throw failure
        }
        guard !images.isEmpty else { return }
        let builder = RowStatementBuilder(table: table.metadata, decoder: table.decoder, names: table.quotedNames,
                                          collation: { [isMariaDB] id in
                                              isMariaDB ? MariaDBCollations.byID[id] ?? MySQLCollations.byID[id]
                                                        : MySQLCollations.byID[id] ?? MariaDBCollations.byID[id]
                                          }, maximumJSONDepth: maximumJSONDepth)
        // What the undo needs of the images.
        let name = String(decoding: table.qualified, as: UTF8.self)
        let sample = images[0]
        switch rows.kind {
        case .write:
            guard builder.identifiesRow(sample.before.values) else {
                noteUnsafe(event, "an insert into \(name) whose image has neither every column nor the primary key (binlog_row_image=MINIMAL without binlog_row_metadata=FULL?): the rows cannot be found to delete")
                return
            }
        case .delete:
            guard sample.before.values.count == rows.columnCount else {
                noteUnsafe(event, "a delete from \(name) whose before image lacks columns (binlog_row_image MINIMAL or NOBLOB): the rows cannot be put back")
                return
            }
        case .update, .partialUpdate:
            let beforeColumns = Set(sample.before.values.map(\.column))
            guard let after = sample.after, after.values.allSatisfy({ beforeColumns.contains($0.column) }) else {
                noteUnsafe(event, "an update of \(name) whose before image lacks columns it changed (binlog_row_image MINIMAL or NOBLOB): the old values are not in the binlog")
                return
            }
            guard builder.identifiesRow(after.values) else {
                noteUnsafe(event, "an update of \(name) whose after image has neither every column nor the primary key: the rows cannot be found")
                return
            }
            if rows.kind == .partialUpdate && format == .binlog {
                noteUnsafe(event, "a partial JSON update of \(name): its inverse has no full after image to write as a rows event (use --format sql)")
                return
            }
        }
        try noteChange(event)
        rowChanges += images.count
        switch format {
        case .sql: try pushStatements(images, rows, table, builder, event)
        case .binlog: try pushEvents(images, rows, table, event, description)
        }
    }

    private func pushStatements(_ images: [(before: Image, after: Image?)], _ rows: RowsEvent, _ table: Table,
                                _ builder: RowStatementBuilder, _ event: BinlogEvent) throws {
        var builder = builder
        var statements: [SQLText] = []
        for row in images {
            var statement = SQLText()
            let at = row.before.range.lowerBound
            do throws(BinlogDecodingError) {
                switch rows.kind {
                case .write:
                    statement.text("DELETE FROM ")
                    statement.text(table.qualified)
                    try builder.appendWhere(row.before.values, at: at, &statement)
                    statement.text(" LIMIT 1")
                case .delete:
                    builder.beginInsert(into: table.qualified, columns: row.before.values.map(\.column), count: rows.columnCount, &statement)
                    try builder.appendValues(row.before.values, at: at, &statement)
                case .update, .partialUpdate:
                    statement.text("UPDATE ")
                    statement.text(table.qualified)
                    statement.text(" SET ")
                    try builder.appendAssignments(row.before.values, at: at, &statement)
                    try builder.appendWhere(row.after!.values, at: at, &statement)
                    statement.text(" LIMIT 1")
                }
            } catch var failure {
                failure.locate(inRowsOf: event, rows, file: fileName)
                throw failure
            }
            statements.append(statement)
        }
        // The lookup goes with the event's last statement that needs it: undone first of them.
        let lastDynamic = statements.lastIndex { $0.isDynamic }
        for (number, statement) in statements.enumerated() {
            var text: [UInt8] = []
            if statement.isDynamic {
                statement.appendPrepared(to: &text)
                let lookup = number == lastDynamic
                    ? SQLPrinter.columnLookup(databaseName: table.databaseName, table: table.tableName, qualified: table.qualified,
                                              decoder: table.decoder, metadata: table.metadata)
                    : []
                let key = table.qualified + Array(":\(rows.columnCount)".utf8)
                var payload = FlashbackCollector.length(key.count) + key
                payload += FlashbackCollector.length(lookup.count) + lookup
                payload += text
                try stack.push(kind: RecordKind.preparedStatement, payload)
            } else {
                statement.appendPlain(to: &text)
                try stack.push(kind: RecordKind.statement, text)
            }
        }
    }

    /// The inverted rows event: writes and deletes swap types, updates swap their images and
    /// bitmaps, rows go in reverse order; every event ends a statement (its Table_map goes with it).
    private func pushEvents(_ images: [(before: Image, after: Image?)], _ rows: RowsEvent, _ table: Table,
                            _ event: BinlogEvent, _ description: FormatDescriptionEvent) throws {
        var bytes = event.uncompressedRowsEvent ?? Array(event.bytes)
        if event.checksum != nil { bytes.removeLast(4) }
        var head = Array(bytes.prefix(rows.rowsStart))
        switch head[4] {
        case 20: head[4] = 22
        case 22: head[4] = 20
        case 23: head[4] = 25
        case 25: head[4] = 23
        case 30: head[4] = 32
        case 32: head[4] = 30
        default: break
        }
        let postHeader = description.postHeaderLength(for: BinlogEventType(rawValue: head[4])) ?? 10
        let flagsAt = 19 + (postHeader == 6 ? 4 : 6)
        head[flagsAt] |= UInt8(RowsEvent.Flags.statementEnd.rawValue)
        if rows.kind == .update && rows.version > 0 {
            let width = (rows.columnCount + 7) / 8
            let start = rows.rowsStart - 2 * width
            let first = Array(head[start..<(start + width)])
            head.replaceSubrange(start..<(start + width), with: head[(start + width)..<(start + 2 * width)])
            head.replaceSubrange((start + width)..<(start + 2 * width), with: first)
        }
        let data = rows.rows
        var body = head
        for row in images.reversed() {
            if let after = row.after {
                body += data[after.range]
            }
            body += data[row.before.range]
        }
        var payload = FlashbackCollector.length(table.mapBytes.count) + table.mapBytes
        payload += body
        try stack.push(kind: RecordKind.events, payload)
    }

    static func length(_ value: Int) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    static func readLength(_ bytes: [UInt8], at index: Int) -> Int {
        (0..<4).reduce(0) { $0 | Int(bytes[index + $1]) << (8 * $1) }
    }
}
