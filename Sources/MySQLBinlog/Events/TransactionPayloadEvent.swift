// TRANSACTION_PAYLOAD_EVENT (MySQL 8.0.20+): a whole transaction's events, compressed.

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
