// Group Replication's TRANSACTION_CONTEXT and VIEW_CHANGE events (MySQL 5.7.6+).

/// TRANSACTION_CONTEXT_EVENT: certification information of a transaction.
///
/// | Name | Format | Description |
/// |---|---|---|
/// | server_uuid_len | int<1> | |
/// | thread_id | int<4> | |
/// | gtid_specified | int<1> | |
/// | encoded_snapshot_version_len | int<4> | |
/// | write_set_len | int<4> | number of write-set items |
/// | read_set_len | int<4> | number of read-set items |
/// | server_uuid | string | |
/// | encoded_snapshot_version | bytes | |
/// | write_set, read_set | int<2> length + bytes, each | |
public struct TransactionContextEvent: Hashable, Sendable {
    public var serverUUID: BinlogString
    public var threadID: UInt32
    public var isGTIDSpecified: Bool
    public var encodedSnapshotVersion: [UInt8]
    public var writeSet: [[UInt8]]
    public var readSet: [[UInt8]]

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        let uuidLength = Int(try reader.readUInt8("server_uuid_len"))
        threadID = try reader.readUInt32("thread_id")
        isGTIDSpecified = try reader.readUInt8("gtid_specified") != 0
        let snapshotLength = try reader.length(UInt64(try reader.readUInt32("encoded_snapshot_version_len")), "encoded_snapshot_version")
        let writeCount = try reader.readUInt32("write_set_len")
        let readCount = try reader.readUInt32("read_set_len")
        serverUUID = try reader.readString(uuidLength, "server_uuid")
        encodedSnapshotVersion = Array(try reader.readBytes(snapshotLength, "encoded_snapshot_version"))
        func items(_ count: UInt32, _ reader: inout ByteReader, _ field: StaticString) throws(BinlogDecodingError) -> [[UInt8]] {
            guard count <= UInt32(reader.remaining / 2) else {
                throw reader.error(.invalidLength("\(count) items cannot fit in \(reader.remaining) bytes"), field: field.description)
            }
            var result: [[UInt8]] = []
            for _ in 0..<count {
                let length = Int(try reader.readUInt16(field))
                result.append(Array(try reader.readBytes(length, field)))
            }
            return result
        }
        writeSet = try items(writeCount, &reader, "write_set")
        readSet = try items(readCount, &reader, "read_set")
    }
}

/// VIEW_CHANGE_EVENT: a Group Replication membership change.
///
/// | Name | Format | Description |
/// |---|---|---|
/// | view_id | string<40> | NUL-padded |
/// | seq_number | int<8> | |
/// | cert_info_len | int<4> | number of certification entries |
/// | per entry | int<2> key length, key, int<4> value length, value | |
public struct ViewChangeEvent: Hashable, Sendable {
    public var viewID: String
    public var sequenceNumber: UInt64
    public var certificationInfo: [(key: BinlogString, value: [UInt8])] { zip(keys, values).map { ($0, $1) } }
    public var keys: [BinlogString]
    public var values: [[UInt8]]

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        viewID = FormatDescriptionEvent.trimmedVersion(try reader.readBytes(40, "view_id"))
        sequenceNumber = try reader.readUInt64("seq_number")
        let count = try reader.readUInt32("cert_info_len")
        guard count <= UInt32(reader.remaining / 6) else {
            throw reader.error(.invalidLength("\(count) entries cannot fit in \(reader.remaining) bytes"), field: "cert_info_len")
        }
        keys = []
        values = []
        for _ in 0..<count {
            let keyLength = Int(try reader.readUInt16("cert_info_key_len"))
            keys.append(try reader.readString(keyLength, "cert_info_key"))
            let valueLength = try reader.length(UInt64(try reader.readUInt32("cert_info_value_len")), "cert_info_value")
            values.append(Array(try reader.readBytes(valueLength, "cert_info_value")))
        }
    }
}

/// An event whose type this library does not decode: the header says what it is, the bytes are kept.
public struct UnsupportedEvent: Hashable, Sendable {
    public var type: BinlogEventType
    public var body: [UInt8]
    /// Set in the header: a server that does not know the event may skip it.
    public var isIgnorable: Bool
}
