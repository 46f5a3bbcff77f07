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
    private(set) var decoders: [UInt64: (map: TableMapEvent, decoder: RowDecoder)] = [:]
    private var gtid: String?
    /// Where transactions begin and end: the GTID is that of the transaction an event is in.
    private var span = TransactionSpan()

    /// `-d`: only statements run in this database (and transaction control), and the Table_maps
    /// and rows events of its tables, are printed.
    private let schema: SchemaFilter?

    /// How deep a MySQL binary JSON value may nest (`DecodingOptions.maximumJSONDepth`).
    private let maximumJSONDepth: Int

    /// `--rewrite-db`: the databases printed (selection by -d and the rules looks at them as logged).
    private let rewrite: DatabaseRewrite?

    init(out: OutputSink, schema: SchemaFilter? = nil, rewrite: DatabaseRewrite? = nil,
         maximumJSONDepth: Int = DecodingOptions().maximumJSONDepth) {
        self.out = out
        self.schema = schema
        self.rewrite = rewrite
        self.maximumJSONDepth = maximumJSONDepth
    }

    /// A database as printed: renamed by `--rewrite-db` (not for a statement logged without `use`).
    private func displayed(_ database: ArraySlice<UInt8>, _ statement: BinlogEvent?) -> ArraySlice<UInt8> {
        guard let rewrite, statement.map({ !$0.header.flags.contains(.suppressUse) }) ?? true,
              let renamed = rewrite.renamed(database) else { return database }
        return renamed[...]
    }

    /// Whether `-d` leaves this event out (statements by their default database, Table_maps and
    /// rows events by their table's database; everything else is kept).
    private func omitted(_ event: BinlogEvent) -> Bool {
        guard let schema else { return false }
        switch event.payload {
        case .query(let query):
            return !StatementKind(query.query.bytes).isTransactionControl && !schema.keepsStatement(database: query.database.bytes)
        case .executeLoadQuery(let load):
            return !schema.keepsStatement(database: load.query.database.bytes)
        case .tableMap(let map):
            return !schema.keepsTable(database: map.database.bytes, table: map.table.bytes)
        case .rows(let rows):
            return !(decoders[rows.tableID].map { schema.keepsTable(database: $0.map.database.bytes, table: $0.map.table.bytes) } ?? false)
        default:
            return false
        }
    }

    func preamble() {}
    func trailer() {}
    func beginFile() {
        decoders.removeAll()
        gtid = nil
        span = TransactionSpan()
    }
    func beginFile(named name: String) {
        fileName = name
        beginFile()
    }
    func endFile() {}

    // MARK: JSON text

    /// The line being built; appended to the output when the event is done.
    private var line: [UInt8] = []
    private var needsComma = false

    private func key(_ name: StaticString) {
        if needsComma { line.append(UInt8(ascii: ",")) }
        needsComma = true
        line.append(UInt8(ascii: "\""))
        line.append(name)
        line.append("\":")
    }

    private func field(_ name: StaticString, _ value: some BinaryInteger) {
        key(name)
        line.append(number: value)
    }

    private func field(_ name: StaticString, raw: StaticString) {
        key(name)
        line.append(raw)
    }

    private func field(_ name: StaticString, text: String?) {
        key(name)
        if let text { JSONLinesPrinter.appendString(Array(text.utf8)[...], to: &line) } else { line.append("null") }
    }

    private func field(_ name: StaticString, bytes: ArraySlice<UInt8>) {
        key(name)
        JSONLinesPrinter.appendBytes(bytes, to: &line)
    }

    /// Appends `bytes` as a JSON string when they are UTF-8 (returns false, appending nothing, when not).
    @discardableResult
    static func appendString(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) -> Bool {
        guard isUTF8(bytes) else { return false }
        let hex: StaticString = "0123456789abcdef"
        out.append(UInt8(ascii: "\""))
        var runStart = bytes.startIndex
        var index = bytes.startIndex
        func flush() { if runStart < index { out.append(contentsOf: bytes[runStart..<index]) } }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte >= 0x20 && byte != 0x22 && byte != 0x5c {
                index += 1
                continue
            }
            flush()
            switch byte {
            case 0x22: out.append("\\\"")
            case 0x5c: out.append("\\\\")
            case 0x0a: out.append("\\n")
            case 0x0d: out.append("\\r")
            case 0x09: out.append("\\t")
            default:
                out.append("\\u00")
                hex.withUTF8Buffer { table in
                    out.append(table[Int(byte >> 4)])
                    out.append(table[Int(byte & 0xf)])
                }
            }
            index += 1
            runStart = index
        }
        flush()
        out.append(UInt8(ascii: "\""))
        return true
    }

    /// Whether `bytes` are well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
    static func isUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        let end = bytes.endIndex
        while index < end {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let count: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xbf
            switch lead {
            case 0xc2...0xdf: count = 1
            case 0xe0: count = 2; low = 0xa0
            case 0xe1...0xec, 0xee, 0xef: count = 2
            case 0xed: count = 2; high = 0x9f
            case 0xf0: count = 3; low = 0x90
            case 0xf1...0xf3: count = 3
            case 0xf4: count = 3; high = 0x8f
            default: return false
            }
            // The continuation bytes must be there: index + 1 ... index + count.
            guard index + count < end else { return false }
            let second = bytes[index + 1]
            guard second >= low && second <= high else { return false }
            var next = 2
            while next <= count {
                guard bytes[index + next] & 0xc0 == 0x80 else { return false }
                next += 1
            }
            index += count + 1
        }
        return true
    }

    /// Text when the bytes are UTF-8, else `{"base64": "…"}`: bytes are never lost.
    static func appendBytes(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        if !appendString(bytes, to: &out) { appendBase64(bytes, to: &out) }
    }

    static func appendBase64(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        out.append("{\"base64\":\"")
        var encoded: [UInt8] = []
        Base64.encode(bytes, into: &encoded)
        // One line: the encoder breaks lines for BINLOG statements.
        out.append(contentsOf: encoded.lazy.filter { $0 != 10 })
        out.append("\"}")
    }

    /// The same as text (tests and other printers use it).
    static func bytes(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        appendBytes(bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func two(_ value: Int, _ out: inout [UInt8]) {
        out.append(UInt8(48 + value / 10 % 10))
        out.append(UInt8(48 + value % 10))
    }

    private static func digits(_ value: Int, _ count: Int, _ out: inout [UInt8]) {
        let text = String(value)
        for _ in text.utf8.count..<max(count, text.utf8.count) { out.append(48) }
        out.append(text)
    }

    private static func fraction(_ microseconds: Int, _ decimals: Int, _ out: inout [UInt8]) {
        guard decimals > 0 else { return }
        var value = microseconds
        for _ in decimals..<6 { value /= 10 }
        out.append(UInt8(ascii: "."))
        digits(value, decimals, &out)
    }

    /// A value as JSON: numbers for integer types, YEAR, ENUM and SET; strings for DECIMAL (exact),
    /// BIT (binary digits) and temporal types; text or base64 for strings and blobs.
    static func appendJSON(_ value: RowValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append("null")
        case .int(let v): out.append(number: v)
        case .uint(let v): out.append(decimal: v)
        case .float(let v):
            if v.isFinite { out.append("\(v)") } else { appendString(Array("\(v)".utf8)[...], to: &out) }
        case .double(let v):
            if v.isFinite { out.append("\(v)") } else { appendString(Array("\(v)".utf8)[...], to: &out) }
        case .decimal(let text):
            out.append(UInt8(ascii: "\""))
            out.append(text)
            out.append(UInt8(ascii: "\""))
        case .bit(let v, let width):
            out.append(UInt8(ascii: "\""))
            for bit in stride(from: width - 1, through: 0, by: -1) { out.append(bit < 64 && v >> UInt64(bit) & 1 == 1 ? 49 : 48) }
            out.append(UInt8(ascii: "\""))
        case .year(let year): out.append(number: year)
        case .date(let year, let month, let day):
            out.append(UInt8(ascii: "\""))
            digits(year, 4, &out); out.append(UInt8(ascii: "-")); two(month, &out); out.append(UInt8(ascii: "-")); two(day, &out)
            out.append(UInt8(ascii: "\""))
        case .time(let negative, let hours, let minutes, let seconds, let micro, let decimals):
            out.append(UInt8(ascii: "\""))
            if negative { out.append(UInt8(ascii: "-")) }
            digits(hours, 2, &out); out.append(UInt8(ascii: ":")); two(minutes, &out); out.append(UInt8(ascii: ":")); two(seconds, &out)
            fraction(micro, decimals, &out)
            out.append(UInt8(ascii: "\""))
        case .datetime(let year, let month, let day, let hour, let minute, let second, let micro, let decimals):
            out.append(UInt8(ascii: "\""))
            digits(year, 4, &out); out.append(UInt8(ascii: "-")); two(month, &out); out.append(UInt8(ascii: "-")); two(day, &out)
            out.append(UInt8(ascii: " "))
            two(hour, &out); out.append(UInt8(ascii: ":")); two(minute, &out); out.append(UInt8(ascii: ":")); two(second, &out)
            fraction(micro, decimals, &out)
            out.append(UInt8(ascii: "\""))
        case .timestamp(let seconds, let micro, let decimals):
            out.append(UInt8(ascii: "\""))
            if seconds == 0 && micro == 0 {
                out.append("0000-00-00 00:00:00")
            } else {
                out.append(TextFormatting.utcDateTime(UInt32(truncatingIfNeeded: seconds), separator: " "))
            }
            fraction(micro, decimals, &out)
            out.append(UInt8(ascii: "\""))
        case .enumIndex(let index): out.append(number: index)
        case .set(let bits): out.append(decimal: bits)
        case .string(let bytes): appendBytes(bytes, to: &out)
        case .json(let bytes), .jsonDiff(let bytes), .geometry(let bytes), .vector(let bytes): appendBase64(bytes, to: &out)
        case .compressed(let bytes):
            // The stored bytes when they cannot be inflated here; rows decoding inflates them first.
            appendBase64(bytes, to: &out)
        }
    }

    /// The same as text.
    static func json(_ value: RowValue) -> String {
        var out: [UInt8] = []
        appendJSON(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Events

    func print(_ event: BinlogEvent, formatDescription: FormatDescriptionEvent) throws {
        try print(event, formatDescription: formatDescription, payloadIndex: nil)
    }

    private func print(_ event: BinlogEvent, formatDescription: FormatDescriptionEvent, payloadIndex: Int?) throws {
        // Inner events of a compressed transaction are in the transaction of the event carrying them.
        let step = payloadIndex == nil ? span.feed(type: event.header.type.rawValue, payload: event.payload) : TransactionSpan.Step()
        let omit = omitted(event)
        // An omitted rows event changes nothing else: its rows are not even decoded. Omitted
        // statements and Table_maps are gone through (for the GTID and the row decoders) unprinted.
        if omit, case .rows = event.payload { return }
        line.removeAll(keepingCapacity: true)
        needsComma = false
        line.append(UInt8(ascii: "{"))
        key("type")
        JSONLinesPrinter.appendString(Array(event.header.type.name.utf8)[...], to: &line)
        field("type_code", event.header.type.rawValue)
        field("file", text: fileName)
        field("position", event.offset)
        field("end_position", event.endOffset)
        if let payloadIndex { field("payload_index", payloadIndex) }
        field("timestamp", event.header.timestamp)
        field("server_id", event.header.serverID)
        var innerEvents: [BinlogEvent] = []
        switch event.payload {
        case .formatDescription(let description):
            field("gtid", raw: "null")
            field("binlog_version", description.binlogVersion)
            field("server_version", text: description.serverVersion)
            field("checksum", raw: description.checksumAlgorithm == .crc32 ? "\"crc32\"" : "\"none\"")
        case .gtid(let value):
            gtid = event.header.type == .anonymousGTID ? nil : "\(value.sid)" + (value.tag.map { ":" + $0 } ?? "") + ":\(value.gno)"
            field("gtid", text: gtid)
        case .mariaDBGTID(let value):
            gtid = "\(value.domainID)-\(event.header.serverID)-\(value.sequenceNumber)"
            field("gtid", text: gtid)
            field("standalone", raw: value.flags.contains(.standalone) ? "true" : "false")
        default:
            field("gtid", text: gtid)
        }
        switch event.payload {
        case .query(let query):
            field("database", bytes: displayed(query.database.bytes, event))
            field("query", bytes: query.query.bytes)
            field("thread_id", query.threadID)
            field("exec_time", query.executionTime)
            field("error_code", query.errorCode)
        case .xid(let xid):
            field("xid", xid.xid)
        case .rotate(let rotate):
            field("next_file", bytes: rotate.nextFile.bytes)
            field("next_position", rotate.position)
        case .tableMap(let map):
            let decoder: RowDecoder
            if let known = decoders[map.tableID], known.map.hasSameBody(as: map) {
                decoder = known.decoder
            } else {
                decoder = RowDecoder(map)
                decoders.setBounded((map.owned(), decoder), for: map.tableID)
            }
            field("table_id", map.tableID)
            field("database", bytes: displayed(map.database.bytes, nil))
            field("table", bytes: map.table.bytes)
            columns(decoder)
            key("column_types")
            line.append(UInt8(ascii: "["))
            for (index, code) in map.columnTypeCodes.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                line.append(decimal: UInt64(code))
            }
            line.append(UInt8(ascii: "]"))
        case .rows(let rows):
            field("table_id", rows.tableID)
            if let (map, decoder) = decoders[rows.tableID] {
                field("database", bytes: displayed(map.database.bytes, nil))
                field("table", bytes: map.table.bytes)
                columns(decoder)
                let mark = line.count
                let comma = needsComma
                do {
                    key("rows")
                    try appendRows(rows, decoder, event)
                } catch {
                    // Reported and kept: the event is printed, its rows are not.
                    line.removeSubrange(mark...)
                    needsComma = comma
                    field("rows", raw: "null")
                    field("rows_error", text: "\(error)")
                    warnings.append("\(error)")
                }
            } else {
                field("database", raw: "null")
                field("table", raw: "null")
                field("columns", raw: "null")
                field("rows", raw: "null")
                warnings.append("\(fileName): the rows event at \(event.offset) has no Table_map for table id \(rows.tableID): its rows are not decoded")
            }
        case .gtidList(let list):
            key("gtids")
            line.append(UInt8(ascii: "["))
            for (index, gtid) in list.gtids.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                JSONLinesPrinter.appendString(Array(gtid.description.utf8)[...], to: &line)
            }
            line.append(UInt8(ascii: "]"))
        case .previousGTIDs(let previous):
            field("gtids", text: MySQLGTIDSet(previous).description)
        case .transactionPayload(let payload):
            var reader = try TransactionPayloadReader(payload, in: event, formatDescription: formatDescription)
            while let inner = try reader.next() { innerEvents.append(inner) }
            field("inner_events", innerEvents.count)
        case .intvar(let intvar):
            field("value", intvar.value)
        case .rand(let rand):
            field("seed1", rand.seed1)
            field("seed2", rand.seed2)
        default:
            break
        }
        line.append("}\n")
        if !omit { out.write(line) }
        for (index, inner) in innerEvents.enumerated() {
            var positioned = inner
            positioned.offset = event.offset
            try print(positioned, formatDescription: formatDescription, payloadIndex: index)
        }
        if step.closes { gtid = nil }
    }

    private func columns(_ decoder: RowDecoder) {
        key("columns")
        guard let names = decoder.columnNames else {
            line.append("null")
            return
        }
        line.append(UInt8(ascii: "["))
        for (index, name) in names.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            JSONLinesPrinter.appendString(Array(name.utf8)[...], to: &line)
        }
        line.append(UInt8(ascii: "]"))
    }

    private func appendRows(_ rows: RowsEvent, _ decoder: RowDecoder, _ event: BinlogEvent) throws {
        let names = decoder.columnNames?.map { name -> [UInt8] in
            var quoted: [UInt8] = []
            JSONLinesPrinter.appendString(Array(name.utf8)[...], to: &quoted)
            return quoted
        }
        let maximumJSONDepth = maximumJSONDepth
        func image(_ values: [(column: Int, value: RowValue)], at row: Int) throws(BinlogDecodingError) {
            line.append(UInt8(ascii: "{"))
            for (index, pair) in values.enumerated() {
                if index > 0 { line.append(UInt8(ascii: ",")) }
                if let names {
                    line.append(contentsOf: names[pair.column])
                } else {
                    line.append("\"@")
                    line.append(decimal: UInt64(pair.column + 1))
                    line.append(UInt8(ascii: "\""))
                }
                line.append(UInt8(ascii: ":"))
                if case .compressed(let stored) = pair.value {
                    // MariaDB's compressed columns: the value, inflated.
                    JSONLinesPrinter.appendBytes(try MariaDBCompression.inflateColumn(stored, column: pair.column, at: row)[...], to: &line)
                    continue
                }
                do throws(MySQLJSON.DecodingError) {
                    switch pair.value {
                    case .json(let document):
                        // MySQL's binary JSON, as the JSON text the server prints for it.
                        try MySQLJSON.appendText(of: document, to: &line, maximumDepth: maximumJSONDepth)
                    case .jsonDiff(let bytes):
                        // A partial update: {"json_diff": [{"function", "path", "value"}…]}, in order.
                        line.append("{\"json_diff\":[")
                        for (number, diff) in try MySQLJSON.diffs(bytes).enumerated() {
                            if number > 0 { line.append(UInt8(ascii: ",")) }
                            line.append("{\"function\":\"")
                            line.append(diff.functionName)
                            line.append("\",\"path\":")
                            JSONLinesPrinter.appendBytes(diff.path, to: &line)
                            if let value = diff.value {
                                line.append(",\"value\":")
                                try MySQLJSON.appendText(of: value, to: &line, maximumDepth: maximumJSONDepth)
                            }
                            line.append(UInt8(ascii: "}"))
                        }
                        line.append("]}")
                    default:
                        JSONLinesPrinter.appendJSON(pair.value, to: &line)
                    }
                } catch {
                    throw BinlogDecodingError(.invalidValue("column \(pair.column + 1) holds JSON that cannot be printed, \(error)"),
                                              offset: UInt64(row), field: "row image")
                }
            }
            line.append(UInt8(ascii: "}"))
        }
        line.append(UInt8(ascii: "["))
        var first = true
        do throws(BinlogDecodingError) {
            try decoder.forEachRow(of: rows) { (row) throws(BinlogDecodingError) in
                if !first { line.append(UInt8(ascii: ",")) }
                first = false
                let rowStart = row.first.range.lowerBound
                switch rows.kind {
                case .write:
                    line.append("{\"after\":")
                    try image(row.first.values, at: rowStart)
                case .delete:
                    line.append("{\"before\":")
                    try image(row.first.values, at: rowStart)
                case .update, .partialUpdate:
                    line.append("{\"before\":")
                    try image(row.first.values, at: rowStart)
                    line.append(",\"after\":")
                    try image(row.second?.values ?? [], at: rowStart)
                }
                line.append(UInt8(ascii: "}"))
            }
        } catch var failure {
            // Offsets in the row data are relative to the event: make them absolute.
            failure.locate(inRowsOf: event, rows, file: fileName)
            throw failure
        }
        line.append(UInt8(ascii: "]"))
    }
}

extension MariaDBCompression {
    /// A compressed column's value in a row image; errors name the column and the row (offset
    /// relative to the row data, made absolute by the caller).
    static func inflateColumn(_ stored: ArraySlice<UInt8>, column: Int, at row: Int) throws(BinlogDecodingError) -> [UInt8] {
        do {
            return try inflateColumn(stored, maximumSize: DecodingOptions().maximumDecompressedSize)
        } catch {
            var failure = error
            failure.offset = UInt64(row)
            failure.field = "row image, column \(column + 1)"
            throw failure
        }
    }
}
