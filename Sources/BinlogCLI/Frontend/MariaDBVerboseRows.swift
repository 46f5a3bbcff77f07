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

    /// Appends the blocks for every row of `rows`; returns the number of rows begun (each
    /// before/after pair of an update counts once), which `# Number of rows` reports.
    func append(_ rows: RowsEvent, table: Table?, to out: inout [UInt8]) -> Int {
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
                guard let length = appendImage(data, at: index, present: present, columns: rows.columnCount, table: table,
                                               clause: clause, isAfterImage: image == 1, to: &out) else { return count }
                index += length
            }
            // A row of no bytes: the next would be the same one (mariadb-binlog stops there too).
            if index == rowStart { return count }
        }
        return count
    }

    /// One row image; `nil` when it is damaged (the rest of the event is not printed).
    private func appendImage(_ data: ArraySlice<UInt8>, at start: Int, present: ArraySlice<UInt8>, columns: Int, table: Table,
                             clause: StaticString, isAfterImage: Bool, to out: inout [UInt8]) -> Int? {
        func isPresent(_ column: Int) -> Bool {
            column < columns && column / 8 < present.count && present[present.startIndex + column / 8] & (1 << (column % 8)) != 0
        }
        var presentCount = 0
        for column in 0..<columns where isPresent(column) { presentCount += 1 }
        if isAfterImage && presentCount == 0 {
            out.append("### SET /* no columns */\n")
        } else {
            out.append(clause)
        }
        let nullBytes = (presentCount + 7) / 8
        guard start + nullBytes <= data.endIndex else { return nil }
        var index = start + nullBytes
        var nullIndex = 0
        for column in 0..<table.types.count where isPresent(column) {
            let isNull = data[start + nullIndex / 8] & (1 << (nullIndex % 8)) != 0
            out.append("###   @")
            out.append(decimal: UInt64(column + 1))
            out.append(UInt8(ascii: "="))
            let type = table.types[column]
            let metadata = table.metadata[column]
            if !isNull {
                guard let size = RowImageLayout.fieldSize(type: type, metadata: metadata, bytes: data, at: index),
                      index + size <= data.endIndex else {
                    out.append("***Corrupted replication event was detected. Not printing the value***\n")
                    return nil
                }
            }
            guard let size = MariaDBVerboseRows.appendValue(isNull ? nil : data[index...], type: type, metadata: metadata,
                                                            to: &out) else { return nil }
            if !isNull { index += size }
            if verbosity > 1 {
                out.append(" /* ")
                out.append(MariaDBVerboseRows.typeName(type, metadata: metadata)?.name ?? "")
                out.append(" meta=")
                out.append(decimal: UInt64(metadata))
                out.append(" nullable=")
                out.append(table.nullable.indices.contains(column) && table.nullable[column] ? UInt8(ascii: "1") : UInt8(ascii: "0"))
                out.append(" is_null=")
                out.append(isNull ? UInt8(ascii: "1") : UInt8(ascii: "0"))
                out.append(" */")
            }
            out.append(10)
            nullIndex += 1
        }
        return index - start
    }

    // MARK: Values

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
        case 252: return (1...4).contains(metadata) ? code : nil
        case 1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 246, 248, 253, 254, 255: return code
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
        case 252:
            switch metadata {
            case 1: name = "TINYBLOB/TINYTEXT"
            case 2: name = "BLOB/TEXT"
            case 3: name = "MEDIUMBLOB/MEDIUMTEXT"
            case 4: name = "LONGBLOB/LONGTEXT"
            default: return nil
            }
        case 15, 253: name = "VARSTRING(\(metadata))"
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
        case .string(let value), .json(let value), .jsonDiff(let value), .geometry(let value), .vector(let value):
            appendQuoted(value, to: &out)
        case .null:
            out.append("NULL")
        }
        return size
    }
}
