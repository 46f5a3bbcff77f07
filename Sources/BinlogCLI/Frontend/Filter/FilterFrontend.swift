// `binlog filter`: the selected events of binlogs, written as a new valid binlog.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLBinlog

/// Writes the events a selection keeps as a binlog: magic, the Format_description, then the kept
/// events with end positions and checksums rewritten for the new file.
///
/// What is kept, event by event: positions and datetimes cut at transaction boundaries
/// (``TransactionCuts``); `--include-gtids`/`--exclude-gtids` keep or drop whole transactions;
/// `--server-id` drops other servers' events; `-d DB` drops statements whose default database
/// is another (transaction control always stays) and the Table_map and rows events of other
/// databases' tables. A statement's companions go with it: Intvar, Rand and User_var events with
/// their statement, Annotate_rows / Rows_query with the rows events of their statement. A
/// transaction left with nothing but its GTID, BEGIN and COMMIT is dropped whole. Events between
/// transactions (Format_description, Rotate, Gtid_list, Binlog_checkpoint, Previous_gtids, Stop)
/// are kept; into one output file, those of the second and later inputs that describe a file
/// (its Format_description, Gtid_list, Binlog_checkpoint, Previous_gtids) and the Rotate and
/// Stop events that end the earlier ones are dropped.
///
/// Inside a MySQL compressed transaction (Transaction_payload) the same selection and
/// `--rewrite-db` apply to the events it holds; it is compressed again when they change
/// anything, and dropped with its GTID when nothing of it is kept.
struct FilterFrontend {
    let options: FilterOptions
    let files: [String]

    func runToStandardOutput() -> Int32 {
        run(diagnostics: { writeStandardError("binlog: " + $0) })
    }

    func run(diagnostics: (String) -> Void) -> Int32 {
        let selection = options.selection
        var inputs: [BinlogInput]
        var standardInputCopy: StandardInputCopy?
        defer { standardInputCopy?.remove() }
        var decoding = DecodingOptions()
        decoding.verifyChecksums = true
        let filter: GTIDFilter?
        let cuts: TransactionCuts
        let schema: SchemaFilter?
        let rewrite: DatabaseRewrite?
        do {
            schema = try selection.schemaFilter()
            rewrite = try selection.databaseRewrite()
            inputs = try BinlogInput.expand(files)
            if selection.readsTwice { (inputs, standardInputCopy) = try StandardInputCopy.replacing(in: inputs) }
            guard selection.transactionBoundaries else {
                throw CLIError(.usage, "binlog filter always cuts at transaction boundaries (a binlog file must not hold part of a transaction): leave out --no-transaction-boundaries")
            }
            let (start, stop) = try selection.datetimes()
            filter = try selection.gtidFilter()
            let request = TransactionCuts.Request(startPosition: selection.startPosition, stopPosition: selection.stopPosition,
                                                  startDatetime: start, stopDatetime: stop, serverID: selection.serverId, gtidFilter: filter)
            cuts = try TransactionCuts.plan(inputs, request, decoding: decoding)
            if !options.quiet { for note in cuts.notes { diagnostics("note: " + note) } }
        } catch let error as CLIError {
            diagnostics(error.message)
            return error.exitCode
        } catch {
            diagnostics("\(error)")
            return 2
        }
        let perInput = options.output.hasSuffix("/") || isDirectory(options.output)
        var currentFile: String?
        var writer: BinlogWriter?
        var kept = 0
        var dropped = 0
        do {
            let selector = filter.map(TransactionSelector.init)
            reading: for (fileIndex, input) in inputs.enumerated() {
                currentFile = input.path
                if perInput || writer == nil {
                    if let writer { try writer.finish() }
                    let path = perInput ? (options.output.hasSuffix("/") ? options.output : options.output + "/") + baseName(input.path)
                        : options.output
                    writer = try BinlogWriter(path: path, removeChecksums: options.checksum == .none)
                }
                guard let out = writer else { break }
                let continuing = !perInput && fileIndex > 0
                var source = try input.open()
                try PrefetchingEventReader.readMagic(from: &source, name: input.path)
                let reader = PrefetchingEventReader(source: source, name: input.path, options: decoding)
                var state = TransactionState()
                var inputChecksums = false
                var postHeaderLengths = FormatDescriptionEvent.bootstrap
                var inUse = false
                var droppedTables = Set<UInt64>()
                let skipsFile = cuts.start.map { fileIndex < $0.file } ?? false
                let startAt = cuts.start.flatMap { $0.file == fileIndex ? $0.offset : nil } ?? 4
                let stopAt = cuts.stop.flatMap { $0.file == fileIndex ? $0.offset : nil }
                let isLast = fileIndex == inputs.count - 1
                while let event = try reader.next(inUse: inUse, ended: { failure in
                    if !options.quiet { diagnostics("warning: \(input.path) is marked in use and ends inside an event: \(failure)") }
                }) {
                    let type = event.header.type
                    if case .formatDescription(let description) = event.payload {
                        inputChecksums = description.checksumAlgorithm == .crc32
                        postHeaderLengths = description
                        inUse = event.header.flags.contains(.binlogInUse)
                        // The output needs one (the first input's); a later file's only with one output per input.
                        if continuing {
                            dropped += 1
                        } else {
                            try out.write(event.bytes, inputChecksums: inputChecksums, algorithmByte: description.checksumAlgorithm != nil)
                        }
                        continue
                    }
                    if let stop = stopAt, event.offset >= stop { break reading }
                    if skipsFile || event.offset < startAt {
                        dropped += 1
                        continue
                    }
                    let step = state.span.feed(type: type.rawValue, payload: TransactionSpan.needsPayload(type.rawValue) ? event.payload : nil)
                    if let selector, selector.skips(type: type.rawValue, payload: event.payload) {
                        dropped += 1
                        continue
                    }
                    if !step.inside {
                        // Between transactions: kept, except what describes or ends an input that is not the output's first or last.
                        let describesFile = [BinlogEventType.gtidList, .binlogCheckpoint, .previousGTIDs].contains(type)
                        let endsFile = type == .rotate || type == .stop
                        if (continuing && describesFile) || (!perInput && !isLast && endsFile) {
                            dropped += 1
                        } else {
                            try out.write(event.bytes, inputChecksums: inputChecksums)
                            kept += 1
                        }
                        continue
                    }
                    let (role, selected) = Self.classify(event, step: step, serverID: selection.serverId, schema: schema, droppedTables: &droppedTables)
                    var keep = selected
                    var chosen = event
                    if keep, case .transactionPayload(let payload) = event.payload, schema != nil || rewrite != nil {
                        // The compressed transaction's own events go through the same selection.
                        if let rebuilt = try Self.select(inside: event, payload, formatDescription: postHeaderLengths,
                                                         inputChecksums: inputChecksums, schema: schema, rewrite: rewrite) {
                            chosen = rebuilt
                        } else {
                            keep = false
                        }
                    }
                    // --rewrite-db after the selection, which looks at the names as logged (as mariadb-binlog's -d).
                    let written = (keep && type != .transactionPayload ? rewrite?.apply(to: event, postHeaderLength: postHeaderLengths.postHeaderLength(for: type) ?? (type == .tableMap ? 8 : 13)) : nil) ?? chosen
                    let counts = try state.take(written, role: role, keep: keep, closes: step.closes, write: { bytes in
                        try out.write(bytes[...], inputChecksums: inputChecksums)
                    })
                    kept += counts.kept
                    dropped += counts.dropped
                }
                if perInput { try out.finish() }
            }
            if let writer, !perInput { try writer.finish() }
        } catch let failure as CLIError {
            diagnostics(failure.message)
            return failure.exitCode
        } catch var failure as BinlogDecodingError {
            if failure.file == nil { failure.file = currentFile }
            diagnostics("\(failure)")
            if case .notABinlog = failure.reason { return 2 }
            return 1
        } catch {
            diagnostics("\(error)")
            return 2
        }
        if !options.quiet {
            diagnostics("\(kept) event\(kept == 1 ? "" : "s") written to \(options.output), \(dropped) left out")
        }
        return 0
    }

    private func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    private func baseName(_ path: String) -> String {
        if path == "-" { return "stdin.binlog" }
        return path.split(separator: "/").last.map(String.init) ?? path
    }

    /// What an event is to its transaction, and whether the selection keeps it (server id, -d,
    /// the replica rules). `droppedTables` carries the Table_maps left out to their rows events.
    static func classify(_ event: BinlogEvent, step: TransactionSpan.Step, serverID: UInt32?, schema: SchemaFilter?,
                         droppedTables: inout Set<UInt64>) -> (Role, Bool) {
        var keep = true
        var role = Role.content
        if let serverID, event.header.serverID != serverID { keep = false }
        switch event.payload {
        case .gtid, .mariaDBGTID:
            role = .opening
        case .query(let query):
            let kind = StatementKind(query.query.bytes)
            if kind.opensTransaction || kind.endsTransaction || kind.isTransactionControl {
                role = step.opens ? .opening : step.closes ? .closing : .control
            } else if let schema, !schema.keepsStatement(database: query.database.bytes) {
                keep = false
            }
        case .executeLoadQuery(let load):
            if let schema, !schema.keepsStatement(database: load.query.database.bytes) { keep = false }
        case .intvar, .rand, .userVar, .beginLoadQuery, .appendBlock:
            role = .companion
        case .annotateRows, .rowsQuery:
            role = .annotation
        case .tableMap(let map):
            role = .tableMap
            if let schema, !schema.keepsTable(database: map.database.bytes, table: map.table.bytes) {
                keep = false
                droppedTables.insertBounded(map.tableID)
            } else {
                droppedTables.remove(map.tableID)
            }
        case .rows(let rows):
            if droppedTables.contains(rows.tableID) { keep = false }
            if rows.flags.contains(.statementEnd) { role = .statementEnd }
        case .xid, .xaPrepare:
            role = .closing
        default:
            break
        }
        if step.opens && role != .opening && role != .content && role != .statementEnd { role = .opening }
        if step.closes && role == .content && step.ending != .statement && step.ending != .compressedTransaction { role = .closing }
        return (role, keep)
    }

    /// A MySQL compressed transaction under -d, the replica rules or --rewrite-db: its events
    /// are selected (and renamed) as a file's would be, then compressed again into a new
    /// Transaction_payload with the same compression. The event comes back unchanged when the
    /// selection changes nothing in it, and nil when it keeps nothing of it (the transaction,
    /// GTID included, is then left out whole).
    static func select(inside event: BinlogEvent, _ payload: TransactionPayloadEvent, formatDescription: FormatDescriptionEvent,
                       inputChecksums: Bool, schema: SchemaFilter?, rewrite: DatabaseRewrite?) throws -> BinlogEvent? {
        var decoding = DecodingOptions()
        decoding.verifyChecksums = false
        var reader = try TransactionPayloadReader(payload, in: event, formatDescription: formatDescription, options: decoding)
        var state = TransactionState()
        var droppedTables = Set<UInt64>()
        var written: [[UInt8]] = []
        var changed = false
        while var inner = try reader.next() {
            // The reader adds a checksum when the file has them; the payload holds none.
            if inner.checksum != nil {
                var bytes = Array(inner.bytes.dropLast(4))
                let size = UInt32(bytes.count)
                for i in 0..<4 { bytes[9 + i] = UInt8(truncatingIfNeeded: size >> (8 * UInt32(i))) }
                inner.bytes = bytes[...]
                inner.checksum = nil
            }
            let type = inner.header.type
            let step = state.span.feed(type: type.rawValue, payload: TransactionSpan.needsPayload(type.rawValue) ? inner.payload : nil)
            var (role, keep) = step.inside ? classify(inner, step: step, serverID: nil, schema: schema, droppedTables: &droppedTables) : (.content, true)
            if !step.inside { role = .content }
            if !keep { changed = true }
            if keep, let rewrite, let renamed = rewrite.apply(to: inner, postHeaderLength: formatDescription.postHeaderLength(for: type) ?? (type == .tableMap ? 8 : 13)) {
                inner = renamed
                changed = true
            }
            _ = try state.take(inner, role: role, keep: keep, closes: step.closes, write: { written.append($0) })
        }
        // What the transaction still holds when the payload ends.
        if !state.pending.isEmpty && state.wrote { written += state.pending.map(\.bytes) }
        guard changed else { return event }
        guard !written.isEmpty else { return nil }
        let body = try TransactionPayloadEvent.encodeBody(events: written, compressionType: payload.compressionType)
        var rebuilt = event
        rebuilt.bytes = (Array(event.bytes.prefix(19)) + body + (inputChecksums ? [0, 0, 0, 0] : []))[...]
        return rebuilt
    }

    /// What an event is to its transaction.
    enum Role {
        /// GTID or BEGIN: written only if the transaction keeps something.
        case opening
        /// A statement or rows event.
        case content
        /// A rows event ending its statement.
        case statementEnd
        /// SAVEPOINT and the like: kept with the transaction.
        case control
        /// Intvar, Rand, User_var, Begin_load_query, Append_block: go with the next statement.
        case companion
        /// Annotate_rows, Rows_query: go with the rows events of their statement.
        case annotation
        case tableMap
        /// Xid, COMMIT, ROLLBACK, XA PREPARE.
        case closing
    }

    /// The events of the open transaction held back until something in it is kept.
    struct TransactionState {
        var span = TransactionSpan()
        /// Held: the opening events, and the companions, annotations and Table_maps of the
        /// statement being read.
        var pending: [(bytes: [UInt8], role: Role)] = []
        /// Something of the transaction was written (so its opening events were too).
        var wrote = false
        /// Something of the transaction was left out: if nothing else is kept, it goes whole.
        /// (A transaction empty in the input, or one that is only its COMMIT, such as XA COMMIT,
        /// is kept as it is.)
        var leftSomethingOut = false

        mutating func take(_ event: BinlogEvent, role: Role, keep: Bool, closes: Bool,
                           write: ([UInt8]) throws -> Void) throws -> (kept: Int, dropped: Int) {
            var kept = 0
            var dropped = 0
            func flush() throws {
                for held in pending {
                    try write(held.bytes)
                    kept += 1
                }
                pending.removeAll()
                wrote = true
            }
            if !keep { leftSomethingOut = true }
            switch role {
            case .opening, .companion, .annotation, .tableMap, .control:
                if keep {
                    if role == .control && wrote {
                        try write(Array(event.bytes))
                        kept += 1
                    } else {
                        pending.append((Array(event.bytes), role))
                    }
                } else {
                    dropped += 1
                }
            case .content, .statementEnd:
                if keep {
                    try flush()
                    try write(Array(event.bytes))
                    kept += 1
                } else {
                    dropped += 1
                    // A statement left out takes its companions; a statement's last rows event its annotation and maps.
                    let before = pending.count
                    if role == .content { pending.removeAll { $0.role == .companion } }
                    if role == .statementEnd { pending.removeAll { $0.role == .annotation || $0.role == .tableMap || $0.role == .companion } }
                    dropped += before - pending.count
                }
            case .closing:
                if wrote || !leftSomethingOut {
                    try flush()
                    try write(Array(event.bytes))
                    kept += 1
                } else {
                    dropped += pending.count + 1
                    pending.removeAll()
                }
            }
            if closes {
                if !wrote { dropped += pending.count }
                pending.removeAll()
                wrote = false
                leftSomethingOut = false
            }
            return (kept, dropped)
        }
    }
}
