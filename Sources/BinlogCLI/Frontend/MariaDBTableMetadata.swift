// `--print-table-metadata`: the column list mariadb-binlog prints under a Table_map.
import MySQLBinlog

/// The `# Columns(…)` and `# Primary Key(…)` lines, from the Table_map's types, metadata,
/// nullability and optional metadata (names, signedness, charsets, ENUM/SET members, geometry
/// types, primary key), as mariadb-binlog 10.11 writes them.
enum MariaDBTableMetadata {
    /// Bytes per character of a character set (what turns a VARCHAR's byte length into its length).
    static func maximumBytesPerCharacter(_ charset: String) -> Int {
        switch charset {
        case "utf8mb4", "utf16", "utf16le", "utf32", "gb18030": return 4
        case "utf8mb3", "ujis", "eucjpms": return 3
        case "ucs2", "big5", "sjis", "cp932", "gbk", "gb2312", "euckr": return 2
        default: return 1
        }
    }

    static func lines(_ map: TableMapEvent) -> [UInt8] {
        let optional = TableMapOptionalMetadata(map)
        let types = map.columnTypes
        let metadata = map.columnMetadata
        var columns: [[UInt8]] = []
        for column in types.indices {
            var text: [UInt8] = []
            if let names = optional.columnNameBytes {
                text += TextFormatting.prettyQuoted(names[column], quote: 0x60)
                text.append(UInt8(ascii: " "))
            }
            var code = types[column].rawValue
            let meta = metadata[column]
            if code == 254 && meta >= 256 {
                let high = UInt8(meta >> 8)
                if high == 247 || high == 248 { code = high }
            }
            let collation = optional.collations?[column].flatMap { MariaDBCollations.byID[$0] }
            let isBinary = optional.collations?[column] == 63
            let textual = collation != nil && !isBinary
            func add(_ string: String) { text += Array(string.utf8) }
            switch code {
            case 1: add("TINYINT")
            case 2: add("SMALLINT")
            case 9: add("MEDIUMINT")
            case 3: add("INT")
            case 8: add("BIGINT")
            case 246: add("DECIMAL(\(meta >> 8),\(meta & 0xff))")
            case 4: add("FLOAT")
            case 5: add("DOUBLE")
            case 16: add("BIT(\(Int(meta >> 8) * 8 + Int(meta & 0xff)))")
            case 7, 17: add(meta > 0 && code == 17 ? "TIMESTAMP(\(meta))" : "TIMESTAMP")
            case 12, 18: add(meta > 0 && code == 18 ? "DATETIME(\(meta))" : "DATETIME")
            case 11, 19: add(meta > 0 && code == 19 ? "TIME(\(meta))" : "TIME")
            case 10, 14: add("DATE")
            case 13: add("YEAR")
            case 247: add("ENUM")
            case 248: add("SET")
            case 252:
                let size = ["TINY", "", "MEDIUM", "LONG"][min(max(Int(meta), 1), 4) - 1]
                add(size + (textual ? "TEXT" : "BLOB"))
            case 15, 253:
                if textual, let collation {
                    add("VARCHAR(\(Int(meta) / maximumBytesPerCharacter(collation.charset)))")
                } else {
                    add("VARBINARY(\(meta))")
                }
            case 254:
                var length = Int(meta & 0xff)
                let high = Int(meta >> 8)
                if meta >= 256 && high & 0x30 != 0x30 { length |= ((high & 0x30) ^ 0x30) << 4 }
                if textual, let collation {
                    add("CHAR(\(length / maximumBytesPerCharacter(collation.charset)))")
                } else {
                    add("BINARY(\(length))")
                }
            case 255:
                let names = ["GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"]
                let kind = optional.geometryTypes[column] ?? 0
                add(kind < UInt64(names.count) ? names[Int(kind)] : "INVALID_GEOMETRY_TYPE(\(kind))")
            default:
                add("INVALID_TYPE(\(code))")
                columns.append(text)
                continue
            }
            if types[column].isNumeric, optional.unsigned?[column] == true { add(" UNSIGNED") }
            if !map.isNullable(column) { add(" NOT NULL") }
            if code == 247 || code == 248, let members = optional.enumOrSetValues[column] {
                text.append(UInt8(ascii: "("))
                for (index, member) in members.enumerated() {
                    if index > 0 { text.append(UInt8(ascii: ",")) }
                    text += TextFormatting.prettyQuoted(member)
                }
                text.append(UInt8(ascii: ")"))
            }
            if let collation, !isBinary, [247, 248, 252, 15, 253, 254].contains(code) {
                add(" CHARSET \(collation.charset) COLLATE \(collation.collation)")
            }
            columns.append(text)
        }
        var out: [UInt8] = Array("# Columns(".utf8)
        for (index, column) in columns.enumerated() {
            if index > 0 { out += Array(",\n#         ".utf8) }
            out += column
        }
        out += Array(")\n".utf8)
        if let key = optional.primaryKey {
            out += Array("# Primary Key(".utf8)
            for (index, part) in key.enumerated() {
                if index > 0 { out += Array(", ".utf8) }
                if let names = optional.columnNameBytes, names.indices.contains(part.column) {
                    out += names[part.column]
                } else {
                    out += Array("\(part.column)".utf8)
                }
                if part.prefix > 0 { out += Array("(\(part.prefix))".utf8) }
            }
            out += Array(")\n".utf8)
        }
        return out
    }
}
