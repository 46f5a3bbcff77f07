// `--print-table-metadata` for MySQL-written files: the column list mysqlbinlog 8.4 prints under a Table_map.
import MySQLBinlog

/// The `# Columns(…)` and `# Primary Key(…)` lines as mysqlbinlog 8.4 writes them
/// (`Table_map_log_event::print_columns` and `print_primary_key`). Where mariadb-binlog's differ:
/// the generated invisible primary key (`my_row_id`, flag 4 of the Table_map) is described even
/// without metadata; a SIGNEDNESS bit belongs to YEAR too (printed never, but it is consumed);
/// COLUMN_VISIBILITY prints INVISIBLE; ENUM and SET members are separated by `, ` and their
/// character set is printed even when binary; JSON has a name; the old TIMESTAMP, DATETIME and
/// TIME types are `INVALID_TYPE(n)` with no separator after them (mysqlbinlog `continue`s past it).
enum MySQLTableMetadata {
    static func maximumBytesPerCharacter(_ charset: String) -> Int {
        charset == "utf8" ? 3 : MariaDBTableMetadata.maximumBytesPerCharacter(charset)
    }

    static func lines(_ map: TableMapEvent) -> [UInt8] {
        let optional = TableMapOptionalMetadata(map)
        let types = map.columnTypes
        let metadata = map.columnMetadata
        let invisiblePrimaryKey = map.flags & (1 << 2) != 0
        var signedness = optional.signednessBits.map { $0[...] }
        var visibility = optional.visibilityBits.map { $0[...] }
        var out: [UInt8] = Array("# Columns(".utf8)
        func add(_ string: String) { out += Array(string.utf8) }
        for column in types.indices {
            let meta = metadata[column]
            var code = types[column].rawValue
            if code == 254 && meta >= 256 {
                let high = UInt8(meta >> 8)
                if high == 247 || high == 248 { code = high }
            }
            let collationID = optional.collations?[column]
            let charset = collationID.flatMap { MySQLCollations.byID[$0] }
            let isBinary = collationID == 63
            let textual = charset != nil && !isBinary
            if let names = optional.columnNameBytes {
                out += TextFormatting.prettyQuoted(names[column], quote: 0x60)
                add(" ")
            } else if column == 0 && invisiblePrimaryKey {
                add("`my_row_id` ")
            }
            var name: String?
            switch code {
            case 3: name = "INT"
            case 244: name = "BOOLEAN"
            case 1: name = "TINYINT"
            case 2: name = "SMALLINT"
            case 9: name = "MEDIUMINT"
            case 8: name = "BIGINT"
            case 246: name = "DECIMAL(\(meta >> 8),\(meta & 0xff))"
            case 4: name = "FLOAT"
            case 5: name = "DOUBLE"
            case 16: name = "BIT(\(Int(meta >> 8) * 8 + Int(meta & 0xff)))"
            case 17: name = meta != 0 ? "TIMESTAMP(\(meta))" : "TIMESTAMP"
            case 18: name = meta != 0 ? "DATETIME(\(meta))" : "DATETIME"
            case 19: name = meta != 0 ? "TIME(\(meta))" : "TIME"
            case 10, 14: name = "DATE"
            case 13: name = "YEAR"
            case 247: name = "ENUM"
            case 248: name = "SET"
            case 252:
                let kinds = ["TINY", "", "MEDIUM", "LONG"]
                name = (1...4).contains(meta) ? kinds[Int(meta) - 1] + (textual ? "TEXT" : "BLOB")
                    : (textual ? "INVALID_TEXT(\(meta))" : "INVALID_BLOB(\(meta))")
            case 15, 253:
                if textual, let charset {
                    name = "VARCHAR(\(Int(meta) / maximumBytesPerCharacter(charset.charset)))"
                } else {
                    name = "VARBINARY(\(meta))"
                }
            case 254:
                let length = Int(meta & 0xff) | ((Int(meta >> 8) & 0x30) ^ 0x30) << 4
                if textual, let charset {
                    name = "CHAR(\(length / maximumBytesPerCharacter(charset.charset)))"
                } else {
                    name = "BINARY(\(length))"
                }
            case 245: name = "JSON"
            case 255:
                let names = ["GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMCOLLECTION"]
                let kind = optional.geometryTypes[column] ?? 0
                name = kind < UInt64(names.count) ? names[Int(kind)] : "INVALID_GEOMETRY_TYPE(\(kind))"
            default:
                name = nil
            }
            guard let name else {
                add("INVALID_TYPE(\(code))")
                continue
            }
            add(name)
            // SIGNEDNESS has a bit for each of these, YEAR included.
            if [1, 2, 9, 3, 8, 13, 4, 5, 0, 246].contains(code), let bit = signedness?.popFirst() {
                if bit && code != 13 { add(" UNSIGNED") }
            } else if column == 0 && invisiblePrimaryKey {
                add(" UNSIGNED")
            }
            if !map.isNullable(column) {
                add(" NOT NULL")
            } else if column == 0 && invisiblePrimaryKey {
                add(" NOT NULL")
            }
            if code == 247 || code == 248, let members = optional.enumOrSetValues[column] {
                for (index, member) in members.enumerated() {
                    add(index == 0 ? "(" : ", ")
                    out += TextFormatting.prettyQuoted(member)
                }
                if !members.isEmpty { add(")") }
            }
            if let charset, code == 247 || code == 248 || ([254, 15, 253, 252].contains(code) && !isBinary) {
                add(" CHARSET \(charset.charset) COLLATE \(charset.collation)")
            }
            if let visible = visibility?.popFirst() {
                if !visible { add(" INVISIBLE") }
            } else if column == 0 && invisiblePrimaryKey {
                add(" INVISIBLE")
            }
            if column == 0 && invisiblePrimaryKey { add(" AUTO_INCREMENT") }
            if column != types.count - 1 { add(",\n#         ") }
        }
        add(")\n")
        if invisiblePrimaryKey {
            add("# Primary Key(my_row_id)\n")
        } else if let key = optional.primaryKey, !key.isEmpty {
            add("# Primary Key(")
            for (index, part) in key.enumerated() {
                if index > 0 { add(", ") }
                if let names = optional.columnNameBytes, names.indices.contains(part.column) {
                    out += names[part.column]
                } else {
                    add("\(part.column)")
                }
                if part.prefix > 0 { add("(\(part.prefix))") }
            }
            add(")\n")
        }
        return out
    }
}
