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
            out.append(contentsOf: TextFormatting.backtickQuoted(table.database.bytes))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: TextFormatting.backtickQuoted(table.table.bytes))
            out.append(" VALUES ()\n")
            return 1
        }
        var count = 0
        var index = data.startIndex
        while index < data.endIndex {
            count += 1
            out.append("### ")
            out.append(command)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: TextFormatting.backtickQuoted(table.database.bytes))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: TextFormatting.backtickQuoted(table.table.bytes))
            out.append(10)
            for (image, clause) in clauses.enumerated() {
                let present = image == 0 ? rows.columnsPresent : (rows.columnsPresentAfter ?? rows.columnsPresent)
                guard let length = appendImage(data, at: index, present: present, columns: rows.columnCount, table: table,
                                               clause: clause, isAfterImage: image == 1, to: &out) else { return count }
                index += length
            }
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
            var typeName: [UInt8] = []
            guard let size = MariaDBVerboseRows.appendValue(isNull ? nil : data[index...], type: type, metadata: metadata,
                                                            typeName: &typeName, to: &out) else { return nil }
            if !isNull { index += size }
            if verbosity > 1 {
                out.append(" /* ")
                out.append(contentsOf: typeName)
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

    private static func littleEndian(_ bytes: ArraySlice<UInt8>, _ count: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<count { value |= UInt64(bytes[bytes.startIndex + i]) << (8 * UInt64(i)) }
        return value
    }

    private static func bigEndian(_ bytes: ArraySlice<UInt8>, _ count: Int, from offset: Int = 0) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<count { value = value << 8 | UInt64(bytes[bytes.startIndex + offset + i]) }
        return value
    }

    private static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(contentsOf: Array(text.utf8))
    }

    /// `'…'` with bytes below 0x20 as `\xNN` and everything else raw (`my_b_write_quoted`).
    private static func appendQuoted(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(0x27)
        for byte in bytes {
            if byte > 0x1f {
                out.append(byte)
            } else {
                out += [0x5c, UInt8(ascii: "x"), digits[Int(byte >> 4)], digits[Int(byte & 0xf)]]
            }
        }
        out.append(0x27)
    }

    /// `b'0101…'`: `bits` bits of `bytes`, most significant first, the unused high bits of the
    /// first byte skipped (`my_b_write_bit`).
    private static func appendBits(_ bytes: ArraySlice<UInt8>, bits: Int, to out: inout [UInt8]) {
        out += [UInt8(ascii: "b"), 0x27]
        let skip = bytes.count * 8 - bits
        for bit in skip..<(bytes.count * 8) {
            let byte = bytes[bytes.startIndex + bit / 8]
            out.append(byte & (0x80 >> UInt8(bit % 8)) != 0 ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        }
        out.append(0x27)
    }

    /// Two digits.
    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `.` and `decimals` digits of `microseconds` (nothing for 0 decimals).
    private static func fraction(_ microseconds: Int, decimals: Int) -> String {
        guard decimals > 0 else { return "" }
        var value = microseconds
        for _ in decimals..<6 { value /= 10 }
        let digits = String(value)
        return "." + String(repeating: "0", count: max(0, decimals - digits.count)) + digits
    }

    /// The fractional seconds stored after a TIME2/DATETIME2/TIMESTAMP2 value, in microseconds.
    private static func storedFraction(_ bytes: ArraySlice<UInt8>, at offset: Int, decimals: Int) -> Int {
        switch decimals {
        case 1, 2: return Int(bigEndian(bytes, 1, from: offset)) * 10_000
        case 3, 4: return Int(bigEndian(bytes, 2, from: offset)) * 100
        case 5, 6: return Int(bigEndian(bytes, 3, from: offset))
        default: return 0
        }
    }

    /// Appends one value (`NULL` when `bytes` is nil) and sets its `-vv` type name; returns the
    /// bytes it takes (1 for NULL), or `nil` for a type mariadb-binlog cannot print.
    static func appendValue(_ bytes: ArraySlice<UInt8>?, type: ColumnType, metadata: UInt16, typeName: inout [UInt8],
                            to out: inout [UInt8]) -> Int? {
        var type = type.rawValue
        var length = Int(metadata)
        if type == ColumnType.string.rawValue && metadata >= 256 {
            let byte0 = Int(metadata >> 8)
            let byte1 = Int(metadata & 0xff)
            if byte0 & 0x30 != 0x30 {
                // A CHAR longer than 255 bytes keeps two bits of its length in the type byte.
                length = byte1 | (((byte0 & 0x30) ^ 0x30) << 4)
                type = UInt8(byte0 | 0x30)
            } else {
                switch byte0 {
                case 247, 248: type = UInt8(byte0)
                default: break
                }
                length = byte1
            }
        }
        if type == 10 { type = 14 }
        func name(_ text: String) { typeName = Array(text.utf8) }
        func value(_ text: String) { if bytes != nil { appendString(text, to: &out) } }
        switch type {
        case 1, 2, 9, 3:
            let width = type == 1 ? 1 : type == 2 ? 2 : type == 9 ? 3 : 4
            name(type == 1 ? "TINYINT" : type == 2 ? "SHORTINT" : type == 9 ? "MEDIUMINT" : "INT")
            guard let bytes else { break }
            let unsigned = littleEndian(bytes, width)
            let signed = Int64(bitPattern: unsigned << (64 - 8 * UInt64(width))) >> (64 - 8 * Int64(width))
            value(signed < 0 ? "\(signed) (\(unsigned))" : "\(signed)")
            return width
        case 8:
            name("LONGINT")
            guard let bytes else { break }
            let unsigned = littleEndian(bytes, 8)
            let signed = Int64(bitPattern: unsigned)
            value(signed < 0 ? "\(signed) (\(unsigned))" : "\(signed)")
            return 8
        case 246:
            let precision = Int(metadata >> 8)
            let scale = Int(metadata & 0xff)
            name("DECIMAL(\(precision),\(scale))")
            guard let bytes else { break }
            let size = BinaryDecimal.size(precision: precision, scale: scale)
            guard size <= bytes.count, let text = BinaryDecimal.string(precision: precision, scale: scale, bytes: Array(bytes.prefix(size))) else { return nil }
            value(text)
            return size
        case 4:
            name("FLOAT")
            guard let bytes else { break }
            value(TextFormatting.cFormat("%-20g", Double(Float(bitPattern: UInt32(littleEndian(bytes, 4))))))
            return 4
        case 5:
            name("DOUBLE")
            guard let bytes else { break }
            value(TextFormatting.cFormat("%-.20g", Double(bitPattern: littleEndian(bytes, 8))))
            return 8
        case 16:
            let bits = Int(metadata >> 8) * 8 + Int(metadata & 0xff)
            name("BIT(\(bits))")
            guard let bytes else { break }
            let size = (bits + 7) / 8
            appendBits(bytes.prefix(size), bits: bits, to: &out)
            return size
        case 7:
            name("TIMESTAMP")
            guard let bytes else { break }
            value("\(Int32(bitPattern: UInt32(littleEndian(bytes, 4))))")
            return 4
        case 17:
            let decimals = Int(metadata)
            name("TIMESTAMP(\(decimals))")
            guard let bytes else { break }
            let seconds = bigEndian(bytes, 4)
            value("\(seconds)" + fraction(storedFraction(bytes, at: 4, decimals: decimals), decimals: decimals))
            return 4 + (decimals + 1) / 2
        case 12:
            name("DATETIME")
            guard let bytes else { break }
            let packed = littleEndian(bytes, 8)
            let date = Int(packed / 1_000_000)
            let time = Int(packed % 1_000_000)
            let text = "'" + String(repeating: "0", count: max(0, 4 - String(date / 10000).count)) + "\(date / 10000)-\(two(date / 100 % 100))-\(two(date % 100)) "
                + "\(two(time / 10000)):\(two(time / 100 % 100)):\(two(time % 100))'"
            value(text)
            return 8
        case 18:
            let decimals = Int(metadata)
            name("DATETIME(\(decimals))")
            guard let bytes else { break }
            // 1 bit sign (always 1), 17 bits year*13+month, 5 day, 5 hour, 6 minute, 6 second.
            let packed = bigEndian(bytes, 5) &- 0x80_0000_0000
            let yearMonth = Int(packed >> 22 & 0x1ffff)
            let year = yearMonth / 13
            let month = yearMonth % 13
            let day = Int(packed >> 17 & 0x1f)
            let hour = Int(packed >> 12 & 0x1f)
            let minute = Int(packed >> 6 & 0x3f)
            let second = Int(packed & 0x3f)
            let yearText = String(year)
            let text = String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-\(two(month))-\(two(day)) \(two(hour)):\(two(minute)):\(two(second))"
                + fraction(storedFraction(bytes, at: 5, decimals: decimals), decimals: decimals)
            appendQuoted(ArraySlice(Array(text.utf8)), to: &out)
            return 5 + (decimals + 1) / 2
        case 11:
            name("TIME")
            guard let bytes else { break }
            let raw = Int32(bitPattern: UInt32(littleEndian(bytes, 3)) << 8) >> 8
            let magnitude = Int(raw.magnitude)
            value("'" + (raw < 0 ? "-" : "") + "\(two(magnitude / 10000)):\(two(magnitude / 100 % 100)):\(two(magnitude % 100))'")
            return 3
        case 19:
            let decimals = Int(metadata)
            name("TIME(\(decimals))")
            guard let bytes else { break }
            let size = 3 + (decimals + 1) / 2
            // Stored as an offset integer: 1 sign bit, 1 unused, 10 bits hour, 6 minute, 6 second,
            // then the fraction; negative values are the two's complement of the whole.
            var packed = Int64(bigEndian(bytes, size)) - (Int64(0x80_0000) << (8 * Int64(size - 3)))
            let negative = packed < 0
            if negative { packed = -packed }
            let fractionBits = 8 * Int64(size - 3)
            let whole = packed >> fractionBits
            var micro = Int(packed & ((1 << fractionBits) - 1))
            switch decimals {
            case 1, 2: micro *= 10_000
            case 3, 4: micro *= 100
            default: break
            }
            let hour = Int(whole >> 12 & 0x3ff)
            let minute = Int(whole >> 6 & 0x3f)
            let second = Int(whole & 0x3f)
            let text = (negative ? "-" : "") + "\(two(hour)):\(two(minute)):\(two(second))" + fraction(micro, decimals: decimals)
            appendQuoted(ArraySlice(Array(text.utf8)), to: &out)
            return size
        case 14:
            name("DATE")
            guard let bytes else { break }
            let packed = Int(littleEndian(bytes, 3))
            let yearText = String(packed >> 9)
            value("'" + String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + ":\(two(packed >> 5 & 15)):\(two(packed & 31))'")
            return 3
        case 13:
            name("YEAR")
            guard let bytes else { break }
            let year = Int(bytes[bytes.startIndex]) + 1900
            let text = String(year)
            value(String(repeating: "0", count: max(0, 4 - text.count)) + text)
            return 1
        case 247:
            let packLength = Int(metadata & 0xff)
            guard packLength == 1 || packLength == 2 else {
                appendString("!! Unknown ENUM packlen=\(packLength)", to: &out)
                return nil
            }
            name(packLength == 1 ? "ENUM(1 byte)" : "ENUM(2 bytes)")
            guard let bytes else { break }
            value("\(littleEndian(bytes, packLength))")
            return packLength
        case 248:
            let count = Int(metadata & 0xff)
            name("SET(\(count) bytes)")
            guard let bytes else { break }
            appendBits(bytes.prefix(count), bits: count * 8, to: &out)
            return count
        case 252:
            let packLength = Int(metadata)
            switch packLength {
            case 1: name("TINYBLOB/TINYTEXT")
            case 2: name("BLOB/TEXT")
            case 3: name("MEDIUMBLOB/MEDIUMTEXT")
            case 4: name("LONGBLOB/LONGTEXT")
            default: name("BLOB")
            }
            guard let bytes else { break }
            guard (1...4).contains(packLength) else { return nil }
            let count = Int(littleEndian(bytes, packLength))
            appendQuoted(bytes.dropFirst(packLength).prefix(count), to: &out)
            return packLength + count
        case 15, 253:
            name("VARSTRING(\(metadata))")
            guard let bytes else { break }
            let prefix = metadata < 256 ? 1 : 2
            let count = Int(littleEndian(bytes, prefix))
            appendQuoted(bytes.dropFirst(prefix).prefix(count), to: &out)
            return prefix + count
        case 254:
            name("STRING(\(length))")
            guard let bytes else { break }
            let prefix = length < 256 ? 1 : 2
            let count = Int(littleEndian(bytes, prefix))
            appendQuoted(bytes.dropFirst(prefix).prefix(count), to: &out)
            return prefix + count
        case 255:
            name("GEOMETRY")
            guard let bytes else { break }
            let packLength = Int(metadata)
            guard (1...4).contains(packLength) else { return nil }
            let count = Int(littleEndian(bytes, packLength))
            appendQuoted(bytes.dropFirst(packLength).prefix(count), to: &out)
            return packLength + count
        default:
            return nil
        }
        // NULL: the type name is known, the value is the word.
        out.append("NULL")
        return 1
    }
}
