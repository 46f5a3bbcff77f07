// PREVIOUS_GTIDS_LOG_EVENT (MySQL): the GTIDs executed before this file began.

/// | Name | Format | Description |
/// |---|---|---|
/// | n_sids | int<8> | untagged format: bits 0–55 count the entries, bits 56–63 are 0; tagged format (MySQL 8.3+): the format byte 1 sits in bits 56–63 and again in bits 0–7, the count in bits 8–55 |
/// | per entry: sid | bytes<16> | |
/// | per entry: tag | varint length, bytes | tagged format only (``SerializationVarint``, at most 32 bytes; empty for an untagged entry) |
/// | per entry: n_intervals | int<8> | |
/// | per interval: start, end | int<8>, int<8> | end is exclusive |
///
/// MySQL 9.1+ writes an empty set in the tagged format: `01 00 00 00 00 00 00 01`, no entries.
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
        guard format <= 1 else {
            throw reader.error(.invalidValue("unknown GTID set format \(format)"), field: "n_sids")
        }
        // Gtid_set::decode: the tagged format repeats the format byte in the low byte.
        let count = format == 1 ? (header & 0x00ff_ffff_ffff_ff00) >> 8 : header & 0x00ff_ffff_ffff_ffff
        // Each entry takes at least 24 bytes: refuse counts the bytes cannot hold before looping.
        guard count <= UInt64(reader.remaining / 24) else {
            throw reader.error(.invalidLength("\(count) UUIDs cannot fit in \(reader.remaining) bytes"), field: "n_sids")
        }
        for _ in 0..<count {
            let sid = try ServerUUID(parsing: &reader, "sid")
            var tag: String?
            if format == 1 {
                tag = try Self.readTag(&reader)
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

    /// A tag as `Tag::decode_tag` accepts it: a letter or `_`, then letters, digits or `_`, at most
    /// 32 characters; MySQL keeps tags in lower case.
    static func readTag(_ reader: inout ByteReader) throws(BinlogDecodingError) -> String? {
        let length = try SerializationVarint.readUnsigned(&reader, "tag")
        guard length <= 32 else {
            throw reader.error(.invalidLength("tag of \(length) bytes is longer than 32"), field: "tag")
        }
        let bytes = try reader.readBytes(Int(length), "tag")
        guard !bytes.isEmpty else { return nil }
        var lowered: [UInt8] = []
        lowered.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            let isLetter = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7a
            let isDigit = byte >= 0x30 && byte <= 0x39
            guard isLetter || byte == 0x5f || (isDigit && index > 0) else {
                throw reader.error(.invalidValue("tag has a character (0x\(String(byte, radix: 16))) a GTID tag cannot hold"), field: "tag")
            }
            lowered.append(isLetter ? byte | 0x20 : byte)
        }
        return String(decoding: lowered, as: UTF8.self)
    }

    /// The set as MySQL's `Gtid_set::to_string` prints it: entries sorted by UUID then tag, the
    /// tags of one UUID after it (`uuid:1-13:mytag:1-2`), intervals merged, UUIDs joined by
    /// `separator` (`",\n"`; mysqlbinlog's comment format uses `",\n# "`).
    public func formatted(separator: String = ",\n") -> String {
        // Merge entries naming the same UUID and tag, as adding them to a Gtid_set does.
        var merged: [ServerUUID: [String: [Range<Int64>]]] = [:]
        for entry in entries {
            merged[entry.sid, default: [:]][entry.tag ?? "", default: []] += entry.intervals
        }
        var groups: [String] = []
        for sid in merged.keys.sorted() {
            var text = sid.description
            let tags = merged[sid] ?? [:]
            for tag in tags.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
                if !tag.isEmpty { text += ":" + tag }
                for interval in Self.merge(tags[tag] ?? []) {
                    text += ":\(interval.lowerBound)"
                    if interval.upperBound - 1 > interval.lowerBound { text += "-\(interval.upperBound - 1)" }
                }
            }
            groups.append(text)
        }
        return groups.joined(separator: separator)
    }

    /// Sorted, with overlapping and touching intervals joined.
    static func merge(_ intervals: [Range<Int64>]) -> [Range<Int64>] {
        var result: [Range<Int64>] = []
        for interval in intervals.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, interval.lowerBound <= last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, interval.upperBound)
            } else {
                result.append(interval)
            }
        }
        return result
    }
}

/// Variable-length unsigned integers of MySQL's `mysql::serialization` format (tagged GTIDs).
///
/// The number of bytes is one more than the count of trailing one bits of the first byte
/// (9 bytes when the first byte is 0xff); the value is the little-endian number with those
/// marker bits shifted out, and for 9 bytes simply the 8 bytes after the first
/// (`read_varlen_bytes_unsigned` in libs/mysql/serialization/variable_length_integers.h).
/// Signed numbers are zig-zag encoded: the lowest bit is the sign.
enum SerializationVarint {
    static func readUnsigned(_ reader: inout ByteReader, _ field: StaticString) throws(BinlogDecodingError) -> UInt64 {
        let first = try reader.peekUInt8(field)
        let length = (~first).trailingZeroBitCount + 1
        if length == 9 {
            try reader.skip(1, field)
            return try reader.readUInt64(field)
        }
        let raw = try reader.readUInt(byteCount: length, field)
        return raw >> UInt64(length)
    }

    /// The shortest form of `value`: n bytes hold 7n bits of it (for n up to 8) after n-1 one
    /// bits and a zero; larger values take 0xff and the 8 bytes.
    static func encodeUnsigned(_ value: UInt64) -> [UInt8] {
        var length = 1
        while length < 9 && value >> UInt64(7 * length) != 0 { length += 1 }
        if length == 9 {
            return [0xff] + (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) }
        }
        // Fits in 7 × length bits, so shifting by length loses nothing.
        let raw = value << UInt64(length) | (UInt64(1) << UInt64(length - 1) - 1)
        return (0..<length).map { UInt8(truncatingIfNeeded: raw >> UInt64(8 * $0)) }
    }

    static func readSigned(_ reader: inout ByteReader, _ field: StaticString) throws(BinlogDecodingError) -> Int64 {
        let raw = try readUnsigned(&reader, field)
        // Zig-zag: the lowest bit is the sign.
        return raw & 1 == 0 ? Int64(bitPattern: raw >> 1) : ~Int64(bitPattern: raw >> 1)
    }
}
