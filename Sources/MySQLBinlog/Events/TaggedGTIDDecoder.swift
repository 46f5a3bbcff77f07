// GTID_TAGGED_LOG_EVENT (MySQL 8.3+): a GTID event in the mysql::serialization format.

/// Decodes the body of a tagged GTID event into a ``GTIDEvent``.
///
/// The body is one serialized message; every number in it is a variable-length integer
/// (``SerializationVarint``), signed ones zig-zag encoded.
///
/// | Name | Format | Description |
/// |---|---|---|
/// | format_version | varint | the message's id: the serialization format version, 1 |
/// | message_size | varint | bytes of the whole message, from format_version on |
/// | last_non_ignorable_field_id | varint | one more than the highest field id a reader must know (0 when all may be skipped) |
/// | fields | field_id varint, value | in increasing id order; a field may be absent |
///
/// | Field id | Name | Value |
/// |---|---|---|
/// | 0 | gtid_flags | varint; bit 0: may have statement-based events |
/// | 1 | sid | 16 varints, one per UUID byte |
/// | 2 | gno | signed varint |
/// | 3 | tag | varint length (at most 32), then the bytes |
/// | 4 | last_committed | signed varint |
/// | 5 | sequence_number | signed varint |
/// | 6 | immediate_commit_timestamp | varint, µs |
/// | 7 | original_commit_timestamp | varint, µs; absent when equal to the immediate one |
/// | 8 | transaction_length | varint |
/// | 9 | immediate_server_version | varint |
/// | 10 | original_server_version | varint; absent when equal to the immediate one |
/// | 11 | commit_group_ticket | varint; absent when unset |
///
/// A reader takes each known field if the next id is that field's, else treats it as absent,
/// and skips whatever follows the last known field up to `message_size` (fields added by newer
/// servers that old readers may ignore).
enum TaggedGTIDDecoder {
    /// The serialization format version this decoder reads.
    static let formatVersion: UInt64 = 1
    /// Ids 0 through 11 are known.
    static let lastKnownFieldID: UInt64 = 11
    /// MySQL's `tag_max_length`.
    static let maximumTagLength = 32

    static func decode(_ reader: inout ByteReader) throws(BinlogDecodingError) -> GTIDEvent {
        let messageStart = reader.remaining
        let version = try SerializationVarint.readUnsigned(&reader, "format_version")
        guard version == formatVersion else {
            throw reader.error(.invalidValue("serialization format version \(version) is not 1"), field: "format_version")
        }
        let size = try SerializationVarint.readUnsigned(&reader, "message_size")
        let lastNonIgnorable = try SerializationVarint.readUnsigned(&reader, "last_non_ignorable_field_id")
        let envelope = UInt64(messageStart - reader.remaining)
        guard size >= envelope else {
            throw reader.error(.invalidLength("message size \(size) is smaller than its own \(envelope)-byte envelope"), field: "message_size")
        }
        var fields = try reader.bounded(try reader.length(size - envelope, "fields"), "fields")
        guard lastNonIgnorable <= lastKnownFieldID + 1 else {
            throw reader.error(.invalidValue("field \(lastNonIgnorable - 1) is required but unknown to this decoder (newer server)"),
                               field: "last_non_ignorable_field_id")
        }

        var flags: UInt8 = 0
        var sid = ServerUUID(bytes: [UInt8](repeating: 0, count: 16))
        var gno: Int64 = 0
        var tag: String?
        var lastCommitted: Int64 = 0
        var sequenceNumber: Int64 = 0
        var immediateCommit: UInt64 = 0
        var originalCommit: UInt64?
        var transactionLength: UInt64 = 0
        var immediateVersion: UInt32 = 0
        var originalVersion: UInt32?
        var ticket: UInt64?

        for id in 0...lastKnownFieldID {
            guard !fields.isAtEnd else { break }
            var peek = fields
            guard try SerializationVarint.readUnsigned(&peek, "field_id") == id else { continue }
            fields = peek
            switch id {
            case 0: flags = try narrow(try SerializationVarint.readUnsigned(&fields, "gtid_flags"), &fields, "gtid_flags")
            case 1:
                var bytes: [UInt8] = []
                bytes.reserveCapacity(16)
                for _ in 0..<16 { bytes.append(try narrow(try SerializationVarint.readUnsigned(&fields, "sid"), &fields, "sid")) }
                sid = ServerUUID(bytes: bytes)
            case 2: gno = try SerializationVarint.readSigned(&fields, "gno")
            case 3:
                let length = try SerializationVarint.readUnsigned(&fields, "tag")
                guard length <= UInt64(maximumTagLength) else {
                    throw fields.error(.invalidLength("tag of \(length) bytes is longer than 32"), field: "tag")
                }
                let bytes = try fields.readBytes(Int(length), "tag")
                tag = bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
            case 4: lastCommitted = try SerializationVarint.readSigned(&fields, "last_committed")
            case 5: sequenceNumber = try SerializationVarint.readSigned(&fields, "sequence_number")
            case 6: immediateCommit = try SerializationVarint.readUnsigned(&fields, "immediate_commit_timestamp")
            case 7: originalCommit = try SerializationVarint.readUnsigned(&fields, "original_commit_timestamp")
            case 8: transactionLength = try SerializationVarint.readUnsigned(&fields, "transaction_length")
            case 9: immediateVersion = try narrow(try SerializationVarint.readUnsigned(&fields, "immediate_server_version"), &fields, "immediate_server_version")
            case 10: originalVersion = try narrow(try SerializationVarint.readUnsigned(&fields, "original_server_version"), &fields, "original_server_version")
            default: ticket = try SerializationVarint.readUnsigned(&fields, "commit_group_ticket")
            }
        }
        // Anything after the last known field belongs to a newer server and may be ignored.
        _ = fields.readRest()

        var event = GTIDEvent(flags: flags, sid: sid, gno: gno)
        event.tag = tag
        event.lastCommitted = lastCommitted
        event.sequenceNumber = sequenceNumber
        event.immediateCommitTimestamp = immediateCommit
        event.originalCommitTimestamp = originalCommit ?? immediateCommit
        event.transactionLength = transactionLength
        event.immediateServerVersion = immediateVersion
        event.originalServerVersion = originalVersion ?? immediateVersion
        event.commitGroupTicket = ticket
        return event
    }

    /// A varint stored into a narrower field: larger values are an error, as in MySQL's reader.
    private static func narrow<T: FixedWidthInteger & UnsignedInteger>(
        _ value: UInt64, _ reader: inout ByteReader, _ field: StaticString
    ) throws(BinlogDecodingError) -> T {
        guard value <= UInt64(T.max) else {
            throw reader.error(.invalidValue("value \(value) does not fit the field"), field: field.description)
        }
        return T(value)
    }
}
