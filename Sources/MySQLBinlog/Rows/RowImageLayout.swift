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
        case 0: return Int(metadata)
        // The server's metadata for FLOAT and DOUBLE is their pack length, 4 and 8: anything else
        // is a damaged Table_map, and the value cannot be read from another size.
        case 4: return metadata == 4 ? 4 : nil
        case 5: return metadata == 8 ? 8 : nil
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
        case 15, 141:
            let prefix = metadata > 255 ? 2 : 1
            guard let value = littleEndian(prefix) else { return nil }
            return value + prefix
        case 249, 250, 251, 252, 255, 245, 242, 140:
            let packLength = Int(metadata)
            guard (1...4).contains(packLength), let value = littleEndian(packLength) else { return nil }
            return value + packLength
        default:
            return nil
        }
    }

    /// The bytes before the null bitmap of an `Update_rows_partial` after image, and whether
    /// JSON columns may hold changes: `value_options` (`int<lenenc>`, bit 1
    /// `PARTIAL_JSON_UPDATES`), then, when that bit is set, a bitmap with one bit per JSON
    /// column of the table (present in the image or not). Nil when the bytes end first.
    public static func partialUpdatePrefix(available: Int, jsonColumns: Int, byteAt: (Int) -> UInt8) -> (size: Int, partialJSON: Bool)? {
        guard available > 0 else { return nil }
        let first = byteAt(0)
        let width: Int
        switch first {
        case 0..<251: width = 0
        case 252: width = 2
        case 253: width = 3
        case 254: width = 8
        default: return nil
        }
        guard 1 + width <= available else { return nil }
        let options = width == 0 ? UInt64(first) : (0..<width).reduce(UInt64(0)) { $0 | UInt64(byteAt(1 + $1)) << UInt64(8 * $1) }
        let partialJSON = options & 1 != 0
        let size = 1 + width + (partialJSON ? (jsonColumns + 7) / 8 : 0)
        guard size <= available else { return nil }
        return (size, partialJSON)
    }
}
