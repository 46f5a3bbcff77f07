// Counts the rows of a rows event without decoding a value: each column's size is all it needs.

/// Measures the row images of one table's rows events, prepared once per Table_map.
///
/// A row image is a null bitmap (one bit per column present in the image) followed by the
/// non-null values of the present columns, in column order. The size of each value follows
/// from the column's type and metadata (``RowImageLayout/fieldSize(type:metadata:bytes:at:)``):
/// fixed for numbers and temporal types, a 1–4 byte length prefix for strings and blobs. Those
/// sizes are worked out here once, so counting the rows of an event costs a few instructions
/// per value.
public struct RowCounter: Sendable {
    /// How to step over one column's value.
    enum Step: Sendable, Equatable {
        /// A value of this many bytes.
        case fixed(Int)
        /// A little-endian length of this many bytes, then that many bytes.
        case prefixed(Int)
        /// A type whose size the Table_map does not tell: rows cannot be measured past it.
        case unknown
    }

    let steps: [Step]
    /// Every column, for the usual image that has them all.
    private let allColumns: [Int]
    /// How many JSON columns the table has (the partial-update bitmap has a bit for each).
    private let jsonColumns: Int
    /// The images of pre-GA rows events (types 20–22).
    private let preGA: PreGARowLayout
    private let types: [ColumnType]
    private let metadata: [UInt16]

    /// Prepares the counter for a table of these column types and metadata (as the Table_map gives them).
    public init(types: [ColumnType], metadata: [UInt16], nullable: [Bool]? = nil) {
        self.types = types
        self.metadata = metadata
        preGA = PreGARowLayout(types: types, nullable: nullable ?? [Bool](repeating: true, count: types.count))
        var steps: [Step] = []
        steps.reserveCapacity(types.count)
        for (index, type) in types.enumerated() {
            let meta = index < metadata.count ? metadata[index] : 0
            steps.append(RowCounter.step(type: type, metadata: meta))
        }
        self.steps = steps
        allColumns = Array(0..<steps.count)
        jsonColumns = types.reduce(0) { $0 + ($1 == .json ? 1 : 0) }
    }

    /// Prepares the counter from a Table_map.
    public init(_ map: TableMapEvent) {
        self.init(types: map.columnTypes, metadata: map.columnMetadata, nullable: (0..<map.columnCount).map(map.isNullable))
    }

    static func step(type: ColumnType, metadata: UInt16) -> Step {
        // Probe the server's rule with a value of length zero behind every possible prefix:
        // a prefixed type answers `prefix + 0`, a fixed one its size whatever the bytes.
        let zeros: [UInt8] = [0, 0, 0, 0]
        let ones: [UInt8] = [1, 0, 0, 0]
        guard let atZero = RowImageLayout.fieldSize(type: type, metadata: metadata, bytes: zeros[...], at: 0),
              let atOne = RowImageLayout.fieldSize(type: type, metadata: metadata, bytes: ones[...], at: 0) else {
            return .unknown
        }
        if atZero == atOne { return .fixed(atZero) }
        // The value grew with its first byte: a length prefix of `atZero` bytes.
        guard atOne == atZero + 1, (1...4).contains(atZero) else { return .unknown }
        return .prefixed(atZero)
    }

    /// The number of rows in `rows` (each before/after pair of an update counts once), or `nil`
    /// when the images do not fit the table: a value runs past the end, or a column's size is
    /// unknown.
    ///
    /// - Parameters:
    ///   - columnCount: the rows event's column count (columns past the Table_map's are not in the images).
    ///   - present: the columns-present bitmap; `presentAfter` the after-image one of an update.
    ///   - partialUpdate: the event is an `Update_rows_partial`, whose after images start with
    ///     value options (``RowImageLayout/partialUpdatePrefix(available:jsonColumns:byteAt:)``).
    public func count(rows: ArraySlice<UInt8>, columnCount: Int, present: ArraySlice<UInt8>,
                      presentAfter: ArraySlice<UInt8>?, partialUpdate: Bool = false) -> Int? {
        count(rows: rows, columnCount: columnCount, present: present, presentAfter: presentAfter, partialUpdate: partialUpdate, preGAUpdate: nil)
    }

    /// The rows of a pre-GA rows event (``PreGARowLayout``); `update` for Update_rows_event_old,
    /// whose rows are before/after pairs under the one bitmap.
    public func countPreGA(rows: ArraySlice<UInt8>, columnCount: Int, present: ArraySlice<UInt8>, update: Bool) -> Int? {
        count(rows: rows, columnCount: columnCount, present: present, presentAfter: nil, partialUpdate: false, preGAUpdate: update)
    }

    private func count(rows: ArraySlice<UInt8>, columnCount: Int, present: ArraySlice<UInt8>,
                       presentAfter: ArraySlice<UInt8>?, partialUpdate: Bool, preGAUpdate: Bool?) -> Int? {
        if let update = preGAUpdate {
            let columns = RowCounter.presentColumns(present, min(columnCount, types.count))
            var index = rows.startIndex
            var count = 0
            while index < rows.endIndex {
                let rowStart = index
                for _ in 0..<(update ? 2 : 1) {
                    let (_, nullBytes) = preGA.layout(firstByte: index < rows.endIndex ? rows[index] : nil)
                    guard nullBytes <= rows.endIndex - index else { return nil }
                    index += nullBytes
                    for column in columns {
                        let meta = PreGARowLayout.metadata(type: types[column], metadata: metadata[column])
                        guard let size = RowImageLayout.fieldSize(type: types[column], metadata: meta, bytes: rows, at: index),
                              size <= rows.endIndex - index else { return nil }
                        index += size
                    }
                }
                if index == rowStart { return nil }
                count += 1
            }
            return count
        }
        let columns = min(columnCount, steps.count)
        // Columns the event has beyond the Table_map's cannot be measured.
        if columnCount > steps.count, RowCounter.anyPresent(present, from: steps.count, to: columnCount)
            || presentAfter.map({ RowCounter.anyPresent($0, from: steps.count, to: columnCount) }) == true {
            return nil
        }
        let before = columnsIn(present, columns)
        let beforeCount = RowCounter.presentCount(present, columnCount)
        var after: [Int]?
        var afterCount = 0
        if let presentAfter {
            after = columnsIn(presentAfter, columns)
            afterCount = RowCounter.presentCount(presentAfter, columnCount)
        }
        return rows.withUnsafeBytes { raw -> Int? in
            var index = 0
            let end = raw.count
            var count = 0
            while index < end {
                let rowStart = index
                guard let next = measure(raw, index, before, nullBits: beforeCount) else { return nil }
                index = next
                if let after {
                    if partialUpdate {
                        let start = index
                        guard let prefix = RowImageLayout.partialUpdatePrefix(available: end - start, jsonColumns: jsonColumns,
                                                                              byteAt: { raw[start + $0] }) else { return nil }
                        index += prefix.size
                    }
                    guard let next = measure(raw, index, after, nullBits: afterCount) else { return nil }
                    index = next
                }
                // A row of no bytes (no column in either image) would be counted forever.
                if index == rowStart { return nil }
                count += 1
            }
            return count
        }
    }

    /// Where the image at `start` ends, or `nil` when it does not fit.
    @inline(__always)
    private func measure(_ raw: UnsafeRawBufferPointer, _ start: Int, _ columns: [Int], nullBits: Int) -> Int? {
        let nullBytes = (nullBits + 7) / 8
        guard nullBytes <= raw.count - start else { return nil }
        var index = start + nullBytes
        let end = raw.count
        for (bit, column) in columns.enumerated() {
            if raw[start + bit >> 3] & (1 << UInt8(bit & 7)) != 0 { continue }
            switch steps[column] {
            case .fixed(let size):
                index += size
            case .prefixed(let width):
                guard width <= end - index else { return nil }
                var length = 0
                for i in 0..<width { length |= Int(raw[index + i]) << (8 * i) }
                index += width + length
            case .unknown:
                return nil
            }
            if index > end { return nil }
        }
        return index
    }

    /// The indexes of the columns, below `limit`, whose bit is set: the prepared list when all are.
    @inline(__always)
    private func columnsIn(_ bitmap: ArraySlice<UInt8>, _ limit: Int) -> [Int] {
        if limit == steps.count && RowCounter.allSet(bitmap, limit) { return allColumns }
        return RowCounter.presentColumns(bitmap, limit)
    }

    /// Whether the first `count` bits are all set.
    private static func allSet(_ bitmap: ArraySlice<UInt8>, _ count: Int) -> Bool {
        guard bitmap.count * 8 >= count else { return false }
        var index = bitmap.startIndex
        var left = count
        while left >= 8 {
            if bitmap[index] != 0xff { return false }
            index += 1
            left -= 8
        }
        return left == 0 || bitmap[index] & UInt8((1 << left) - 1) == UInt8((1 << left) - 1)
    }

    /// The indexes of the columns, below `limit`, whose bit is set.
    private static func presentColumns(_ bitmap: ArraySlice<UInt8>, _ limit: Int) -> [Int] {
        var columns: [Int] = []
        columns.reserveCapacity(limit)
        for column in 0..<limit where isSet(bitmap, column) { columns.append(column) }
        return columns
    }

    /// How many bits of the first `columnCount` are set: the null bitmap has one bit for each.
    private static func presentCount(_ bitmap: ArraySlice<UInt8>, _ columnCount: Int) -> Int {
        var count = 0
        var index = bitmap.startIndex
        var left = columnCount
        while left > 0 && index < bitmap.endIndex {
            let byte = left >= 8 ? bitmap[index] : bitmap[index] & UInt8((1 << left) - 1)
            count += byte.nonzeroBitCount
            index += 1
            left -= 8
        }
        return count
    }

    private static func anyPresent(_ bitmap: ArraySlice<UInt8>, from: Int, to: Int) -> Bool {
        (from..<to).contains { isSet(bitmap, $0) }
    }

    @inline(__always)
    private static func isSet(_ bitmap: ArraySlice<UInt8>, _ column: Int) -> Bool {
        column / 8 < bitmap.count && bitmap[bitmap.startIndex + column / 8] & (1 << (column % 8)) != 0
    }
}
