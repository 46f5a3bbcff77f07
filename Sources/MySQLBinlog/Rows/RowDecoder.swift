// Typed column values from row images, with a decoder prepared once per Table_map.

/// One column value of a row image.
///
/// Strings, blobs, JSON and geometry keep their bytes as stored (no charset conversion here);
/// integers are signed unless the table map's optional metadata says the column is unsigned.
public enum RowValue: Equatable, Sendable {
    case null
    case int(Int64)
    case uint(UInt64)
    case float(Float)
    case double(Double)
    /// NEWDECIMAL, exact, as text (`-12.50`).
    case decimal(String)
    /// BIT(n): the value and n.
    case bit(UInt64, width: Int)
    case year(Int)
    case date(year: Int, month: Int, day: Int)
    /// TIME / TIME2; hours may exceed 24 (up to 838).
    case time(negative: Bool, hours: Int, minutes: Int, seconds: Int, microseconds: Int, decimals: Int)
    case datetime(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, microseconds: Int, decimals: Int)
    /// TIMESTAMP / TIMESTAMP2: seconds since the epoch (UTC).
    case timestamp(seconds: Int64, microseconds: Int, decimals: Int)
    /// ENUM: the 1-based index of the member (0 for the empty error value).
    case enumIndex(Int)
    /// SET: bit k set when member k+1 is in the set.
    case set(UInt64)
    /// CHAR, VARCHAR, BINARY, VARBINARY, TEXT and BLOB bytes.
    case string(ArraySlice<UInt8>)
    /// MySQL's binary JSON (MariaDB stores JSON as text: ``string(_:)``).
    case json(ArraySlice<UInt8>)
    /// The changes a partial JSON update makes to the column (``MySQLJSON/diffs(_:)`` reads them),
    /// in the after image of an `Update_rows_partial` event.
    case jsonDiff(ArraySlice<UInt8>)
    /// SRID and WKB, as stored.
    case geometry(ArraySlice<UInt8>)
    /// MySQL 9 VECTOR: little-endian floats.
    case vector(ArraySlice<UInt8>)
    /// MariaDB's compressed columns (`BLOB`/`TEXT … COMPRESSED` 140, `VARCHAR … COMPRESSED` 141): the
    /// stored bytes, which ``MariaDBCompression/inflateColumn(_:maximumSize:)`` turns into the value.
    case compressed(ArraySlice<UInt8>)
}

/// Decodes the row images of one table, prepared once from its Table_map.
public struct RowDecoder: Sendable {
    public let types: [ColumnType]
    public let metadata: [UInt16]
    /// Column names, when the Table_map carries them (binlog_row_metadata=FULL).
    public let columnNames: [String]?
    /// Whether each column is unsigned, when the Table_map says (MINIMAL and FULL).
    public let unsigned: [Bool]
    /// The image layout of pre-GA rows events (types 20–22), from the columns' nullability.
    public let preGA: PreGARowLayout

    public init(_ map: TableMapEvent) {
        types = map.columnTypes
        metadata = map.columnMetadata
        let optional = TableMapOptionalMetadata(map)
        columnNames = optional.columnNames
        unsigned = optional.unsigned ?? [Bool](repeating: false, count: map.columnCount)
        preGA = PreGARowLayout(types: types, nullable: (0..<map.columnCount).map(map.isNullable))
    }

    /// A decoder for columns of these types and metadata (as a Table_map gives them).
    public init(types: [ColumnType], metadata: [UInt16], columnNames: [String]? = nil, unsigned: [Bool]? = nil, nullable: [Bool]? = nil) {
        self.types = types
        self.metadata = metadata
        self.columnNames = columnNames
        self.unsigned = unsigned ?? [Bool](repeating: false, count: types.count)
        preGA = PreGARowLayout(types: types, nullable: nullable ?? [Bool](repeating: true, count: types.count))
    }

    /// One image of a pre-GA rows event (``PreGARowLayout``): the table's null bytes, then every
    /// present column packed, NULL ones included.
    public func decodePreGAImage(_ data: ArraySlice<UInt8>, at start: Int, present: ArraySlice<UInt8>,
                                 columns: Int) throws(BinlogDecodingError) -> (values: [(column: Int, value: RowValue)], length: Int) {
        func failure(_ reason: BinlogDecodingError.Reason, at offset: Int) -> BinlogDecodingError {
            BinlogDecodingError(reason, offset: UInt64(offset), field: "row image")
        }
        let (nullBit, nullBytes) = preGA.layout(firstByte: start < data.endIndex ? data[start] : nil)
        guard start + nullBytes <= data.endIndex else {
            throw failure(.truncated(needed: nullBytes, available: data.endIndex - start), at: start)
        }
        var values: [(column: Int, value: RowValue)] = []
        var index = start + nullBytes
        for column in 0..<min(columns, types.count)
        where column / 8 < present.count && present[present.startIndex + column / 8] & (1 << (column % 8)) != 0 {
            let meta = PreGARowLayout.metadata(type: types[column], metadata: metadata[column])
            guard let size = RowImageLayout.fieldSize(type: types[column], metadata: meta, bytes: data, at: index) else {
                throw failure(.invalidValue("column \(column + 1) (type \(types[column].rawValue), metadata \(metadata[column])): its size does not follow from the type and metadata, or runs past the row data"), at: index)
            }
            guard index + size <= data.endIndex else {
                throw failure(.truncated(needed: size, available: data.endIndex - index), at: index)
            }
            if let bit = nullBit[column], data[start + bit / 8] & (1 << (bit % 8)) != 0 {
                values.append((column, .null))
            } else {
                values.append((column, RowDecoder.value(data[index..<(index + size)], type: types[column], metadata: meta,
                                                        unsigned: unsigned.indices.contains(column) && unsigned[column])))
            }
            index += size
        }
        return (values, index - start)
    }

    /// The after image of an `Update_rows_partial` event: the prefix of
    /// ``RowImageLayout/partialUpdatePrefix(available:jsonColumns:byteAt:)``, then an image in
    /// which the JSON columns the prefix marks hold ``RowValue/jsonDiff(_:)`` changes.
    public func decodePartialImage(_ data: ArraySlice<UInt8>, at start: Int, present: ArraySlice<UInt8>,
                                   columns: Int) throws(BinlogDecodingError) -> (values: [(column: Int, value: RowValue)], length: Int) {
        let jsonColumns = types.reduce(0) { $0 + ($1 == .json ? 1 : 0) }
        guard let prefix = RowImageLayout.partialUpdatePrefix(available: data.endIndex - start, jsonColumns: jsonColumns,
                                                              byteAt: { data[start + $0] }) else {
            throw BinlogDecodingError(.invalidValue("the value options and partial-JSON bitmap of a partial update's after image are damaged or cut short"),
                                      offset: UInt64(start), field: "row image")
        }
        var image = try decodeImage(data, at: start + prefix.size, present: present, columns: columns)
        if prefix.partialJSON {
            // The bitmap has a bit for every JSON column, in column order, LSB first.
            var partial = Set<Int>()
            var bit = 0
            for (column, type) in types.enumerated() where type == .json {
                if data[start + prefix.size - (jsonColumns + 7) / 8 + bit / 8] & (1 << (bit % 8)) != 0 { partial.insert(column) }
                bit += 1
            }
            for index in image.values.indices where partial.contains(image.values[index].column) {
                if case .json(let bytes) = image.values[index].value { image.values[index].value = .jsonDiff(bytes) }
            }
        }
        return (image.values, prefix.size + image.length)
    }

    /// One row image: for each column present in `present` (a columns bitmap), its value.
    /// Returns the values (by column index) and the bytes the image takes.
    public func decodeImage(_ data: ArraySlice<UInt8>, at start: Int, present: ArraySlice<UInt8>,
                            columns: Int) throws(BinlogDecodingError) -> (values: [(column: Int, value: RowValue)], length: Int) {
        func failure(_ reason: BinlogDecodingError.Reason, at offset: Int) -> BinlogDecodingError {
            BinlogDecodingError(reason, offset: UInt64(offset), field: "row image")
        }
        func isPresent(_ column: Int) -> Bool {
            column / 8 < present.count && present[present.startIndex + column / 8] & (1 << (column % 8)) != 0
        }
        let count = min(columns, types.count)
        var presentCount = 0
        for column in 0..<columns where isPresent(column) { presentCount += 1 }
        let nullBytes = (presentCount + 7) / 8
        guard start + nullBytes <= data.endIndex else {
            throw failure(.truncated(needed: nullBytes, available: data.endIndex - start), at: start)
        }
        var values: [(column: Int, value: RowValue)] = []
        values.reserveCapacity(presentCount)
        var index = start + nullBytes
        var nullIndex = 0
        for column in 0..<count where isPresent(column) {
            defer { nullIndex += 1 }
            if data[start + nullIndex / 8] & (1 << (nullIndex % 8)) != 0 {
                values.append((column, .null))
                continue
            }
            guard let size = RowImageLayout.fieldSize(type: types[column], metadata: metadata[column], bytes: data, at: index) else {
                throw failure(.invalidValue("column \(column + 1) (type \(types[column].rawValue), metadata \(metadata[column])): its size does not follow from the type and metadata, or runs past the row data"), at: index)
            }
            guard index + size <= data.endIndex else {
                throw failure(.truncated(needed: size, available: data.endIndex - index), at: index)
            }
            values.append((column, RowDecoder.value(data[index..<(index + size)], type: types[column], metadata: metadata[column],
                                                    unsigned: unsigned.indices.contains(column) && unsigned[column])))
            index += size
        }
        return (values, index - start)
    }

    private static func littleEndian(_ bytes: ArraySlice<UInt8>, _ count: Int, from offset: Int = 0) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<count { value |= UInt64(bytes[bytes.startIndex + offset + i]) << (8 * UInt64(i)) }
        return value
    }

    private static func bigEndian(_ bytes: ArraySlice<UInt8>, _ count: Int, from offset: Int = 0) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<count { value = value << 8 | UInt64(bytes[bytes.startIndex + offset + i]) }
        return value
    }

    private static func fraction(_ bytes: ArraySlice<UInt8>, at offset: Int, decimals: Int) -> Int {
        switch decimals {
        case 1, 2: return Int(bigEndian(bytes, 1, from: offset)) * 10_000
        case 3, 4: return Int(bigEndian(bytes, 2, from: offset)) * 100
        case 5, 6: return Int(bigEndian(bytes, 3, from: offset))
        default: return 0
        }
    }

    /// The value of one non-NULL field whose bytes (exactly ``RowImageLayout/fieldSize``) are `bytes`.
    public static func value(_ bytes: ArraySlice<UInt8>, type: ColumnType, metadata: UInt16, unsigned: Bool) -> RowValue {
        var code = type.rawValue
        if code == ColumnType.string.rawValue && metadata >= 256 {
            let high = UInt8(metadata >> 8)
            if high == 247 || high == 248 { code = high }
        }
        func integer(_ width: Int) -> RowValue {
            let raw = littleEndian(bytes, width)
            if unsigned { return .uint(raw) }
            let shift = UInt64(64 - 8 * width)
            return .int(Int64(bitPattern: raw << shift) >> Int64(shift))
        }
        func lengthPrefixed(_ prefix: Int) -> ArraySlice<UInt8> { bytes.dropFirst(prefix) }
        // Fractional-second precision is 0–6; a Table_map that says more is damaged: keep the bytes.
        if (code == 17 || code == 18 || code == 19) && metadata > 6 { return .string(bytes) }
        switch code {
        case 1: return integer(1)
        case 2: return integer(2)
        case 9: return integer(3)
        case 3: return integer(4)
        case 8: return integer(8)
        case 4: return .float(Float(bitPattern: UInt32(littleEndian(bytes, 4))))
        case 5: return .double(Double(bitPattern: littleEndian(bytes, 8)))
        case 246:
            let precision = Int(metadata >> 8)
            let scale = Int(metadata & 0xff)
            return .decimal(BinaryDecimal.string(precision: precision, scale: scale, bytes: Array(bytes)) ?? "")
        case 16:
            let width = Int(metadata >> 8) * 8 + Int(metadata & 0xff)
            return .bit(bigEndian(bytes, min(bytes.count, 8)), width: width)
        case 13:
            let byte = Int(bytes[bytes.startIndex])
            return .year(byte == 0 ? 0 : byte + 1900)
        case 10, 14:
            let packed = Int(littleEndian(bytes, 3))
            return .date(year: packed >> 9, month: packed >> 5 & 15, day: packed & 31)
        case 11:
            let raw = Int32(bitPattern: UInt32(littleEndian(bytes, 3)) << 8) >> 8
            let magnitude = Int(raw.magnitude)
            return .time(negative: raw < 0, hours: magnitude / 10000, minutes: magnitude / 100 % 100, seconds: magnitude % 100,
                         microseconds: 0, decimals: 0)
        case 19:
            let decimals = Int(metadata)
            let size = bytes.count
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
            return .time(negative: negative, hours: Int(whole >> 12 & 0x3ff), minutes: Int(whole >> 6 & 0x3f),
                         seconds: Int(whole & 0x3f), microseconds: micro, decimals: decimals)
        case 12:
            let packed = littleEndian(bytes, 8)
            let date = Int(packed / 1_000_000)
            let time = Int(packed % 1_000_000)
            return .datetime(year: date / 10000, month: date / 100 % 100, day: date % 100, hour: time / 10000,
                             minute: time / 100 % 100, second: time % 100, microseconds: 0, decimals: 0)
        case 18:
            let decimals = Int(metadata)
            let packed = bigEndian(bytes, 5) &- 0x80_0000_0000
            let yearMonth = Int(packed >> 22 & 0x1ffff)
            return .datetime(year: yearMonth / 13, month: yearMonth % 13, day: Int(packed >> 17 & 0x1f),
                             hour: Int(packed >> 12 & 0x1f), minute: Int(packed >> 6 & 0x3f), second: Int(packed & 0x3f),
                             microseconds: fraction(bytes, at: 5, decimals: decimals), decimals: decimals)
        case 7:
            return .timestamp(seconds: Int64(littleEndian(bytes, 4)), microseconds: 0, decimals: 0)
        case 17:
            let decimals = Int(metadata)
            return .timestamp(seconds: Int64(bigEndian(bytes, 4)), microseconds: fraction(bytes, at: 4, decimals: decimals),
                              decimals: decimals)
        case 247:
            return .enumIndex(Int(littleEndian(bytes, bytes.count)))
        case 248:
            return .set(littleEndian(bytes, min(bytes.count, 8)))
        case 252:
            return .string(lengthPrefixed(Int(metadata)))
        case 245:
            return .json(lengthPrefixed(Int(metadata)))
        case 255:
            return .geometry(lengthPrefixed(Int(metadata)))
        case 242:
            return .vector(lengthPrefixed(Int(metadata)))
        case 15, 253:
            return .string(lengthPrefixed(metadata < 256 ? 1 : 2))
        case 141:
            return .compressed(lengthPrefixed(metadata < 256 ? 1 : 2))
        case 140:
            return .compressed(lengthPrefixed(Int(metadata)))
        case 254:
            var length = Int(metadata & 0xff)
            let high = Int(metadata >> 8)
            if metadata >= 256 && high & 0x30 != 0x30 { length |= ((high & 0x30) ^ 0x30) << 4 }
            return .string(lengthPrefixed(length < 256 ? 1 : 2))
        default:
            return .string(bytes)
        }
    }
}

/// One row of a rows event, decoded: its first image (a write's after image, a delete's or an
/// update's before image) and an update's after image, each with its bytes' range in the rows data.
public struct DecodedRow {
    public typealias Image = (values: [(column: Int, value: RowValue)], range: Range<Int>)
    public var first: Image
    /// Updates only (partial updates: their after image, JSON changes included).
    public var second: Image?
}

extension RowDecoder {
    /// Decodes the rows of `rows` in order (pre-GA, v1, v2, partial updates), calling `body` for
    /// each. Error offsets, `body`'s included, are indices into `rows.rows`.
    public func forEachRow(of rows: RowsEvent, _ body: (DecodedRow) throws(BinlogDecodingError) -> Void) throws(BinlogDecodingError) {
        let data = rows.rows
        var index = data.startIndex
        while index < data.endIndex {
            let rowStart = index
            let first = rows.version == 0
                ? try decodePreGAImage(data, at: index, present: rows.columnsPresent, columns: rows.columnCount)
                : try decodeImage(data, at: index, present: rows.columnsPresent, columns: rows.columnCount)
            index += first.length
            var second: DecodedRow.Image?
            if rows.kind == .update || rows.kind == .partialUpdate {
                let presentAfter = rows.columnsPresentAfter ?? rows.columnsPresent
                let after = rows.kind == .partialUpdate
                    ? try decodePartialImage(data, at: index, present: presentAfter, columns: rows.columnCount)
                    : rows.version == 0
                    ? try decodePreGAImage(data, at: index, present: presentAfter, columns: rows.columnCount)
                    : try decodeImage(data, at: index, present: presentAfter, columns: rows.columnCount)
                second = (after.values, index..<(index + after.length))
                index += after.length
            }
            if index == rowStart {
                // No column in the images: every row would be this one, forever.
                throw BinlogDecodingError(.invalidLength("a row of no bytes (no column present) before the end of the row data"),
                                          offset: UInt64(index), field: "rows")
            }
            try body(DecodedRow(first: (first.values, rowStart..<(rowStart + first.length)), second: second))
        }
    }
}

extension BinlogDecodingError {
    /// An error with an offset into a rows event's row data (``RowDecoder/forEachRow(of:_:)``)
    /// made to name the file, the event and the byte's offset in the file.
    public mutating func locate(inRowsOf event: BinlogEvent, _ rows: RowsEvent, file: String?) {
        offset = event.offset + UInt64(rows.rowsStart) + offset - UInt64(rows.rows.startIndex)
        eventType = event.header.type
        eventOffset = event.offset
        self.file = file
    }
}

/// What the optional metadata block of a Table_map says (binlog_row_metadata MINIMAL / FULL;
/// MySQL 8.0.1+, MariaDB 10.5+): for now the column names and signedness.
///
/// | Name | Format | Description |
/// |---|---|---|
/// | type | int<1> | 1 SIGNEDNESS, 2 DEFAULT_CHARSET, 3 COLUMN_CHARSET, 4 COLUMN_NAME, 5 SET_STR_VALUE, 6 ENUM_STR_VALUE, 7 GEOMETRY_TYPE, 8 SIMPLE_PRIMARY_KEY, 9 PRIMARY_KEY_WITH_PREFIX, 10 ENUM_AND_SET_DEFAULT_CHARSET, 11 ENUM_AND_SET_COLUMN_CHARSET, 12 COLUMN_VISIBILITY, 13 VECTOR_DIMENSIONALITY |
/// | length | int<lenenc> | |
/// | value | bytes<length> | SIGNEDNESS: one bit per numeric column, most significant first; COLUMN_NAME: per column a lenenc length and the name |
public struct TableMapOptionalMetadata: Sendable {
    public var columnNames: [String]?
    /// Column names as stored (bytes).
    public var columnNameBytes: [[UInt8]]?
    /// Per column (non-numeric columns false), when the block has SIGNEDNESS.
    public var unsigned: [Bool]?
    /// Collation id per column, for character columns (DEFAULT_CHARSET or COLUMN_CHARSET) and
    /// for ENUM/SET columns (their own pair of fields); nil for the others or when not logged.
    public var collations: [UInt32?]?
    /// The member names of each ENUM or SET column, by column.
    public var enumOrSetValues: [Int: [[UInt8]]] = [:]
    /// GEOMETRY_TYPE per geometry column (0 GEOMETRY, 1 POINT, …), by column.
    public var geometryTypes: [Int: UInt64] = [:]
    /// Primary key columns and their prefix lengths (0: the whole column).
    public var primaryKey: [(column: Int, prefix: Int)]?
    /// SIGNEDNESS as stored: every bit of the field, most significant first (one per numeric
    /// column by the writer's rules, which differ: MySQL 8.0.40+ gives YEAR one, MariaDB not).
    public var signednessBits: [Bool]?
    /// COLUMN_VISIBILITY (MySQL 8.0.23+): every bit of the field, most significant first; set
    /// when the column is visible.
    public var visibilityBits: [Bool]?
    /// The first thing wrong with the block, when it is damaged: the fields before it are kept,
    /// the rest ignored. `offset` counts from the start of the block.
    public var problem: (offset: Int, message: String)?

    public init(_ map: TableMapEvent) {
        let block = map.optionalMetadata
        var index = block.startIndex
        let types = map.columnTypes
        let metadata = map.columnMetadata
        // The real type of each column (ENUM and SET travel as STRING).
        func realType(_ column: Int) -> UInt8 {
            let code = types[column].rawValue
            if code == 254 && metadata[column] >= 256 {
                let high = UInt8(metadata[column] >> 8)
                if high == 247 || high == 248 { return high }
            }
            return code
        }
        // MariaDB's compressed VARCHAR and BLOB/TEXT (141, 140) have a charset entry too (its
        // server writes one; mariadb-binlog 10.11 skips them and shifts the rest).
        let characterColumns = types.indices.filter { [254, 15, 253, 252, 140, 141].contains(realType($0)) }
        let enumSetColumns = types.indices.filter { [247, 248].contains(realType($0)) }
        var columnCollations = [UInt32?](repeating: nil, count: types.count)
        var sawCharset = false
        func numbers(_ value: ArraySlice<UInt8>) -> [Int] {
            var at = value.startIndex
            var result: [Int] = []
            while at < value.endIndex, let number = TableMapOptionalMetadata.lengthEncoded(value, &at) { result.append(number) }
            return result
        }
        /// DEFAULT_CHARSET-style field: a default, then (index among `columns`, collation) pairs.
        func applyDefault(_ value: ArraySlice<UInt8>, to columns: [Int]) {
            let list = numbers(value)
            guard let first = list.first else { return }
            for column in columns { columnCollations[column] = UInt32(first) }
            var i = 1
            while i + 1 < list.count {
                if list[i] < columns.count { columnCollations[columns[list[i]]] = UInt32(list[i + 1]) }
                i += 2
            }
            sawCharset = true
        }
        func applyPerColumn(_ value: ArraySlice<UInt8>, to columns: [Int]) {
            for (column, collation) in zip(columns, numbers(value)) { columnCollations[column] = UInt32(collation) }
            sawCharset = true
        }
        while index < block.endIndex {
            let type = block[index]
            let fieldStart = index - block.startIndex
            index += 1
            let lengthAt = index
            guard let length = TableMapOptionalMetadata.lengthEncoded(block, &index) else {
                problem = (fieldStart, lengthAt < block.endIndex
                    ? "field type \(type): the length byte 0x\(String(block[lengthAt], radix: 16)) is not a length"
                    : "field type \(type): the block ends before its length")
                break
            }
            guard length <= block.endIndex - index else {
                problem = (fieldStart, "field type \(type) claims \(length) bytes, \(block.endIndex - index) remain in the event")
                break
            }
            let value = block[index..<(index + length)]
            index += length
            switch type {
            case 1:
                signednessBits = value.flatMap { byte in (0..<8).map { byte & (0x80 >> UInt8($0)) != 0 } }
                var flags: [Bool] = []
                var bit = 0
                for columnType in types {
                    if columnType.isNumeric {
                        let byte = bit / 8
                        flags.append(byte < value.count && value[value.startIndex + byte] & (0x80 >> UInt8(bit % 8)) != 0)
                        bit += 1
                    } else {
                        flags.append(false)
                    }
                }
                unsigned = flags
            case 2: applyDefault(value, to: characterColumns)
            case 3: applyPerColumn(value, to: characterColumns)
            case 10: applyDefault(value, to: enumSetColumns)
            case 11: applyPerColumn(value, to: enumSetColumns)
            case 4:
                var names: [[UInt8]] = []
                var inner = value.startIndex
                while inner < value.endIndex, names.count < types.count {
                    guard let nameLength = TableMapOptionalMetadata.lengthEncoded(value, &inner), inner + nameLength <= value.endIndex else { break }
                    names.append(Array(value[inner..<(inner + nameLength)]))
                    inner += nameLength
                }
                if names.count == types.count {
                    columnNameBytes = names
                    columnNames = names.map { String(decoding: $0, as: UTF8.self) }
                } else if problem == nil {
                    problem = (fieldStart, "COLUMN_NAME holds \(names.count) well-formed names for \(types.count) columns")
                }
            case 5, 6:
                // SET_STR_VALUE / ENUM_STR_VALUE: per column of that kind, a count and the names.
                let columns = types.indices.filter { realType($0) == (type == 5 ? 248 : 247) }
                var inner = value.startIndex
                for column in columns {
                    guard let count = TableMapOptionalMetadata.lengthEncoded(value, &inner) else { break }
                    var members: [[UInt8]] = []
                    for _ in 0..<count {
                        guard let length = TableMapOptionalMetadata.lengthEncoded(value, &inner), inner + length <= value.endIndex else { break }
                        members.append(Array(value[inner..<(inner + length)]))
                        inner += length
                    }
                    enumOrSetValues[column] = members
                }
            case 7:
                let columns = types.indices.filter { realType($0) == 255 }
                for (column, kind) in zip(columns, numbers(value)) { geometryTypes[column] = UInt64(kind) }
            case 12:
                visibilityBits = value.flatMap { byte in (0..<8).map { byte & (0x80 >> UInt8($0)) != 0 } }
            case 8:
                primaryKey = numbers(value).map { ($0, 0) }
            case 9:
                let list = numbers(value)
                primaryKey = stride(from: 0, to: list.count - 1, by: 2).map { (list[$0], list[$0 + 1]) }
            default:
                break
            }
        }
        if sawCharset { collations = columnCollations }
    }
}

extension TableMapOptionalMetadata {
    /// A length-encoded integer at `at` (advanced past it); nil when cut off or not a length.
    static func lengthEncoded(_ bytes: ArraySlice<UInt8>, _ at: inout Int) -> Int? {
        guard at < bytes.endIndex else { return nil }
        let first = bytes[at]
        at += 1
        let width: Int
        switch first {
        case 0..<251: return Int(first)
        case 252: width = 2
        case 253: width = 3
        default: return nil
        }
        guard at + width <= bytes.endIndex else { return nil }
        var value = 0
        for i in 0..<width { value |= Int(bytes[at + i]) << (8 * i) }
        at += width
        return value
    }
}

extension ColumnType {
    /// The types the SIGNEDNESS metadata has a bit for.
    public var isNumeric: Bool {
        switch rawValue {
        case 1, 2, 3, 4, 5, 8, 9, 246: return true
        default: return false
        }
    }
}
