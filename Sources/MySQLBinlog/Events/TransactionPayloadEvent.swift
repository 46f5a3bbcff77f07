// TRANSACTION_PAYLOAD_EVENT (MySQL 8.0.20+): a whole transaction's events, compressed.
import CZstd

/// | Name | Format | Description |
/// |---|---|---|
/// | fields | type int<lenenc>, length int<lenenc>, value | 1 = payload_size, 2 = compression_type (0 zstd, 255 none), 3 = uncompressed_size; 0 ends the header |
/// | payload | bytes<EOF> | the compressed events |
public struct TransactionPayloadEvent: Hashable, Sendable {
    public var payloadSize: UInt64
    public var compressionType: UInt64
    public var uncompressedSize: UInt64
    /// The compressed bytes, undecoded here.
    public var payload: [UInt8]

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        var payloadSize: UInt64 = 0
        var compressionType: UInt64 = 0
        var uncompressedSize: UInt64 = 0
        header: while !reader.isAtEnd {
            let type = try reader.readLengthEncodedInteger("field_type")
            if type == 0 { break header }
            let length = try reader.length(try reader.readLengthEncodedInteger("field_length"), "field_value")
            var value = try reader.bounded(length, "field_value")
            switch type {
            case 1: payloadSize = try value.readLengthEncodedInteger("payload_size")
            case 2: compressionType = try value.readLengthEncodedInteger("compression_type")
            case 3: uncompressedSize = try value.readLengthEncodedInteger("uncompressed_size")
            default: break
            }
        }
        self.payloadSize = payloadSize
        self.compressionType = compressionType
        self.uncompressedSize = uncompressedSize
        payload = Array(reader.readRest())
    }

    public var compressionName: String {
        switch compressionType {
        case 0: return "ZSTD"
        case 255: return "NONE"
        default: return "UNKNOWN(\(compressionType))"
        }
    }
}

extension TransactionPayloadEvent {
    /// The body (everything after the common header) of a Transaction_payload event holding
    /// `events`, each without a checksum, as the server encodes it (`codecs::binary::
    /// Transaction_payload::encode`): compression_type, uncompressed_size (unless NONE) and
    /// payload_size as type-length-value fields of packed integers, the end mark 0, then the
    /// payload. `compressionType` 0 compresses with zstd (one frame); 255 stores the events.
    public static func encodeBody(events: [[UInt8]], compressionType: UInt64) throws(BinlogDecodingError) -> [UInt8] {
        let plain = events.flatMap { $0 }
        let payload: [UInt8]
        switch compressionType {
        case 255:
            payload = plain
        case 0:
            var compressed = [UInt8](repeating: 0, count: ZSTD_compressBound(plain.count))
            let size = compressed.withUnsafeMutableBytes { out in
                plain.withUnsafeBytes { input in
                    ZSTD_compress(out.baseAddress, out.count, input.baseAddress, input.count, 3)
                }
            }
            guard ZSTD_isError(size) == 0 else {
                throw BinlogDecodingError(.invalidValue("zstd compression failed: \(String(cString: ZSTD_getErrorName(size)))"), offset: 0)
            }
            payload = Array(compressed[..<size])
        default:
            throw BinlogDecodingError(.invalidValue("cannot write a Transaction_payload with compression type \(compressionType)"), offset: 0)
        }
        var body: [UInt8] = []
        func field(_ type: UInt64, _ value: UInt64) {
            let encoded = packed(value)
            body += packed(type) + packed(UInt64(encoded.count)) + encoded
        }
        field(2, compressionType)
        if compressionType != 255 { field(3, UInt64(plain.count)) }
        field(1, UInt64(payload.count))
        body += packed(0)
        return body + payload
    }

    /// `net_store_length`.
    static func packed(_ value: UInt64) -> [UInt8] {
        func little(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }
        if value < 251 { return [UInt8(value)] }
        if value < 1 << 16 { return [0xfc] + little(2) }
        if value < 1 << 24 { return [0xfd] + little(3) }
        return [0xfe] + little(8)
    }
}
