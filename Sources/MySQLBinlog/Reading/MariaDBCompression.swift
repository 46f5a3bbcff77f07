// MariaDB's compressed event bodies (`log_bin_compress`): one header byte, a big-endian length, zlib data.
import CZlib

/// Decompresses the bodies of MariaDB's QUERY_COMPRESSED and *_ROWS_COMPRESSED events.
///
/// | Name | Format | Description |
/// |---|---|---|
/// | header | int<1> | `0x80` set; bits 4–6 algorithm (0 = zlib); bits 0–2 byte count of the length |
/// | length | int<1..4> big-endian | uncompressed size |
/// | data | bytes<EOF> | zlib stream |
public enum MariaDBCompression {
    /// The most deflate can expand: 1032 bytes out per byte in.
    static let maximumZlibRatio = 1032

    public static func decompress(
        _ bytes: ArraySlice<UInt8>, offset: UInt64, eventType: BinlogEventType?, eventOffset: UInt64?,
        field: String, options: DecodingOptions
    ) throws(BinlogDecodingError) -> [UInt8] {
        func failure(_ reason: BinlogDecodingError.Reason) -> BinlogDecodingError {
            BinlogDecodingError(reason, offset: offset, eventType: eventType, eventOffset: eventOffset, field: field)
        }
        guard let header = bytes.first else { throw failure(.truncated(needed: 1, available: 0)) }
        guard header & 0xe0 == 0x80 else {
            throw failure(.invalidValue("compressed body header byte 0x\(String(header, radix: 16)) lacks the 0x80 marker"))
        }
        let algorithm = (header & 0x70) >> 4
        guard algorithm == 0 else { throw failure(.invalidValue("unknown compression algorithm \(algorithm)")) }
        let lengthBytes = Int(header & 0x07)
        guard (1...4).contains(lengthBytes) else {
            throw failure(.invalidValue("compressed length field of \(lengthBytes) bytes"))
        }
        guard bytes.count > lengthBytes else { throw failure(.truncated(needed: lengthBytes + 1, available: bytes.count)) }
        var length = 0
        for byte in bytes.dropFirst().prefix(lengthBytes) { length = length << 8 | Int(byte) }
        guard length <= options.maximumDecompressedSize else {
            throw failure(.limitExceeded("declared uncompressed size \(length) exceeds the cap of \(options.maximumDecompressedSize) bytes"))
        }
        let data = bytes.dropFirst(1 + lengthBytes)
        // Deflate never inflates more than 1032:1 (a 258-byte match per 2 bits at best): a header
        // claiming more is damaged or hostile, and must not make us allocate what it claims.
        guard length <= data.count.multipliedReportingOverflow(by: maximumZlibRatio).partialValue + 64 else {
            throw failure(.invalidLength("declared uncompressed size \(length) is more than \(data.count) bytes of zlib data can inflate to"))
        }
        var output = [UInt8](repeating: 0, count: length)
        var produced = uLongf(length)
        let status: Int32 = output.withUnsafeMutableBufferPointer { out in
            data.withUnsafeBufferPointer { input in
                // uncompress needs a non-null destination even for 0 bytes.
                var dummy: UInt8 = 0
                return withUnsafeMutablePointer(to: &dummy) { dummyPointer in
                    CZlib.uncompress(out.baseAddress ?? dummyPointer, &produced, input.baseAddress ?? UnsafePointer(dummyPointer), uLong(input.count))
                }
            }
        }
        if status == Z_BUF_ERROR && Int(produced) == length {
            throw failure(.decompressionFailed("the zlib data inflates beyond the \(length) bytes its header declares"))
        }
        guard status == Z_OK else {
            throw failure(.decompressionFailed("zlib error \(status) inflating \(data.count) bytes declared to inflate to \(length)"))
        }
        guard Int(produced) == length else {
            throw failure(.decompressionFailed("inflated to \(produced) bytes, header declared \(length)"))
        }
        return output
    }

    /// The value of a MariaDB compressed column (`VARCHAR`/`BLOB`/`TEXT … COMPRESSED`) from its
    /// stored bytes. Empty bytes are the empty value; otherwise:
    ///
    /// | Name | Format | Description |
    /// |---|---|---|
    /// | header | int<1> | `0x80` clear: the value follows as is. Set: bits 0–2 the byte count of the length, bit 3 set for raw deflate (clear: a zlib stream) |
    /// | length | int<0..7> big-endian | the value's size (when compressed) |
    /// | data | bytes<EOF> | the value, or its deflate / zlib stream |
    public static func inflateColumn(_ bytes: ArraySlice<UInt8>, maximumSize: Int) throws(BinlogDecodingError) -> [UInt8] {
        func failure(_ message: String) -> BinlogDecodingError {
            BinlogDecodingError(.decompressionFailed(message), offset: 0, field: "compressed column")
        }
        guard let header = bytes.first else { return [] }
        guard header & 0x80 != 0 else { return Array(bytes.dropFirst()) }
        let lengthBytes = Int(header & 0x07)
        guard bytes.count > lengthBytes else { throw failure("the column's header declares \(lengthBytes) length bytes, \(bytes.count - 1) follow") }
        var length = 0
        for byte in bytes.dropFirst().prefix(lengthBytes) { length = length << 8 | Int(byte) }
        let data = bytes.dropFirst(1 + lengthBytes)
        guard length <= maximumSize else {
            throw BinlogDecodingError(.limitExceeded("a compressed column declares \(length) bytes, past the cap of \(maximumSize)"),
                                      offset: 0, field: "compressed column")
        }
        guard length <= data.count.multipliedReportingOverflow(by: maximumZlibRatio).partialValue + 64 else {
            throw failure("a compressed column declares \(length) bytes, more than its \(data.count) bytes of deflate data can inflate to")
        }
        var output = [UInt8](repeating: 0, count: length)
        var stream = z_stream()
        let windowBits: Int32 = header & 0x08 != 0 ? -15 : 15
        guard inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw failure("cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        var input = Array(data)
        var dummy: UInt8 = 0
        let status: Int32 = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                withUnsafeMutablePointer(to: &dummy) { dummyPointer in
                    stream.next_in = inputBuffer.baseAddress ?? dummyPointer
                    stream.avail_in = uInt(inputBuffer.count)
                    stream.next_out = outputBuffer.baseAddress ?? dummyPointer
                    stream.avail_out = uInt(outputBuffer.count)
                    return inflate(&stream, Z_FINISH)
                }
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == length else {
            throw failure("the column's deflate data does not inflate to the \(length) bytes its header declares (zlib status \(status), \(stream.total_out) bytes)")
        }
        return output
    }
}
