// A server UUID as binlogs store it: 16 raw bytes.

public struct ServerUUID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    init(parsing reader: inout ByteReader, _ field: StaticString) throws(BinlogDecodingError) {
        bytes = Array(try reader.readBytes(16, field))
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower case.
    public var description: String {
        let digits: [Character] = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(36)
        for (i, byte) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { text.append("-") }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xf)])
        }
        return text
    }

    public static func < (a: ServerUUID, b: ServerUUID) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
