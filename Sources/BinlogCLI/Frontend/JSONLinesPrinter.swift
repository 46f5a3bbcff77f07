// `binlog dump --format jsonl`: one JSON object per event, row values typed.
import MySQLBinlog

/// Prints every event as one line of JSON. The keys are documented in README.md and the manual
/// page and are stable; keys may be added, never renamed.
///
/// Every object has `type`, `type_code`, `file`, `position`, `end_position`, `timestamp`,
/// `server_id` and `gtid` (of the transaction the event belongs to, or null); events add their
/// own keys. Rows events carry `database`, `table`, `columns` (names, when the Table_map has
/// them) and `rows`: a list of `{"before": {…}, "after": {…}}` images keyed by column name or
/// `@N`, with typed values.
final class JSONLinesPrinter: TextPrinter {
    private let out: OutputSink
    private(set) var warnings: [String] = []
    private var fileName = ""
    private var decoders: [UInt64: (map: TableMapEvent, decoder: RowDecoder)] = [:]
    private var gtid: String?
    /// The GTID ends with the next statement (MariaDB standalone GTID, MySQL DDL).
    private var gtidEndsAfterStatement = false

    init(out: OutputSink) { self.out = out }

    func preamble() {}
    func trailer() {}
    func beginFile() {
        decoders.removeAll()
        gtid = nil
    }
    func beginFile(named name: String) {
        fileName = name
        beginFile()
    }
    func endFile() {}

    // MARK: JSON text

    private struct Object {
        var fields: [String] = []
        mutating func add(_ key: String, _ json: String) { fields.append(JSONText.string(key) + ":" + json) }
        mutating func add(_ key: String, string: String?) { add(key, string.map(JSONText.string) ?? "null") }
        mutating func add(_ key: String, _ number: some BinaryInteger) { add(key, "\(number)") }
        var text: String { "{" + fields.joined(separator: ",") + "}" }
    }

    /// Text when the bytes are UTF-8, else `{"base64": "…"}`: bytes are never lost.
    static func bytes(_ bytes: ArraySlice<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return JSONText.string(text) }
        return base64(bytes)
    }

    static func base64(_ bytes: ArraySlice<UInt8>) -> String {
        var encoded: [UInt8] = []
        Base64.encode(bytes, into: &encoded)
        // One line: the encoder breaks lines for BINLOG statements.
        encoded.removeAll { $0 == 10 }
        return "{\"base64\":\"" + String(decoding: encoded, as: UTF8.self) + "\"}"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private static func four(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }
    private static func fraction(_ microseconds: Int, _ decimals: Int) -> String {
        guard decimals > 0 else { return "" }
        var value = microseconds
        for _ in decimals..<6 { value /= 10 }
        let text = String(value)
        return "." + String(repeating: "0", count: max(0, decimals - text.count)) + text
    }

    /// A value as JSON: numbers for integer types, YEAR, ENUM and SET; strings for DECIMAL (exact),
    /// BIT (binary digits) and temporal types; text or base64 for strings and blobs.
    static func json(_ value: RowValue) -> String {
        switch value {
        case .null: return "null"
        case .int(let v): return "\(v)"
        case .uint(let v): return "\(v)"
        case .float(let v): return v.isFinite ? "\(v)" : JSONText.string("\(v)")
        case .double(let v): return v.isFinite ? "\(v)" : JSONText.string("\(v)")
        case .decimal(let text): return JSONText.string(text)
        case .bit(let v, let width):
            var digits = ""
            for bit in stride(from: width - 1, through: 0, by: -1) { digits.append(v >> UInt64(bit) & 1 == 1 ? "1" : "0") }
            return JSONText.string(digits)
        case .year(let year): return "\(year)"
        case .date(let year, let month, let day):
            return JSONText.string(four(year) + "-" + two(month) + "-" + two(day))
        case .time(let negative, let hours, let minutes, let seconds, let micro, let decimals):
            return JSONText.string((negative ? "-" : "") + two(hours) + ":" + two(minutes) + ":" + two(seconds) + fraction(micro, decimals))
        case .datetime(let year, let month, let day, let hour, let minute, let second, let micro, let decimals):
            return JSONText.string(four(year) + "-" + two(month) + "-" + two(day) + " " + two(hour) + ":" + two(minute) + ":"
                                   + two(second) + fraction(micro, decimals))
        case .timestamp(let seconds, let micro, let decimals):
            if seconds == 0 && micro == 0 { return JSONText.string("0000-00-00 00:00:00" + fraction(0, decimals)) }
            return JSONText.string(VerifyChecker.utc(UInt32(truncatingIfNeeded: seconds)).dropLast().replacingT() + fraction(micro, decimals))
        case .enumIndex(let index): return "\(index)"
        case .set(let bits): return "\(bits)"
        case .string(let bytes): return JSONLinesPrinter.bytes(bytes)
        case .json(let bytes), .geometry(let bytes), .vector(let bytes): return base64(bytes)
        }
    }

    // MARK: Events

    func print(_ event: BinlogEvent, formatDescription: FormatDescriptionEvent) throws {
        try print(event, formatDescription: formatDescription, payloadIndex: nil)
    }

    private func print(_ event: BinlogEvent, formatDescription: FormatDescriptionEvent, payloadIndex: Int?) throws {
        var object = Object()
        object.add("type", string: event.header.type.name)
        object.add("type_code", event.header.type.rawValue)
        object.add("file", string: fileName)
        object.add("position", event.offset)
        object.add("end_position", event.endOffset)
        if let payloadIndex { object.add("payload_index", payloadIndex) }
        object.add("timestamp", event.header.timestamp)
        object.add("server_id", event.header.serverID)
        var endsTransaction = false
        var innerEvents: [BinlogEvent] = []
        switch event.payload {
        case .formatDescription(let description):
            object.add("gtid", "null")
            object.add("binlog_version", description.binlogVersion)
            object.add("server_version", string: description.serverVersion)
            object.add("checksum", string: description.checksumAlgorithm == .crc32 ? "crc32" : "none")
        case .gtid(let value):
            gtid = event.header.type == .anonymousGTID ? nil : "\(value.sid)" + (value.tag.map { ":" + $0 } ?? "") + ":\(value.gno)"
            gtidEndsAfterStatement = true
            object.add("gtid", string: gtid)
        case .mariaDBGTID(let value):
            gtid = "\(value.domainID)-\(event.header.serverID)-\(value.sequenceNumber)"
            gtidEndsAfterStatement = value.flags.contains(.standalone)
            object.add("gtid", string: gtid)
            object.add("standalone", value.flags.contains(.standalone) ? "true" : "false")
        default:
            object.add("gtid", string: gtid)
        }
        switch event.payload {
        case .query(let query):
            object.add("database", JSONLinesPrinter.bytes(query.database.bytes))
            object.add("query", JSONLinesPrinter.bytes(query.query.bytes))
            object.add("thread_id", query.threadID)
            object.add("exec_time", query.executionTime)
            object.add("error_code", query.errorCode)
            let (isBegin, isEnd) = VerifyChecker.classifyText(query.query.bytes)
            if isEnd || (!isBegin && gtidEndsAfterStatement) { endsTransaction = true }
            if isBegin { gtidEndsAfterStatement = false }
        case .xid(let xid):
            object.add("xid", xid.xid)
            endsTransaction = true
        case .xaPrepare:
            endsTransaction = true
        case .rotate(let rotate):
            object.add("next_file", JSONLinesPrinter.bytes(rotate.nextFile.bytes))
            object.add("next_position", rotate.position)
        case .tableMap(let map):
            let decoder = RowDecoder(map)
            decoders[map.tableID] = (map.owned(), decoder)
            object.add("table_id", map.tableID)
            object.add("database", JSONLinesPrinter.bytes(map.database.bytes))
            object.add("table", JSONLinesPrinter.bytes(map.table.bytes))
            object.add("columns", decoder.columnNames.map { "[" + $0.map(JSONText.string).joined(separator: ",") + "]" } ?? "null")
            object.add("column_types", "[" + map.columnTypeCodes.map { "\($0)" }.joined(separator: ",") + "]")
        case .rows(let rows):
            object.add("table_id", rows.tableID)
            if let (map, decoder) = decoders[rows.tableID] {
                object.add("database", JSONLinesPrinter.bytes(map.database.bytes))
                object.add("table", JSONLinesPrinter.bytes(map.table.bytes))
                object.add("columns", decoder.columnNames.map { "[" + $0.map(JSONText.string).joined(separator: ",") + "]" } ?? "null")
                if rows.kind == .partialUpdate {
                    // The after images are JSON diffs (binlog_row_value_options=PARTIAL_JSON), not decoded yet.
                    object.add("rows", "null")
                    object.add("rows_error", string: "partial JSON updates are not decoded yet")
                    warnings.append("\(fileName): the Update_rows_partial event at \(event.offset) is printed without its rows (partial JSON updates are not decoded yet)")
                } else {
                    do {
                        object.add("rows", try rowsJSON(rows, decoder, event))
                    } catch {
                        // Reported and kept: the event is printed, its rows are not.
                        object.add("rows", "null")
                        object.add("rows_error", string: "\(error)")
                        warnings.append("\(error)")
                    }
                }
            } else {
                object.add("database", "null")
                object.add("table", "null")
                object.add("columns", "null")
                object.add("rows", "null")
                warnings.append("\(fileName): the rows event at \(event.offset) has no Table_map for table id \(rows.tableID): its rows are not decoded")
            }
        case .gtidList(let list):
            object.add("gtids", "[" + list.gtids.map { JSONText.string($0.description) }.joined(separator: ",") + "]")
        case .previousGTIDs(let previous):
            object.add("gtids", JSONText.string(MySQLGTIDSet(previous).description))
        case .transactionPayload(let payload):
            var reader = try TransactionPayloadReader(payload, in: event, formatDescription: formatDescription)
            while let inner = try reader.next() { innerEvents.append(inner) }
            object.add("inner_events", innerEvents.count)
        case .intvar(let intvar):
            object.add("value", intvar.value)
        case .rand(let rand):
            object.add("seed1", rand.seed1)
            object.add("seed2", rand.seed2)
        default:
            break
        }
        out.write(object.text + "\n")
        out.flushIfNeeded()
        for (index, inner) in innerEvents.enumerated() {
            var positioned = inner
            positioned.offset = event.offset
            try print(positioned, formatDescription: formatDescription, payloadIndex: index)
        }
        if endsTransaction {
            gtid = nil
            gtidEndsAfterStatement = false
        }
    }

    private func rowsJSON(_ rows: RowsEvent, _ decoder: RowDecoder, _ event: BinlogEvent) throws -> String {
        let names = decoder.columnNames
        func image(_ values: [(column: Int, value: RowValue)]) -> String {
            "{" + values.map { pair in
                JSONText.string(names?[pair.column] ?? "@\(pair.column + 1)") + ":" + JSONLinesPrinter.json(pair.value)
            }.joined(separator: ",") + "}"
        }
        let data = rows.rows
        var index = data.startIndex
        var result: [String] = []
        let hasAfterImage = rows.kind == .update || rows.kind == .partialUpdate
        do {
            while index < data.endIndex {
                let first = try decoder.decodeImage(data, at: index, present: rows.columnsPresent, columns: rows.columnCount)
                index += first.length
                switch rows.kind {
                case .write:
                    result.append("{\"after\":" + image(first.values) + "}")
                case .delete:
                    result.append("{\"before\":" + image(first.values) + "}")
                case .update, .partialUpdate:
                    let second = try decoder.decodeImage(data, at: index, present: rows.columnsPresentAfter ?? rows.columnsPresent,
                                                         columns: rows.columnCount)
                    index += second.length
                    result.append("{\"before\":" + image(first.values) + ",\"after\":" + image(second.values) + "}")
                }
            }
        } catch var failure {
            // Offsets in the row data are relative to the event: make them absolute.
            failure.offset = event.offset + UInt64(rows.rowsStart) + failure.offset - UInt64(data.startIndex)
            failure.eventType = event.header.type
            failure.eventOffset = event.offset
            failure.file = fileName
            throw failure
        }
        _ = hasAfterImage
        return "[" + result.joined(separator: ",") + "]"
    }
}

private extension Substring {
    /// `2026-11-22T02:53:42` → `2026-11-22 02:53:42`.
    func replacingT() -> String { String(map { $0 == "T" ? " " : $0 }) }
}
