// The row images of MySQL 5.1's pre-GA rows events (types 20–22, before 5.1.18).

/// How a pre-GA row image lays out its NULL flags. Such an image is the table's record as the
/// server held it (`pack_row_old`): first the record's null bytes, one bit for each nullable
/// column of the whole table, in column order, after a reserved first bit when the table has
/// fixed-length rows (MyISAM's deleted-row marker, always 1 in a live row); then each present
/// column packed as in later rows events — a NULL column too, holding its default value, which
/// is read past and not shown. An update has one columns bitmap for both images.
///
/// Whether the first bit is reserved is not in the binlog. The server reserves it when the
/// table has no variable-length column (VARCHAR, BLOB and TEXT, GEOMETRY make its rows
/// dynamic); a row whose first bit is 0 cannot have it reserved, so it is read without.
/// MyISAM's BIT columns keep their odd bits among the null bits: those tables are not supported.
public struct PreGARowLayout: Sendable, Equatable {
    /// The null bit of each column, nil for a NOT NULL column.
    public let nullBit: [Int?]
    public let nullBytes: Int
    private let unreserved: [Int?]
    private let unreservedBytes: Int
    public let reservesFirstBit: Bool

    public init(types: [ColumnType], nullable: [Bool]) {
        reservesFirstBit = !types.contains { [15, 252, 255].contains($0.rawValue) }
        func bits(from first: Int) -> ([Int?], Int) {
            var next = first
            var result: [Int?] = []
            for column in types.indices {
                if column < nullable.count && nullable[column] {
                    result.append(next)
                    next += 1
                } else {
                    result.append(nil)
                }
            }
            return (result, (next + 7) / 8)
        }
        (unreserved, unreservedBytes) = bits(from: 0)
        (nullBit, nullBytes) = reservesFirstBit ? bits(from: 1) : (unreserved, unreservedBytes)
    }

    /// The metadata to read a column with. The Table_maps of the servers that wrote pre-GA
    /// events carry none; CHAR and VARCHAR of up to 255 bytes (a one-byte length, as in the
    /// test files of that era) are assumed then.
    public static func metadata(type: ColumnType, metadata: UInt16) -> UInt16 {
        guard metadata == 0 else { return metadata }
        switch type.rawValue {
        case 254: return 0xfe00 | 255
        case 15, 253: return 255
        default: return metadata
        }
    }

    /// The null bits and byte count of the image whose first byte is `first`.
    public func layout(firstByte first: UInt8?) -> (nullBit: [Int?], nullBytes: Int) {
        if reservesFirstBit, let first, first & 1 == 0 { return (unreserved, unreservedBytes) }
        return (nullBit, nullBytes)
    }
}
