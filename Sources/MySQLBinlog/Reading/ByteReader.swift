// A throwing, bounds-checked cursor over binlog bytes: every read checks first and names where it failed.

/// Reads little-endian wire fields from a slice of bytes.
///
/// `read…` consumes, `peek…` does not. Every read checks that the bytes exist first and throws
/// a ``BinlogDecodingError`` carrying the absolute offset, the event type and the field name.
/// Sub-structures are read through ``bounded(_:field:)``, a reader limited to their declared
/// length, so a bad length can never make a decoder read past its structure.
public struct ByteReader {
    public let bytes: ArraySlice<UInt8>
    public private(set) var index: Int
    /// Absolute input offset of `bytes.startIndex`.
    public let baseOffset: UInt64
    public var eventType: BinlogEventType?
    public var eventOffset: UInt64?

    public init(_ bytes: ArraySlice<UInt8>, baseOffset: UInt64 = 0, eventType: BinlogEventType? = nil, eventOffset: UInt64? = nil) {
        self.bytes = bytes
        self.index = bytes.startIndex
        self.baseOffset = baseOffset
        self.eventType = eventType
        self.eventOffset = eventOffset
    }

    public var remaining: Int { bytes.endIndex - index }
    public var isAtEnd: Bool { index >= bytes.endIndex }
    /// Absolute offset of the next byte to be read.
    public var offset: UInt64 { baseOffset + UInt64(index - bytes.startIndex) }

    public func error(_ reason: BinlogDecodingError.Reason, field: String?) -> BinlogDecodingError {
        BinlogDecodingError(reason, offset: offset, eventType: eventType, eventOffset: eventOffset, field: field)
    }

    @inline(__always)
    private func require(_ count: Int, _ field: StaticString) throws(BinlogDecodingError) {
        if count < 0 || count > remaining {
            throw error(.truncated(needed: count, available: remaining), field: field.description)
        }
    }

    @inline(__always)
    public mutating func readUInt8(_ field: StaticString) throws(BinlogDecodingError) -> UInt8 {
        try require(1, field)
        defer { index += 1 }
        return bytes[index]
    }

    @inline(__always)
    public mutating func readUInt16(_ field: StaticString) throws(BinlogDecodingError) -> UInt16 {
        UInt16(truncatingIfNeeded: try readUInt(byteCount: 2, field))
    }

    @inline(__always)
    public mutating func readUInt24(_ field: StaticString) throws(BinlogDecodingError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readUInt(byteCount: 3, field))
    }

    @inline(__always)
    public mutating func readUInt32(_ field: StaticString) throws(BinlogDecodingError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readUInt(byteCount: 4, field))
    }

    @inline(__always)
    public mutating func readUInt48(_ field: StaticString) throws(BinlogDecodingError) -> UInt64 {
        try readUInt(byteCount: 6, field)
    }

    @inline(__always)
    public mutating func readUInt64(_ field: StaticString) throws(BinlogDecodingError) -> UInt64 {
        try readUInt(byteCount: 8, field)
    }

    /// A little-endian unsigned integer of 1 to 8 bytes.
    @inline(__always)
    public mutating func readUInt(byteCount: Int, _ field: StaticString) throws(BinlogDecodingError) -> UInt64 {
        try require(byteCount, field)
        let start = index - bytes.startIndex
        let value: UInt64 = bytes.withUnsafeBytes { raw in
            if byteCount == 8 { return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt64.self)) }
            if byteCount == 4 { return UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt32.self))) }
            if byteCount == 2 { return UInt64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt16.self))) }
            var value: UInt64 = 0
            for i in 0..<byteCount { value |= UInt64(raw[start + i]) << (8 * UInt64(i)) }
            return value
        }
        index += byteCount
        return value
    }

    /// A big-endian unsigned integer of 1 to 8 bytes (used by a few row-value encodings).
    public mutating func readUIntBigEndian(byteCount: Int, _ field: StaticString) throws(BinlogDecodingError) -> UInt64 {
        try require(byteCount, field)
        var value: UInt64 = 0
        for i in index..<(index + byteCount) {
            value = value << 8 | UInt64(bytes[i])
        }
        index += byteCount
        return value
    }

    public func peekUInt8(_ field: StaticString) throws(BinlogDecodingError) -> UInt8 {
        try require(1, field)
        return bytes[index]
    }

    @inline(__always)
    public mutating func readBytes(_ count: Int, _ field: StaticString) throws(BinlogDecodingError) -> ArraySlice<UInt8> {
        try require(count, field)
        defer { index += count }
        return bytes[index..<(index + count)]
    }

    /// The indices of the next `count` bytes, which are consumed (no slice is made).
    @inline(__always)
    public mutating func readRange(_ count: Int, _ field: StaticString) throws(BinlogDecodingError) -> Range<Int> {
        try require(count, field)
        defer { index += count }
        return index..<(index + count)
    }

    @inline(__always)
    public mutating func skip(_ count: Int, _ field: StaticString) throws(BinlogDecodingError) {
        try require(count, field)
        index += count
    }

    /// All bytes left.
    public mutating func readRest() -> ArraySlice<UInt8> {
        defer { index = bytes.endIndex }
        return bytes[index..<bytes.endIndex]
    }

    /// A string of `count` bytes (kept as raw bytes; binlogs do not promise an encoding).
    public mutating func readString(_ count: Int, _ field: StaticString) throws(BinlogDecodingError) -> BinlogString {
        BinlogString(try readBytes(count, field))
    }

    /// A string with a one-byte length prefix.
    public mutating func readLengthPrefixedString(_ field: StaticString) throws(BinlogDecodingError) -> BinlogString {
        let length = Int(try readUInt8(field))
        return try readString(length, field)
    }

    /// Bytes up to (not including) the next NUL, which is consumed.
    public mutating func readNullTerminated(_ field: StaticString) throws(BinlogDecodingError) -> BinlogString {
        guard let end = bytes[index...].firstIndex(of: 0) else {
            throw error(.invalidValue("string has no terminating NUL"), field: field.description)
        }
        defer { index = end + 1 }
        return BinlogString(bytes[index..<end])
    }

    /// MySQL's length-encoded integer (`int<lenenc>`, "packed integer" in the binlog docs).
    public mutating func readLengthEncodedInteger(_ field: StaticString) throws(BinlogDecodingError) -> UInt64 {
        let first = try readUInt8(field)
        switch first {
        case 0..<251: return UInt64(first)
        case 251: throw error(.invalidValue("length-encoded integer is NULL (0xfb)"), field: field.description)
        case 252: return try readUInt(byteCount: 2, field)
        case 253: return try readUInt(byteCount: 3, field)
        case 254: return try readUInt(byteCount: 8, field)
        default: throw error(.invalidValue("length-encoded integer starts with 0xff"), field: field.description)
        }
    }

    /// A reader over the next `count` bytes, which this reader skips.
    public mutating func bounded(_ count: Int, _ field: StaticString) throws(BinlogDecodingError) -> ByteReader {
        let slice = try readBytes(count, field)
        return ByteReader(slice, baseOffset: baseOffset + UInt64(slice.startIndex - bytes.startIndex),
                          eventType: eventType, eventOffset: eventOffset)
    }

    /// Converts a wire length to `Int`, rejecting values larger than what remains.
    public func length(_ value: UInt64, _ field: StaticString) throws(BinlogDecodingError) -> Int {
        guard value <= UInt64(remaining) else {
            throw error(.truncated(needed: value > UInt64(Int.max) ? Int.max : Int(value), available: remaining), field: field.description)
        }
        return Int(value)
    }
}
