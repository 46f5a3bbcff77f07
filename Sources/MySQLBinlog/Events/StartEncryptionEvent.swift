// START_ENCRYPTION_EVENT (MariaDB): every later event of the file is encrypted.

/// | Name | Format | Description |
/// |---|---|---|
/// | scheme | int<1> | 1 = AES |
/// | key_version | int<4> | |
/// | nonce | bytes<12> | |
public struct StartEncryptionEvent: Hashable, Sendable {
    public var scheme: UInt8
    public var keyVersion: UInt32
    public var nonce: [UInt8]

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        scheme = try reader.readUInt8("scheme")
        keyVersion = try reader.readUInt32("key_version")
        nonce = Array(try reader.readBytes(12, "nonce"))
    }
}
