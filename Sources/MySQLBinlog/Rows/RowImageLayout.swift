// How many bytes each column value of a row image takes, from the Table_map's types and metadata.

/// Measures values in row images without decoding them.
public enum RowImageLayout {
    /// Bytes of a packed decimal with `precision` digits, `scale` of them after the point.
    public static func decimalBinarySize(precision: Int, scale: Int) -> Int {
        let digitBytes = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4]
        guard precision >= scale, scale >= 0, precision <= 90 else { return 0 }
        let integral = precision - scale
        return integral / 9 * 4 + digitBytes[integral % 9] + scale / 9 * 4 + digitBytes[scale % 9]
    }

    /// The size of a value as the server's `table_def::calc_field_size` computes it (ENUM and
    /// SET inside STRING metadata by their pack length), or `nil` when unknown or cut off.
    public static func fieldSize(type: ColumnType, metadata: UInt16, bytes: ArraySlice<UInt8>, at index: Int) -> Int? {
        func littleEndian(_ count: Int) -> Int? {
            guard index >= bytes.startIndex, index + count <= bytes.endIndex else { return nil }
            var value = 0
            for i in 0..<count { value |= Int(bytes[index + i]) << (8 * i) }
            return value
        }
        switch type.rawValue {
        case 246: return decimalBinarySize(precision: Int(metadata >> 8), scale: Int(metadata & 0xff))
        case 0, 4, 5: return Int(metadata)
        case 247, 248, 254:
            let realType = metadata >> 8
            if realType == 247 || realType == 248 { return Int(metadata & 0xff) }
            let length = ((Int(metadata >> 4) & 0x300) ^ 0x300) + Int(metadata & 0xff)
            if length > 255 {
                guard let value = littleEndian(2) else { return nil }
                return value + 2
            }
            guard let value = littleEndian(1) else { return nil }
            return value + 1
        case 13, 1: return 1
        case 2: return 2
        case 9: return 3
        case 3: return 4
        case 8: return 8
        case 6: return 0
        case 14, 10, 11: return 3
        case 19: return 3 + (Int(metadata) + 1) / 2
        case 7: return 4
        case 17: return 4 + (Int(metadata) + 1) / 2
        case 12: return 8
        case 18: return 5 + (Int(metadata) + 1) / 2
        case 16:
            return Int(metadata >> 8) + (metadata & 0xff > 0 ? 1 : 0)
        case 15:
            let prefix = metadata > 255 ? 2 : 1
            guard let value = littleEndian(prefix) else { return nil }
            return value + prefix
        case 249, 250, 251, 252, 255, 245, 242:
            let packLength = Int(metadata)
            guard (1...4).contains(packLength), let value = littleEndian(packLength) else { return nil }
            return value + packLength
        default:
            return nil
        }
    }

    /// The bytes mariadb-binlog's row counter (`calc_field_event_length`) advances past a value,
    /// quirks included: JSON, GEOMETRY and VECTOR are unknown to it, so counting stops at them. `nil` means unknown or cut off.
    public static func valueLength(type: ColumnType, metadata: UInt16, bytes: ArraySlice<UInt8>, at index: Int) -> Int? {
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
        case 246: return decimalBinarySize(precision: Int(metadata >> 8), scale: Int(metadata & 0xff))
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
}
