// The protocol's basic types on a ByteBuffer: length-encoded integers and strings, NUL-terminated strings.
import NIOCore

extension ByteBuffer {
    /// `int<lenenc>`: 0–250 as one byte, 0xFC + 2 bytes, 0xFD + 3 bytes, 0xFE + 8 bytes (little-endian).
    /// Nil when the bytes end first or the first byte is 0xFB (NULL in rows) or 0xFF.
    public mutating func readLengthEncodedInteger() -> UInt64? {
        guard let first = getInteger(at: readerIndex, as: UInt8.self) else { return nil }
        let width: Int
        switch first {
        case 0..<0xfb:
            moveReaderIndex(forwardBy: 1)
            return UInt64(first)
        case 0xfc: width = 2
        case 0xfd: width = 3
        case 0xfe: width = 8
        default: return nil
        }
        guard readableBytes >= 1 + width else { return nil }
        var value: UInt64 = 0
        for i in 0..<width { value |= UInt64(getInteger(at: readerIndex + 1 + i, as: UInt8.self)!) << (8 * UInt64(i)) }
        moveReaderIndex(forwardBy: 1 + width)
        return value
    }

    public mutating func writeLengthEncodedInteger(_ value: UInt64) {
        switch value {
        case 0..<0xfb: writeInteger(UInt8(value))
        case 0xfb...0xffff:
            writeInteger(UInt8(0xfc))
            writeInteger(UInt16(value), endianness: .little)
        case 0x1_0000...0xff_ffff:
            writeInteger(UInt8(0xfd))
            writeInteger(UInt8(value & 0xff))
            writeInteger(UInt16(value >> 8), endianness: .little)
        default:
            writeInteger(UInt8(0xfe))
            writeInteger(value, endianness: .little)
        }
    }

    /// `string<lenenc>`: a length-encoded integer, then that many bytes.
    public mutating func readLengthEncodedBytes() -> [UInt8]? {
        let start = readerIndex
        guard let length = readLengthEncodedInteger(), length <= UInt64(readableBytes),
              let bytes = readBytes(length: Int(length)) else {
            moveReaderIndex(to: start)
            return nil
        }
        return bytes
    }

    public mutating func writeLengthEncodedBytes(_ bytes: [UInt8]) {
        writeLengthEncodedInteger(UInt64(bytes.count))
        writeBytes(bytes)
    }

    /// `string<NUL>`: the bytes up to a NUL, which is consumed. Nil when there is no NUL.
    public mutating func readNullTerminatedBytes() -> [UInt8]? {
        guard let end = readableBytesView.firstIndex(of: 0) else { return nil }
        let bytes = readBytes(length: end - readableBytesView.startIndex)
        moveReaderIndex(forwardBy: 1)
        return bytes
    }

    public mutating func writeNullTerminated(_ bytes: [UInt8]) {
        writeBytes(bytes)
        writeInteger(UInt8(0))
    }
}
