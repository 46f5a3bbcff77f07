// Tallies what `binlog stats` reports, event by event, without rendering anything.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLBinlog

/// Accumulates the statistics of a stream of events: counts by type, server ids, time range,
/// transactions, rows per table, DDL, statement-format changes, GTIDs and compression.
///
/// The hot events (Table_map, rows events, Xid) are read from their bytes; a Table_map is
/// decoded only when its table id is new or its body changed, and rows are counted with a
/// ``RowCounter`` prepared once per table, so no value is ever decoded.
final class StatsCollector {
    let top: Int
    let longTransactionSeconds: UInt32
    /// `-d` and the replica rules: only the rows of kept tables and the statements kept are counted.
    let schema: SchemaFilter?

    /// `--rewrite-db`: the databases reported (selection looks at them as logged).
    let rewrite: DatabaseRewrite?

    init(top: Int, longTransactionSeconds: UInt32, schema: SchemaFilter?, rewrite: DatabaseRewrite? = nil) {
        self.rewrite = rewrite
        self.top = top
        self.longTransactionSeconds = longTransactionSeconds
        self.schema = schema
    }

    // MARK: What is reported

    struct FileStats {
        var file: String
        var bytes: UInt64 = 0
        var events: UInt64 = 0
        var serverVersion: String?
        var checksum = "unknown"
        var rowsEvents: UInt64 = 0
        var statementChanges: UInt64 = 0

        /// The binlog format the file's changes show: `row`, `statement`, `mixed` (both), or nil (no changes).
        var format: String? {
            switch (rowsEvents > 0, statementChanges > 0) {
            case (true, true): return "mixed"
            case (true, false): return "row"
            case (false, true): return "statement"
            case (false, false): return nil
            }
        }
    }

    struct TableStats {
        var database: String
        var table: String
        var inserts: UInt64 = 0
        var updates: UInt64 = 0
        var deletes: UInt64 = 0
        var bytes: UInt64 = 0
        var events: UInt64 = 0
    }

    /// A statement with where it is: DDL, or a change logged as a statement.
    struct Statement {
        var file: Int
        var position: UInt64
        var gtid: String?
        var database: String
        var text: String
        var timestamp: UInt32
    }

    enum Outcome: String {
        case committed, rolledBack = "rolled_back", xaPrepared = "xa_prepared", statement, unterminated
    }

    struct Transaction {
        var file: Int
        var position: UInt64
        var gtid: GTIDRef?
        var firstTimestamp: UInt32 = 0
        var lastTimestamp: UInt32 = 0
        var bytes: UInt64 = 0
        var events: UInt64 = 0
        var outcome = Outcome.unterminated
        /// With `-d`: whether anything in it is in the database.
        var selected: Bool
        var duration: UInt32 { lastTimestamp &- firstTimestamp }
    }

    /// A GTID kept as numbers; put into words only for what is reported.
    enum GTIDRef {
        case mariaDB(domain: UInt32, server: UInt32, sequence: UInt64)
        case mysql(source: Int, number: Int64)
    }

    var files: [FileStats] = []
    var typeCounts = [UInt64](repeating: 0, count: 256)
    var typeBytes = [UInt64](repeating: 0, count: 256)
    /// Events of each type inside compressed transactions (not in the counts above).
    var typeCountsInPayloads = [UInt64](repeating: 0, count: 256)
    var events: UInt64 = 0
    var bytes: UInt64 = 0
    var firstTimestamp: UInt32?
    var lastTimestamp: UInt32?
    var serverIDs: [UInt32: UInt64] = [:]
    var tables: [TableStats] = []
    var ddl: [Statement] = []
    var statementChanges: [Statement] = []
    var statementChangeCount: UInt64 = 0
    var rowsEventCount: UInt64 = 0
    var outcomes: [Outcome: UInt64] = [:]
    var transactionCount: UInt64 = 0
    var transactionBytes: UInt64 = 0
    var smallestTransaction: UInt64?
    var largestTransactionBytes: UInt64 = 0
    /// The largest, biggest first (at most `top`).
    var largest: [Transaction] = []
    /// The long-running, longest first (at most `top`), and how many there were.
    var longest: [Transaction] = []
    var longRunningCount: UInt64 = 0
    var mysqlSources: [MySQLGTIDSet.Source] = []
    var mysqlGTIDs = MySQLGTIDSet()
    struct MariaDBRange {
        var first: UInt64
        var last: UInt64
        var count: UInt64
    }
    var mariaDBGTIDs: [MariaDBKey: MariaDBRange] = [:]
    struct MariaDBKey: Hashable, Comparable {
        var domain: UInt32
        var server: UInt32
        static func < (a: MariaDBKey, b: MariaDBKey) -> Bool { (a.domain, a.server) < (b.domain, b.server) }
    }
    /// MySQL compressed transactions: their events' bytes, and the bytes they inflate to.
    var payloads: UInt64 = 0
    var payloadBytes: UInt64 = 0
    var payloadInflatedBytes: UInt64 = 0
    /// MariaDB's compressed Query and rows events: their bytes, and the bytes they inflate to.
    var compressedEvents: UInt64 = 0
    var compressedEventBytes: UInt64 = 0
    var compressedEventInflatedBytes: UInt64 = 0
    /// Problems met on the way (rows that do not fit their table, rows without a Table_map).
    var warnings: [String] = []
    /// How many of the warnings are damage in the data.
    var damaged = 0
    static let maximumStatementChanges = 1000
    static let maximumWarnings = 100

    // MARK: State

    private struct MappedTable {
        var body: [UInt8]
        var table: Int
        var counter: RowCounter
        var selected: Bool
    }

    private var mapSlots: [UInt64: Int] = [:]
    private var maps: [MappedTable] = []
    private var tableIndex: [String: Int] = [:]
    private var lastMapID: UInt64 = .max
    private var lastMapSlot = -1
    private var open: Transaction?
    /// Where transactions begin and end.
    private var span = TransactionSpan()
    /// How the compressed transaction being read ends (its inner Xid or XA_prepare says).
    private var payloadOutcome = Outcome.committed
    private var fileIndex = -1
    private var serverIDRun: (id: UInt32, count: UInt64)?
    /// Where the parts of rows events and Table_maps are, from the Format_description in force.
    private var layout = BinlogDecoder().layout

    /// Runs `body`, naming the reader's file in the error it throws.
    private func named<T>(_ reader: PrefetchingEventReader, _ body: () throws(BinlogDecodingError) -> T) throws -> T {
        do {
            return try body()
        } catch var failure {
            failure.file = reader.name
            throw failure
        }
    }

    // MARK: Files

    func beginFile(_ name: String) {
        files.append(FileStats(file: name))
        fileIndex = files.count - 1
        // Table ids are per server run: a new file starts with new maps.
        mapSlots.removeAll(keepingCapacity: true)
        maps.removeAll(keepingCapacity: true)
        lastMapID = .max
        lastMapSlot = -1
    }

    /// The file was read up to `bytes` (where the last event read ends).
    func endFile(bytes: UInt64) {
        files[fileIndex].bytes = bytes
    }

    /// Ends the input: a transaction still open is reported as unterminated.
    func finish() {
        if let open { close(open, .unterminated) }
        open = nil
        flushServerIDRun()
    }

    // MARK: Events

    /// Counts one selected event of the file, read through `reader`.
    func event(_ event: PrefetchingEventReader.FramedEvent, reader: PrefetchingEventReader) throws {
        let bytes = event.bytes
        let start = bytes.startIndex
        let size = UInt64(bytes.count)
        let type = bytes[start + 4]
        let timestamp = UInt32(bytes[start]) | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2]) << 16 | UInt32(bytes[start + 3]) << 24
        let serverID = UInt32(bytes[start + 5]) | UInt32(bytes[start + 6]) << 8 | UInt32(bytes[start + 7]) << 16 | UInt32(bytes[start + 8]) << 24
        count(type: type, size: size, timestamp: timestamp, serverID: serverID)
        switch type {
        case 19:
            let step = enter(span.feed(type: type), at: event.offset)
            let (tableID, body) = try named(reader) { () throws(BinlogDecodingError) in try layout.tableMapBody(bytes, at: event.offset) }
            if let slot = mapSlots[tableID], StatsCollector.same(maps[slot].body, body) {
                lastMapID = tableID
                lastMapSlot = slot
            } else if case .tableMap(let map) = try reader.decode(event).payload {
                register(map, body: Array(body))
            }
            leave(step, size, timestamp, change: lastMapSlot >= 0 && maps[lastMapSlot].selected)
        case 20...25, 30...32, 39, 166...171:
            let step = enter(span.feed(type: type), at: event.offset)
            let rows = try named(reader) { () throws(BinlogDecodingError) in try layout.rows(bytes, at: event.offset) }
            if rows.wasCompressed {
                // The compressed part runs from the row images' start to the checksum.
                compressed(size: size, part: bytes.count - layout.checksumLength - rows.rowsStart, inflated: rows.rows.count)
            }
            let selected = self.rows(rows, size: size, at: event.offset, type: type)
            leave(step, size, timestamp, change: selected)
        case 16, 160, 29, 5, 13, 14, 161, 3, 27:
            // Xid, Annotate_rows, Rows_query, Intvar, Rand, User_var, Binlog_checkpoint, Stop,
            // Heartbeat: nothing in them is counted beyond their type and size (an Xid ends its
            // transaction: the span says so).
            leave(enter(span.feed(type: type), at: event.offset), size, timestamp, change: false)
        default:
            let decoded = try reader.decode(event)
            if type == BinlogEventType.formatDescription.rawValue || type == BinlogEventType.startV3.rawValue { layout = reader.layout }
            self.decoded(decoded, size: size, timestamp: timestamp, formatDescription: reader.context.formatDescription)
        }
    }

    @inline(__always)
    private func count(type: UInt8, size: UInt64, timestamp: UInt32, serverID: UInt32) {
        typeCounts[Int(type)] += 1
        typeBytes[Int(type)] += size
        events += 1
        bytes += size
        files[fileIndex].events += 1
        if timestamp != 0 {
            if firstTimestamp.map({ timestamp < $0 }) ?? true { firstTimestamp = timestamp }
            if lastTimestamp.map({ timestamp > $0 }) ?? true { lastTimestamp = timestamp }
        }
        if let run = serverIDRun, run.id == serverID {
            serverIDRun = (serverID, run.count + 1)
        } else {
            flushServerIDRun()
            serverIDRun = (serverID, 1)
        }
    }

    private func flushServerIDRun() {
        if let run = serverIDRun { serverIDs[run.id, default: 0] += run.count }
        serverIDRun = nil
    }

    /// A decoded event of the file: those not read from their bytes above.
    private func decoded(_ event: BinlogEvent, size: UInt64, timestamp: UInt32, formatDescription: FormatDescriptionEvent) {
        let type = event.header.type.rawValue
        var gtid: GTIDRef?
        switch event.payload {
        case .gtid(let value) where event.header.type != .anonymousGTID:
            let source = MySQLGTIDSet.Source(uuid: value.sid, tag: value.tag)
            var index = mysqlSources.firstIndex(of: source)
            if index == nil {
                mysqlSources.append(source)
                index = mysqlSources.count - 1
            }
            gtid = .mysql(source: index!, number: value.gno)
            if value.gno > 0 { mysqlGTIDs.insert(source, UInt64(value.gno)) }
        case .mariaDBGTID(let value):
            let key = MariaDBKey(domain: value.domainID, server: event.header.serverID)
            let sequence = value.sequenceNumber
            if var range = mariaDBGTIDs[key] {
                range.first = min(range.first, sequence)
                range.last = max(range.last, sequence)
                range.count += 1
                mariaDBGTIDs[key] = range
            } else {
                mariaDBGTIDs[key] = MariaDBRange(first: sequence, last: sequence, count: 1)
            }
            gtid = .mariaDB(domain: value.domainID, server: event.header.serverID, sequence: sequence)
        default:
            break
        }
        let step = enter(span.feed(type: type, payload: event.payload), at: event.offset, gtid: gtid)
        var change = false
        switch event.payload {
        case .formatDescription(let description):
            if files[fileIndex].serverVersion == nil {
                files[fileIndex].serverVersion = description.serverVersion
                switch description.checksumAlgorithm {
                case .some(.crc32): files[fileIndex].checksum = "crc32"
                case .some(.off), .none: files[fileIndex].checksum = "none"
                default: files[fileIndex].checksum = "unknown"
                }
            }
        case .query(let query):
            if event.header.type == .queryCompressed,
               let part = StatsCollector.compressedQueryLength(event.bytes, formatDescription) {
                compressed(size: size, part: part, inflated: query.query.count)
            }
            change = self.query(query, event: event, timestamp: timestamp)
        case .executeLoadQuery(let load):
            // LOAD DATA in statement format: its Query part, with the file's blocks before it.
            change = self.query(load.query, event: event, timestamp: timestamp)
        case .transactionPayload(let payload):
            payloads += 1
            payloadBytes += size
            payloadInflatedBytes += payload.uncompressedSize
            payloadOutcome = .committed
            do {
                var inner = try TransactionPayloadReader(payload, in: event, formatDescription: formatDescription)
                while let innerEvent = try inner.next() {
                    typeCountsInPayloads[Int(innerEvent.header.type.rawValue)] += 1
                    // Inner events count for their tables and statements; the transaction's
                    // size and times are the compressed event's.
                    if decodedInPayload(innerEvent) { change = true }
                }
            } catch {
                warn("\(files[fileIndex].file): the compressed transaction at \(event.offset) cannot be read: \(error)", damage: true)
            }
        default:
            break
        }
        leave(step, size, timestamp, change: change)
    }

    /// An event inside a compressed transaction; returns whether it is a selected change.
    private func decodedInPayload(_ event: BinlogEvent) -> Bool {
        switch event.payload {
        case .tableMap(let map):
            register(map, body: nil)
            return lastMapSlot >= 0 && maps[lastMapSlot].selected
        case .rows(let rows):
            return self.rows(rows, size: UInt64(event.bytes.count), at: event.offset, type: event.header.type.rawValue)
        case .query(let query):
            return self.query(query, event: event, timestamp: event.header.timestamp)
        case .xaPrepare:
            payloadOutcome = .xaPrepared
            return false
        default:
            return false
        }
    }

    // MARK: Tables and rows

    private func register(_ map: TableMapEvent, body: [UInt8]?) {
        let database = rewrite?.renamed(map.database.bytes).map { String(decoding: $0, as: UTF8.self) } ?? map.database.description
        let table = map.table.description
        let key = database + "\u{0}" + table
        let index: Int
        if let known = tableIndex[key] {
            index = known
        } else {
            tables.append(TableStats(database: database, table: table))
            index = tables.count - 1
            tableIndex[key] = index
        }
        let selected = schema.map { $0.keepsTable(database: map.database.bytes, table: map.table.bytes) } ?? true
        let mapped = MappedTable(body: body ?? [], table: index, counter: RowCounter(map), selected: selected)
        if let slot = mapSlots[map.tableID] {
            maps[slot] = mapped
            lastMapSlot = slot
        } else {
            if mapSlots.count >= TableCache.maximumTables {
                mapSlots.removeAll(keepingCapacity: true)
                maps.removeAll(keepingCapacity: true)
            }
            maps.append(mapped)
            lastMapSlot = maps.count - 1
            mapSlots[map.tableID] = lastMapSlot
        }
        lastMapID = map.tableID
    }

    /// Counts the rows of a rows event for its table; returns whether the table is selected.
    private func rows(_ rows: RowsEvent, size: UInt64, at offset: UInt64, type: UInt8) -> Bool {
        let slot: Int
        if rows.tableID == lastMapID && lastMapSlot >= 0 {
            slot = lastMapSlot
        } else if let known = mapSlots[rows.tableID] {
            slot = known
        } else {
            // A dummy rows event ends a statement that changed nothing (table id 0x00ffffff).
            if !(rows.rows.isEmpty && rows.flags.contains(.statementEnd)) {
                warn("\(files[fileIndex].file): the \(BinlogEventType(rawValue: type).name) event at \(offset) has table id \(rows.tableID), which no Table_map before it maps: its rows are not counted")
            }
            return false
        }
        let map = maps[slot]
        guard map.selected else { return false }
        rowsEventCount += 1
        files[fileIndex].rowsEvents += 1
        let counted = rows.version == 0
            ? map.counter.countPreGA(rows: rows.rows, columnCount: rows.columnCount, present: rows.columnsPresent, update: rows.kind == .update)
            : map.counter.count(rows: rows.rows, columnCount: rows.columnCount, present: rows.columnsPresent,
                                presentAfter: rows.columnsPresentAfter, partialUpdate: rows.kind == .partialUpdate)
        guard let count = counted else {
            let table = tables[map.table]
            warn("\(files[fileIndex].file): the rows of the \(BinlogEventType(rawValue: type).name) event at \(offset) do not fit the columns of `\(table.database)`.`\(table.table)` in its Table_map: they are not counted", damage: true)
            tables[map.table].events += 1
            tables[map.table].bytes += size
            return true
        }
        switch rows.kind {
        case .write: tables[map.table].inserts += UInt64(count)
        case .update, .partialUpdate: tables[map.table].updates += UInt64(count)
        case .delete: tables[map.table].deletes += UInt64(count)
        }
        tables[map.table].events += 1
        tables[map.table].bytes += size
        return true
    }

    // MARK: Statements

    /// Records DDL and changes logged as statements; returns whether the statement is a selected
    /// change (transaction control is not).
    private func query(_ query: QueryEvent, event: BinlogEvent, timestamp: UInt32) -> Bool {
        let kind = StatementKind(query.query.bytes)
        if kind.isTransactionControl { return false }
        guard schema.map({ $0.keepsStatement(database: query.database.bytes) }) ?? true else { return false }
        if kind == .ddl || kind == .dml {
            let entry = Statement(file: fileIndex, position: event.offset, gtid: open?.gtid.map(describe),
                                  database: (event.header.flags.contains(.suppressUse) ? nil : rewrite?.renamed(query.database.bytes))
                                      .map { String(decoding: $0, as: UTF8.self) } ?? query.database.description,
                                  text: query.query.description, timestamp: timestamp)
            if kind == .ddl {
                ddl.append(entry)
            } else {
                statementChangeCount += 1
                files[fileIndex].statementChanges += 1
                if statementChanges.count < StatsCollector.maximumStatementChanges { statementChanges.append(entry) }
            }
        }
        return true
    }

    // MARK: Transactions

    /// Before an event's own counting, with what the span made of it: starts the transaction it opens
    /// (a transaction still open then was never closed: unterminated).
    @inline(__always)
    private func enter(_ step: TransactionSpan.Step, at position: UInt64, gtid: GTIDRef? = nil) -> TransactionSpan.Step {
        if step.opens {
            if let open { close(open, .unterminated) }
            open = Transaction(file: fileIndex, position: position, gtid: gtid, selected: schema == nil)
        }
        return step
    }

    /// After it: the event's bytes and time go to its transaction, which ends here if the span says so.
    @inline(__always)
    private func leave(_ step: TransactionSpan.Step, _ size: UInt64, _ timestamp: UInt32, change: Bool) {
        guard open != nil else { return }
        open!.bytes += size
        open!.events += 1
        if timestamp != 0 {
            if open!.firstTimestamp == 0 || timestamp < open!.firstTimestamp { open!.firstTimestamp = timestamp }
            if timestamp > open!.lastTimestamp { open!.lastTimestamp = timestamp }
        }
        if change { open!.selected = true }
        guard let ending = step.ending, let transaction = open else { return }
        open = nil
        switch ending {
        case .commit: close(transaction, .committed)
        case .rollback: close(transaction, .rolledBack)
        case .xaPrepare: close(transaction, .xaPrepared)
        case .statement: close(transaction, .statement)
        case .compressedTransaction: close(transaction, payloadOutcome)
        }
    }

    private func close(_ transaction: Transaction, _ outcome: Outcome) {
        guard transaction.selected else { return }
        var transaction = transaction
        transaction.outcome = outcome
        transactionCount += 1
        outcomes[outcome, default: 0] += 1
        transactionBytes += transaction.bytes
        smallestTransaction = min(smallestTransaction ?? transaction.bytes, transaction.bytes)
        largestTransactionBytes = max(largestTransactionBytes, transaction.bytes)
        if top > 0 && (largest.count < top || transaction.bytes > largest[largest.count - 1].bytes) {
            let at = largest.firstIndex { $0.bytes < transaction.bytes } ?? largest.count
            largest.insert(transaction, at: at)
            if largest.count > top { largest.removeLast() }
        }
        if transaction.duration >= longTransactionSeconds {
            longRunningCount += 1
            if top > 0 && (longest.count < top || transaction.duration > longest[longest.count - 1].duration) {
                let at = longest.firstIndex { $0.duration < transaction.duration } ?? longest.count
                longest.insert(transaction, at: at)
                if longest.count > top { longest.removeLast() }
            }
        }
    }

    func describe(_ gtid: GTIDRef) -> String {
        switch gtid {
        case .mariaDB(let domain, let server, let sequence):
            return "\(domain)-\(server)-\(sequence)"
        case .mysql(let source, let number):
            let source = mysqlSources[source]
            return "\(source.uuid)" + (source.tag.map { ":" + $0 } ?? "") + ":\(number)"
        }
    }

    private func compressed(size: UInt64, part: Int, inflated: Int) {
        compressedEvents += 1
        compressedEventBytes += size
        compressedEventInflatedBytes += size - UInt64(max(0, part)) + UInt64(inflated)
    }

    /// The bytes of a MariaDB Query_compressed event's compressed statement: what follows the
    /// post-header (13 bytes), the status variables and the database name with its 0.
    static func compressedQueryLength(_ bytes: ArraySlice<UInt8>, _ description: FormatDescriptionEvent) -> Int? {
        let header = description.commonHeaderLength
        let trailer = description.checksumAlgorithm == .crc32 ? 4 : 0
        let body = bytes.startIndex + header
        guard bytes.count >= header + 13 + trailer else { return nil }
        let databaseLength = Int(bytes[body + 8])
        let statusLength = Int(bytes[body + 11]) | Int(bytes[body + 12]) << 8
        let part = bytes.count - header - trailer - 13 - statusLength - databaseLength - 1
        return part >= 0 ? part : nil
    }

    @inline(__always)
    static func same(_ a: [UInt8], _ b: ArraySlice<UInt8>) -> Bool {
        a.count == b.count && (a.isEmpty || a.withUnsafeBytes { x in b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } })
    }

    /// Notes a problem; `damage` marks one in the data (rows that do not fit, an unreadable payload).
    private func warn(_ message: String, damage: Bool = false) {
        if damage { damaged += 1 }
        if warnings.count < StatsCollector.maximumWarnings { warnings.append(message) }
    }
}
