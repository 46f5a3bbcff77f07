// PREVIOUS_GTIDS_LOG_EVENT (MySQL): the GTIDs executed before this file began.

/// | Name | Format | Description |
/// |---|---|---|
/// | n_sids | int<8> | number of UUIDs; the top byte is the format (0 = untagged, 1 = tagged, 8.3+) |
/// | per UUID: sid | bytes<16> | |
/// | per UUID: tag | serialized string | tagged format only |
/// | per UUID: n_intervals | int<8> | |
/// | per interval: start, end | int<8>, int<8> | end is exclusive |
public struct PreviousGTIDsEvent: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var sid: ServerUUID
        public var tag: String?
        /// Half-open intervals `[start, end)`.
        public var intervals: [Range<Int64>]
    }

    public var entries: [Entry]
    /// The raw encoded set (kept so the event can be re-encoded byte for byte).
    public var encoded: [UInt8]

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        let start = reader
        entries = []
        if reader.isAtEnd {
            encoded = []
            return
        }
        let header = try reader.readUInt64("n_sids")
        let format = header >> 56
        let count = header & 0x00ff_ffff_ffff_ffff
        guard format <= 1 else {
            throw reader.error(.invalidValue("unknown GTID set format \(format)"), field: "n_sids")
        }
        // Each entry takes at least 24 bytes: refuse counts the bytes cannot hold before looping.
        guard count <= UInt64(reader.remaining / 24) else {
            throw reader.error(.invalidLength("\(count) UUIDs cannot fit in \(reader.remaining) bytes"), field: "n_sids")
        }
        for _ in 0..<count {
            let sid = try ServerUUID(parsing: &reader, "sid")
            var tag: String?
            if format == 1 {
                let length = try reader.length(try SerializationVarint.readUnsigned(&reader, "tag"), "tag")
                let bytes = try reader.readBytes(length, "tag")
                tag = length == 0 ? nil : String(decoding: bytes, as: UTF8.self)
            }
            let intervalCount = try reader.readUInt64("n_intervals")
            guard intervalCount <= UInt64(reader.remaining / 16) else {
                throw reader.error(.invalidLength("\(intervalCount) intervals cannot fit in \(reader.remaining) bytes"), field: "n_intervals")
            }
            var intervals: [Range<Int64>] = []
            intervals.reserveCapacity(Int(intervalCount))
            for _ in 0..<intervalCount {
                let low = Int64(bitPattern: try reader.readUInt64("interval_start"))
                let high = Int64(bitPattern: try reader.readUInt64("interval_end"))
                guard low < high else {
                    throw reader.error(.invalidValue("GTID interval \(low)-\(high) is empty or reversed"), field: "interval_end")
                }
                intervals.append(low..<high)
            }
            entries.append(Entry(sid: sid, tag: tag, intervals: intervals))
        }
        var copy = start
        encoded = Array(copy.readRest())
    }

    /// The set as MySQL prints it: `uuid:1-5:7,\nuuid2:1-3` (entries joined by `",\n"`).
    public func formatted(separator: String = ",\n") -> String {
        entries.map { entry in
            var text = entry.sid.description
            if let tag = entry.tag { text += ":" + tag }
            for interval in entry.intervals {
                text += ":\(interval.lowerBound)"
                if interval.upperBound - 1 != interval.lowerBound { text += "-\(interval.upperBound - 1)" }
            }
            return text
        }.joined(separator: separator)
    }
}

/// Variable-length unsigned integers of MySQL's `mysql::serialization` format (tagged GTIDs).
///
/// The number of bytes is one more than the count of trailing one bits of the first byte
/// (9 bytes when the first byte is 0xff); the value is the little-endian number with those
/// marker bits shifted out.
enum SerializationVarint {
    static func readUnsigned(_ reader: inout ByteReader, _ field: StaticString) throws(BinlogDecodingError) -> UInt64 {
        let first = try reader.peekUInt8(field)
        let length = first == 0xff ? 9 : first.trailingZeroBitCount == 0 ? (~first).trailingZeroBitCount + 1 : 1
        if length == 9 {
            try reader.skip(1, field)
            return try reader.readUInt64(field)
        }
        let raw = try reader.readUInt(byteCount: length, field)
        return raw >> UInt64(length)
    }

    static func readSigned(_ reader: inout ByteReader, _ field: StaticString) throws(BinlogDecodingError) -> Int64 {
        let raw = try readUnsigned(&reader, field)
        // Zig-zag: the lowest bit is the sign.
        return raw & 1 == 0 ? Int64(bitPattern: raw >> 1) : ~Int64(bitPattern: raw >> 1)
    }
}
