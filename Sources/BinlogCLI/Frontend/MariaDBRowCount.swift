// How mariadb-binlog measures row values when it counts rows for `# Number of rows`, quirks kept.
import MySQLBinlog

/// mariadb-binlog's row counter. It is not the server's rule (``RowImageLayout/fieldSize``):
/// it does not know some types and stops counting at them, and byte-identical output needs the
/// same count.
enum MariaDBRowCount {
    /// The bytes mariadb-binlog's row counter (`calc_field_event_length`) advances past a value,
    /// quirks included: JSON, GEOMETRY and VECTOR are unknown to it, so counting stops at them. `nil` means unknown or cut off.
    static func valueLength(type: ColumnType, metadata: UInt16, bytes: ArraySlice<UInt8>, at index: Int) -> Int? {
        var type = type
        var length = Int(metadata)
        if type == .string {
            if metadata >= 256 {
                let byte0 = Int(metadata >> 8)
                let byte1 = Int(metadata & 0xff)
                if byte0 & 0x30 != 0x30 {
                    // A CHAR longer than 255 bytes keeps two bits of its length in the type byte.
                    length = byte1 | (((byte0 & 0x30) ^ 0x30) << 4)
                    type = ColumnType(rawValue: UInt8(byte0 | 0x30))
                } else if byte0 == 247 || byte0 == 248 {
                    // ENUM and SET travel as STRING with the real type in the metadata.
                    return byte1
                } else {
                    length = Int(metadata & 0xff)
                }
            }
        }
        func littleEndian(_ count: Int) -> Int? {
            guard index >= bytes.startIndex, index + count <= bytes.endIndex else { return nil }
            var value = 0
            for i in 0..<count { value |= Int(bytes[index + i]) << (8 * i) }
            return value
        }
        switch type.rawValue {
        case 3, 7: return 4 // LONG, TIMESTAMP
        case 1, 13: return 1 // TINY, YEAR
        case 2: return 2
        case 9, 11, 14, 10: return 3 // INT24, TIME, NEWDATE, DATE
        case 8, 12: return 8 // LONGLONG, DATETIME
        case 246: return RowImageLayout.decimalBinarySize(precision: Int(metadata >> 8), scale: Int(metadata & 0xff))
        case 4: return 4
        case 5: return 8
        case 16:
            let bits = Int(metadata >> 8) * 8 + Int(metadata & 0xff)
            return (bits + 7) / 8
        case 17: return 4 + (Int(metadata) + 1) / 2
        case 18: return 5 + (Int(metadata) + 1) / 2
        case 19: return 3 + (Int(metadata) + 1) / 2
        case 247:
            let packLength = Int(metadata & 0xff)
            return packLength == 1 || packLength == 2 ? packLength : nil
        case 248: return Int(metadata & 0xff)
        case 252:
            let packLength = Int(metadata)
            guard (1...4).contains(packLength), let value = littleEndian(packLength) else { return nil }
            return value + packLength
        case 15, 253:
            length = Int(metadata)
            fallthrough
        case 254:
            if length < 256 {
                guard let value = littleEndian(1) else { return nil }
                return value + 1
            }
            guard let value = littleEndian(2) else { return nil }
            return value + 2
        default:
            return nil
        }
    }

    /// The rows of `rows`, for a table of these column `types` and `metadata`: each row (each
    /// before/after pair of an update) counts once, and counting stops at the first value the
    /// counter cannot measure, as mariadb-binlog's does.
    static func rows(in rows: RowsEvent, types: [ColumnType], metadata: [UInt16]) -> Int {
        let images = rows.kind == .update || rows.kind == .partialUpdate ? 2 : 1
        var count = 0
        let data = rows.rows
        let before = rows.columnsPresent
        let after = rows.columnsPresentAfter ?? before
        var index = data.startIndex
        rowLoop: while index < data.endIndex {
            let rowStart = index
            count += 1
            for image in 0..<images {
                guard let length = imageLength(data, at: index, types: types, metadata: metadata, columns: rows.columnCount,
                                               present: image == 0 ? before : after) else { break rowLoop }
                index += length
            }
            // A row of no bytes: the next would be the same one (mariadb-binlog stops there too).
            if index == rowStart { break }
        }
        return count
    }

    private static func imageLength(_ data: ArraySlice<UInt8>, at start: Int, types: [ColumnType], metadata: [UInt16],
                                    columns: Int, present: ArraySlice<UInt8>) -> Int? {
        @inline(__always) func isPresent(_ column: Int) -> Bool {
            column / 8 < present.count && present[present.startIndex + column / 8] & (1 << (column % 8)) != 0
        }
        let columnCount = min(columns, types.count)
        var presentCount = 0
        for column in 0..<columns where isPresent(column) { presentCount += 1 }
        let nullBytes = (presentCount + 7) / 8
        guard start + nullBytes <= data.endIndex else { return nil }
        var index = start + nullBytes
        var nullIndex = 0
        for column in 0..<columnCount {
            guard isPresent(column) else { continue }
            let isNull = data[start + nullIndex / 8] & (1 << (nullIndex % 8)) != 0
            if !isNull {
                let type = types[column]
                let meta = metadata[column]
                // The server's size bounds the read; the counter's own measure advances.
                guard let declared = RowImageLayout.fieldSize(type: type, metadata: meta, bytes: data, at: index),
                      index + declared <= data.endIndex else { return nil }
                guard let size = valueLength(type: type, metadata: meta, bytes: data, at: index), size > 0 else { return nil }
                index += size
                if index > data.endIndex { return nil }
            }
            nullIndex += 1
        }
        return index - start
    }
}
