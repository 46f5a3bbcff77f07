// The `###` pseudo-SQL of `mariadb-binlog -v` / `-vv` for a rows event, value quirks included.
import MySQLBinlog

/// Prints row images as mariadb-binlog's `print_verbose` does: one `### INSERT INTO` /
/// `### UPDATE` / `### DELETE FROM` block per row, one `###   @N=value` line per column present,
/// and with `-vv` the column's type, metadata and nullability in a comment.
///
/// The values follow mariadb-binlog, not SQL: DATE prints with colons (`'2024:02:29'`),
/// TIMESTAMP as seconds since the epoch, ENUM as its index, SET and BIT as bit strings, strings
/// with control characters as `\xNN` and quotes unescaped, FLOAT padded to 20 columns.
struct MariaDBVerboseRows {
    /// What the printer needs of a table map.
    struct Table {
        var database: BinlogString
        var table: BinlogString
        var types: [ColumnType]
        var metadata: [UInt16]
        var nullable: [Bool]
        /// `` `db`.`table` ``, quoted once.
        var qualifiedName: [UInt8]

        init(database: BinlogString, table: BinlogString, types: [ColumnType], metadata: [UInt16], nullable: [Bool]) {
            self.database = database
            self.table = table
            self.types = types
            self.metadata = metadata
            self.nullable = nullable
            qualifiedName = TextFormatting.backtickQuoted(database.bytes) + [UInt8(ascii: ".")] + TextFormatting.backtickQuoted(table.bytes)
        }
    }

    let verbosity: Int
    /// mysqlbinlog's dialect (`Rows_log_event::print_verbose` of MySQL 8.4): old DATETIME
    /// unquoted, JSON printed (and partial JSON updates as JSON_* calls), its own message for a
    /// damaged value, no `SET /* no columns */`, and a line for a type it cannot print.
    var mysql = false

    init(verbosity: Int, mysql: Bool = false) {
        self.verbosity = verbosity
        self.mysql = mysql
    }

    /// Appends the blocks for every row of `rows`; returns the number of rows begun (each
    /// before/after pair of an update counts once), which `# Number of rows` reports.
    func append(_ rows: RowsEvent, table: Table?, to out: inout [UInt8]) -> Int {
        if mysql && !appendExtraRowInfo(rows, to: &out) { return 0 }
        guard let table else {
            // No newline: mariadb-binlog's `# Number of rows: 0` continues the line.
            out.append("### Row event for unknown table #")
            out.append(decimal: rows.tableID)
            return 0
        }
        let command: StaticString
        let clauses: [StaticString]
        switch rows.kind {
        case .write:
            command = "INSERT INTO"
            clauses = ["### SET\n"]
        case .delete:
            command = "DELETE FROM"
            clauses = ["### WHERE\n"]
        case .update, .partialUpdate:
            command = "UPDATE"
            clauses = ["### WHERE\n", "### SET\n"]
        }
        let data = rows.rows
        if data.isEmpty && rows.kind == .write {
            out.append("### INSERT INTO ")
            out.append(contentsOf: table.qualifiedName)
            out.append(" VALUES ()\n")
            return 1
        }
        var count = 0
        var index = data.startIndex
        while index < data.endIndex {
            let rowStart = index
            count += 1
            out.append("### ")
            out.append(command)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: table.qualifiedName)
            out.append(10)
            for (image, clause) in clauses.enumerated() {
                let present = image == 0 ? rows.columnsPresent : (rows.columnsPresentAfter ?? rows.columnsPresent)
                let preGA = rows.version == 0
                    ? appendPreGAImage(data, at: index, present: present, columns: rows.columnCount, table: table, clause: clause, to: &out)
                    : nil
                guard let length = rows.version == 0 ? preGA : appendImage(data, at: index, present: present, columns: rows.columnCount, table: table,
                                               partial: rows.kind == .partialUpdate,
                                               clause: clause, isAfterImage: image == 1, to: &out) else { return count }
                index += length
            }
            // A row of no bytes: the next would be the same one (mariadb-binlog stops there too).
            if index == rowStart { return count }
        }
        return count
    }

    /// mysqlbinlog's lines for a v2 rows event's extra row info (NDB info, partition ids),
    /// read as `Rows_event`'s constructor reads it. False when mysqlbinlog prints nothing more.
    private func appendExtraRowInfo(_ rows: RowsEvent, to out: inout [UInt8]) -> Bool {
        let extra = rows.extraData
        guard !extra.isEmpty else { return true }
        var ndb: ArraySlice<UInt8>?
        var partition: (id: Int, source: Int?)?
        var index = extra.startIndex
        let isUpdate = rows.kind == .update || rows.kind == .partialUpdate
        parsing: while index < extra.endIndex {
            let type = extra[index]
            index += 1
            switch type {
            case 0:
                guard index < extra.endIndex else { break parsing }
                let length = Int(extra[index])
                guard index + length <= extra.endIndex else { break parsing }
                if ndb == nil { ndb = extra[index..<(index + length)] }
                index += length
            case 1:
                func two() -> Int? {
                    guard index + 2 <= extra.endIndex else { return nil }
                    defer { index += 2 }
                    return Int(extra[index]) | Int(extra[index + 1]) << 8
                }
                guard let id = two() else { break parsing }
                partition = (id, isUpdate ? two() : nil)
            default:
                break parsing
            }
        }
        if let ndb {
            guard ndb.count >= 2 else {
                out.append("***Error: The number of extra_row_ndb_info is smaller than the minimum acceptable value.\n")
                return false
            }
            let payload = ndb.dropFirst(2)
            let digits = Array("0123456789ABCDEF".utf8)
            out.append(contentsOf: Array("### Extra row ndb info: data_format: \(ndb[ndb.startIndex + 1]), len: \(payload.count), data: ".utf8))
            if payload.isEmpty {
                out.append(contentsOf: Array("\"\"".utf8))
            } else {
                out.append(contentsOf: Array("0x".utf8))
                for byte in payload { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
            }
            out.append(10)
        }
        if let partition {
            if isUpdate {
                out.append(contentsOf: Array("### Extra row info for partitioning: source_partition: \(partition.source ?? 0) target_partition: \(partition.id)\n".utf8))
            } else {
                out.append(contentsOf: Array("### Extra row info for partitioning: partition: \(partition.id)\n".utf8))
            }
        }
        return true
    }

    /// One image of a pre-GA rows event (``PreGARowLayout``): every present column is read,
    /// a NULL one's default value too; `nil` when it is damaged.
    private func appendPreGAImage(_ data: ArraySlice<UInt8>, at start: Int, present: ArraySlice<UInt8>, columns: Int, table: Table,
                                  clause: StaticString, to out: inout [UInt8]) -> Int? {
        let layout = PreGARowLayout(types: table.types, nullable: table.nullable)
            .layout(firstByte: start < data.endIndex ? data[start] : nil)
        out.append(clause)
        guard start + layout.nullBytes <= data.endIndex else { return nil }
        var index = start + layout.nullBytes
        for column in 0..<min(columns, table.types.count)
        where column / 8 < present.count && present[present.startIndex + column / 8] & (1 << (column % 8)) != 0 {
            let type = table.types[column]
            let metadata = PreGARowLayout.metadata(type: type, metadata: table.metadata[column])
            guard let size = RowImageLayout.fieldSize(type: type, metadata: metadata, bytes: data, at: index),
                  index + size <= data.endIndex else {
                out.append("###   @")
                out.append(decimal: UInt64(column + 1))
                out.append("=***Corrupted replication event was detected. Not printing the value***\n")
                return nil
            }
            let isNull = layout.nullBit[column].map { data[start + $0 / 8] & (1 << ($0 % 8)) != 0 } ?? false
            out.append("###   @")
            out.append(decimal: UInt64(column + 1))
            out.append(UInt8(ascii: "="))
            let printed = mysql
                ? MariaDBVerboseRows.appendMySQLValue(isNull ? nil : data[index...], type: type, metadata: metadata,
                                                      partialJSON: false, column: column, to: &out)
                : MariaDBVerboseRows.appendValue(isNull ? nil : data[index...], type: type, metadata: metadata, to: &out)
            guard printed != nil else { return nil }
            if verbosity > 1 {
                appendTypeComment(type: type, metadata: metadata, shown: table.metadata[column], column: column, isNull: isNull, table: table, to: &out)
            }
            out.append(10)
            index += size
        }
        return index - start
    }

    /// The `-vv` comment: ` /* TYPE meta=N nullable=0|1 is_null=0|1 */`. `metadata` names the
    /// type, `shown` is the metadata printed (a pre-GA column is read with assumed metadata).
    private func appendTypeComment(type: ColumnType, metadata: UInt16, shown: UInt16, column: Int, isNull: Bool, table: Table,
                                   to out: inout [UInt8]) {
        out.append(" /* ")
        out.append(MariaDBVerboseRows.typeName(type, metadata: metadata)?.name ?? (mysql && type.rawValue == 245 ? "JSON" : ""))
        out.append(" meta=")
        out.append(decimal: UInt64(shown))
        out.append(" nullable=")
        out.append(table.nullable.indices.contains(column) && table.nullable[column] ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        out.append(" is_null=")
        out.append(isNull ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        out.append(" */")
    }

    /// One row image; `nil` when it is damaged (the rest of the event is not printed).
    private func appendImage(_ data: ArraySlice<UInt8>, at start: Int, present: ArraySlice<UInt8>, columns: Int, table: Table, partial: Bool,
                             clause: StaticString, isAfterImage: Bool, to out: inout [UInt8]) -> Int? {
        func isPresent(_ column: Int) -> Bool {
            column < columns && column / 8 < present.count && present[present.startIndex + column / 8] & (1 << (column % 8)) != 0
        }
        var presentCount = 0
        for column in 0..<columns where isPresent(column) { presentCount += 1 }
        // A partial update's after image (MySQL) starts with its value options, then, with
        // PARTIAL_JSON_UPDATES, one bit per JSON column of the table: set when it holds a diff.
        var imageStart = start
        var partialBits: ArraySlice<UInt8> = []
        if mysql && isAfterImage && partial {
            guard imageStart < data.endIndex else { return nil }
            let first = data[imageStart]
            let width = first < 251 ? 0 : first == 252 ? 2 : first == 253 ? 3 : first == 254 ? 8 : -1
            guard width >= 0, imageStart + 1 + width <= data.endIndex else {
                out.append("*** Error reading binlog_row_value_options from Partial_update_rows_log_event\n")
                return nil
            }
            var options: UInt64 = width == 0 ? UInt64(first) : 0
            for byte in 0..<width { options |= UInt64(data[imageStart + 1 + byte]) << UInt64(8 * byte) }
            imageStart += 1 + width
            if options & 1 != 0 {
                let jsonColumns = table.types.filter { $0.rawValue == 245 }.count
                let count = (jsonColumns + 7) / 8
                guard imageStart + count <= data.endIndex else { return nil }
                partialBits = data[imageStart..<(imageStart + count)]
                imageStart += count
            }
        }
        if isAfterImage && presentCount == 0 && !mysql {
            out.append("### SET /* no columns */\n")
        } else {
            out.append(clause)
        }
        let nullBytes = (presentCount + 7) / 8
        guard imageStart + nullBytes <= data.endIndex else { return nil }
        let nullStart = imageStart
        var index = imageStart + nullBytes
        var jsonIndex = 0
        var nullIndex = 0
        for column in 0..<table.types.count {
            // The partial bit is read for every JSON column, present or not.
            var isPartialJSON = false
            if table.types[column].rawValue == 245 {
                if !partialBits.isEmpty {
                    isPartialJSON = partialBits[partialBits.startIndex + jsonIndex / 8] & (1 << (jsonIndex % 8)) != 0
                }
                jsonIndex += 1
            }
            guard isPresent(column) else { continue }
            let isNull = data[nullStart + nullIndex / 8] & (1 << (nullIndex % 8)) != 0
            out.append("###   @")
            out.append(decimal: UInt64(column + 1))
            out.append(UInt8(ascii: "="))
            let type = table.types[column]
            let metadata = table.metadata[column]
            if !isNull {
                let size = RowImageLayout.fieldSize(type: type, metadata: metadata, bytes: data, at: index)
                guard let size, index + size <= data.endIndex else {
                    if mysql {
                        out.append(contentsOf: Array("***Corrupted replication event was detected: field size is set to \(UInt32(truncatingIfNeeded: size ?? 0)), but there are only \(data.endIndex - index) bytes left of the event. Not printing the value***\n".utf8))
                    } else {
                        out.append("***Corrupted replication event was detected. Not printing the value***\n")
                    }
                    return nil
                }
            }
            let printed = mysql
                ? MariaDBVerboseRows.appendMySQLValue(isNull ? nil : data[index...], type: type, metadata: metadata,
                                                      partialJSON: isPartialJSON, column: column, to: &out)
                : MariaDBVerboseRows.appendValue(isNull ? nil : data[index...], type: type, metadata: metadata, to: &out)
            guard let size = printed else { return nil }
            if !isNull { index += size }
            if verbosity > 1 {
                appendTypeComment(type: type, metadata: metadata, shown: metadata, column: column, isNull: isNull, table: table, to: &out)
            }
            out.append(10)
            nullIndex += 1
        }
        return index - start
    }

    // MARK: Values

    /// mysqlbinlog's `log_event_print_value` where it differs from mariadb-binlog's: old
    /// DATETIME without quotes, JSON as quoted text (a partial update as JSON_* calls), and a
    /// line for what it cannot print. Returns the bytes the value takes, nil to stop the event.
    static func appendMySQLValue(_ bytes: ArraySlice<UInt8>?, type: ColumnType, metadata: UInt16, partialJSON: Bool,
                                 column: Int, to out: inout [UInt8]) -> Int? {
        let code = type.rawValue
        if code == 245 {
            guard let bytes else {
                out.append("NULL")
                return 1
            }
            let width = Int(metadata)
            guard (1...4).contains(width), bytes.count >= width else { return nil }
            var length = 0
            for i in 0..<width { length |= Int(bytes[bytes.startIndex + i]) << (8 * i) }
            guard bytes.count - width >= length else { return nil }
            let document = bytes[(bytes.startIndex + width)..<(bytes.startIndex + width + length)]
            if partialJSON {
                if let failure = appendJSONDiff(document, column: column, to: &out) {
                    out.append(contentsOf: Array("Error \(failure) while printing JSON diff\n".utf8))
                }
            } else {
                var text: [UInt8] = []
                if (try? MySQLJSON.appendText(of: document, to: &text, quoted: false)) != nil {
                    appendQuoted(text[...], to: &out)
                } else {
                    out.append("Invalid JSON\n")
                }
            }
            return length + width
        }
        if code == 12, let bytes {
            // DATETIME before 5.6: YYYYMMDDhhmmss in 8 bytes, printed without quotes.
            guard bytes.count >= 8 else { return nil }
            var packed: UInt64 = 0
            for i in 0..<8 { packed |= UInt64(bytes[bytes.startIndex + i]) << UInt64(8 * i) }
            let d = packed / 1_000_000, t = packed % 1_000_000
            out.append(contentsOf: Array((four(Int(d / 10000)) + "-\(two(Int(d % 10000 / 100)))-\(two(Int(d % 100))) "
                                          + "\(two(Int(t / 10000))):\(two(Int(t % 10000 / 100))):\(two(Int(t % 100)))").utf8))
            return 8
        }
        if code == 252 && !(1...4).contains(metadata) {
            out.append("!! Unknown BLOB packlen=0")
            return nil
        }
        // mysqlbinlog has no case for GEOMETRY.
        if code == 255 || (printedCode(type, metadata: metadata) == nil && code != 247) {
            let hex = String(metadata, radix: 16)
            out.append(contentsOf: Array("!! Don't know how to handle column type=\(code) meta=\(metadata) (\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex))\n".utf8))
            return nil
        }
        return appendValue(bytes, type: type, metadata: metadata, to: &out)
    }

    /// `print_json_diff`: the operations as nested calls, `JSON_REPLACE(@3, '$.a', 1)`, runs of
    /// the same function merged, values as `json_wrapper_to_string` prints them unquoted.
    /// Returns mysqlbinlog's error words on damage.
    static func appendJSONDiff(_ bytes: ArraySlice<UInt8>, column: Int, to out: inout [UInt8]) -> String? {
        guard let diffs = try? MySQLJSON.diffs(bytes) else { return "reading operation type (invalid operation code)" }
        let separator = Array("\n###      ".utf8)
        let names = diffs.map(\.functionName)
        var printed = false
        for i in stride(from: names.count - 1, through: 0, by: -1) where i == 0 || names[i - 1] != names[i] {
            if printed { out += separator }
            out += Array((names[i] + "(").utf8)
            printed = true
        }
        out += Array("@\(column + 1)".utf8)
        if diffs.isEmpty { return nil }
        out += Array(", ".utf8)
        for (i, diff) in diffs.enumerated() {
            appendQuoted(diff.path[...], to: &out)
            if let value = diff.value {
                out += Array(", ".utf8)
                guard appendJSONValue(value, to: &out) else { return "parsing json value" }
            }
            if i == diffs.count - 1 || names[i + 1] != names[i] { out.append(UInt8(ascii: ")")) }
            if i != diffs.count - 1 { out.append(UInt8(ascii: ",")); out += separator }
        }
        return nil
    }

    /// `json_wrapper_to_string(…, json_type: false)`: null, numbers, booleans and decimals raw;
    /// strings, dates, times and other opaque values quoted; objects and arrays as
    /// `CAST('…' AS JSON)`.
    private static func appendJSONValue(_ value: ArraySlice<UInt8>, to out: inout [UInt8]) -> Bool {
        var text: [UInt8] = []
        guard (try? MySQLJSON.appendText(of: value, to: &text, quoted: false)) != nil else { return false }
        let type = value.first ?? 4
        switch type {
        case 0...3:
            out += Array("CAST(".utf8)
            appendQuoted(text[...], to: &out)
            out += Array(" AS JSON)".utf8)
        case 0x0c:
            appendQuoted(text[...], to: &out)
        case 0x0f:
            // An opaque value: a DECIMAL prints raw, the rest quoted.
            if value.count > 1 && value[value.startIndex + 1] == 246 { out += text } else { appendQuoted(text[...], to: &out) }
        default:
            out += text
        }
        return true
    }

    /// `'…'` with bytes below 0x20 as `\xNN` and everything else raw (`my_b_write_quoted`).
    private static func appendQuoted(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        out.append(0x27)
        var runStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte > 0x1f {
                index += 1
                continue
            }
            if runStart < index { out.append(contentsOf: bytes[runStart..<index]) }
            digits.withUTF8Buffer { table in
                out.append(0x5c)
                out.append(UInt8(ascii: "x"))
                out.append(table[Int(byte >> 4)])
                out.append(table[Int(byte & 0xf)])
            }
            index += 1
            runStart = index
        }
        if runStart < index { out.append(contentsOf: bytes[runStart..<index]) }
        out.append(0x27)
    }

    /// `b'0101…'`: the low `bits` bits of `value`, most significant first (`my_b_write_bit`).
    private static func appendBits(_ value: UInt64, bits: Int, to out: inout [UInt8]) {
        out += [UInt8(ascii: "b"), 0x27]
        for bit in stride(from: bits - 1, through: 0, by: -1) {
            out.append(bit < 64 && value >> UInt64(bit) & 1 == 1 ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        }
        out.append(0x27)
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func four(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    /// `.` and `decimals` digits of `microseconds` (nothing for 0 decimals).
    private static func fraction(_ microseconds: Int, decimals: Int) -> String {
        guard decimals > 0 else { return "" }
        var value = microseconds
        for _ in decimals..<6 { value /= 10 }
        let digits = String(value)
        return "." + String(repeating: "0", count: max(0, decimals - digits.count)) + digits
    }

    /// The type code a value is printed as, or nil when mariadb-binlog cannot print the type.
    static func printedCode(_ type: ColumnType, metadata: UInt16) -> UInt8? {
        var code = type.rawValue
        if code == ColumnType.string.rawValue && metadata >= 256 {
            let high = UInt8(metadata >> 8)
            if high & 0x30 == 0x30 && (high == 247 || high == 248) { code = high }
        }
        switch code {
        case 10: return 14
        case 247: return metadata & 0xff == 1 || metadata & 0xff == 2 ? code : nil
        case 252, 140: return (1...4).contains(metadata) ? code : nil
        case 1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 141, 246, 248, 253, 254, 255: return code
        default: return nil
        }
    }

    /// The `-vv` name of a column type (`log_event_print_value`'s), and the type code it is
    /// printed as (STRING carries ENUM and SET in its metadata; DATE prints as NEWDATE).
    static func typeName(_ type: ColumnType, metadata: UInt16) -> (name: String, code: UInt8)? {
        var code = type.rawValue
        var length = Int(metadata)
        if code == ColumnType.string.rawValue && metadata >= 256 {
            let byte0 = Int(metadata >> 8)
            let byte1 = Int(metadata & 0xff)
            if byte0 & 0x30 != 0x30 {
                // A CHAR longer than 255 bytes keeps two bits of its length in the type byte.
                length = byte1 | (((byte0 & 0x30) ^ 0x30) << 4)
            } else {
                if byte0 == 247 || byte0 == 248 { code = UInt8(byte0) }
                length = byte1
            }
        }
        if code == 10 { code = 14 }
        let name: String
        switch code {
        case 1: name = "TINYINT"
        case 2: name = "SHORTINT"
        case 9: name = "MEDIUMINT"
        case 3: name = "INT"
        case 8: name = "LONGINT"
        case 246: name = "DECIMAL(\(metadata >> 8),\(metadata & 0xff))"
        case 4: name = "FLOAT"
        case 5: name = "DOUBLE"
        case 16: name = "BIT(\(Int(metadata >> 8) * 8 + Int(metadata & 0xff)))"
        case 7: name = "TIMESTAMP"
        case 17: name = "TIMESTAMP(\(metadata))"
        case 12: name = "DATETIME"
        case 18: name = "DATETIME(\(metadata))"
        case 11: name = "TIME"
        case 19: name = "TIME(\(metadata))"
        case 14: name = "DATE"
        case 13: name = "YEAR"
        case 247:
            guard metadata & 0xff == 1 || metadata & 0xff == 2 else { return nil }
            name = metadata & 0xff == 1 ? "ENUM(1 byte)" : "ENUM(2 bytes)"
        case 248: name = "SET(\(metadata & 0xff) bytes)"
        // Compressed columns (140, 141) print their stored bytes (header and deflate data), as
        // mariadb-binlog does, under their uncompressed type's name and " COMPRESSED".
        case 252, 140:
            let kind: String
            switch metadata {
            case 1: kind = "TINYBLOB/TINYTEXT"
            case 2: kind = "BLOB/TEXT"
            case 3: kind = "MEDIUMBLOB/MEDIUMTEXT"
            case 4: kind = "LONGBLOB/LONGTEXT"
            default: return nil
            }
            name = code == 140 ? kind + " COMPRESSED" : kind
        case 15, 253: name = "VARSTRING(\(metadata))"
        case 141: name = "VARSTRING(\(metadata)) COMPRESSED"
        case 254: name = "STRING(\(length))"
        case 255: name = "GEOMETRY"
        default: return nil
        }
        return (name, code)
    }

    /// Appends one value (`NULL` when `bytes` is nil) and sets its `-vv` type name; returns the
    /// bytes it takes (1 for NULL), or `nil` for a type mariadb-binlog cannot print.
    static func appendValue(_ bytes: ArraySlice<UInt8>?, type: ColumnType, metadata: UInt16, to out: inout [UInt8]) -> Int? {
        guard let code = printedCode(type, metadata: metadata) else {
            if type.rawValue == 247 { out.append(contentsOf: Array("!! Unknown ENUM packlen=\(metadata & 0xff)".utf8)) }
            return nil
        }
        guard let bytes else {
            out.append("NULL")
            return 1
        }
        guard let size = RowImageLayout.fieldSize(type: type, metadata: metadata, bytes: bytes, at: bytes.startIndex),
              size <= bytes.count else { return nil }
        let field = bytes.prefix(size)
        func text(_ string: String) { out.append(contentsOf: Array(string.utf8)) }
        switch RowDecoder.value(field, type: type, metadata: metadata, unsigned: false) {
        case .int(let value):
            // Negative numbers are followed by their unsigned reading: -1 (255).
            let width = code == 1 ? 1 : code == 2 ? 2 : code == 9 ? 3 : code == 3 ? 4 : 8
            let mask: UInt64 = width == 8 ? .max : (1 << UInt64(8 * width)) - 1
            out.append(number: value)
            if value < 0 {
                out.append(" (")
                out.append(decimal: UInt64(bitPattern: value) & mask)
                out.append(UInt8(ascii: ")"))
            }
        case .uint(let value):
            text("\(value)")
        case .float(let value):
            text(TextFormatting.cFormat("%-20g", Double(value)))
        case .double(let value):
            text(TextFormatting.cFormat("%-.20g", value))
        case .decimal(let value):
            guard !value.isEmpty else { return nil }
            text(value)
        case .bit(let value, let bits):
            appendBits(value, bits: bits, to: &out)
        case .set:
            // Bit strings of the bytes in storage order, each most significant bit first.
            for (index, byte) in field.enumerated() {
                if index == 0 { out += [UInt8(ascii: "b"), 0x27] }
                for bit in 0..<8 { out.append(byte & (0x80 >> UInt8(bit)) != 0 ? UInt8(ascii: "1") : UInt8(ascii: "0")) }
            }
            out.append(0x27)
        case .timestamp(let seconds, let micro, let decimals):
            if code == 7 {
                text("\(Int32(truncatingIfNeeded: seconds))")
            } else {
                text("\(seconds)" + fraction(micro, decimals: decimals))
            }
        case .datetime(let year, let month, let day, let hour, let minute, let second, let micro, let decimals):
            appendQuoted(Array((four(year) + "-\(two(month))-\(two(day)) \(two(hour)):\(two(minute)):\(two(second))"
                                + fraction(micro, decimals: decimals)).utf8)[...], to: &out)
        case .time(let negative, let hours, let minutes, let seconds, let micro, let decimals):
            appendQuoted(Array(((negative ? "-" : "") + "\(two(hours)):\(two(minutes)):\(two(seconds))"
                                + fraction(micro, decimals: decimals)).utf8)[...], to: &out)
        case .date(let year, let month, let day):
            // mariadb-binlog writes dates with colons.
            text("'" + four(year) + ":\(two(month)):\(two(day))'")
        case .year:
            // The stored byte plus 1900, whatever it is (0 prints as 1900).
            text(four(Int(field[field.startIndex]) + 1900))
        case .enumIndex(let index):
            text("\(index)")
        case .string(let value), .json(let value), .jsonDiff(let value), .geometry(let value), .vector(let value), .compressed(let value):
            appendQuoted(value, to: &out)
        case .null:
            out.append("NULL")
        }
        return size
    }
}
