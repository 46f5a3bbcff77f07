// The one error type of the decoding layer: what went wrong, and exactly where.

/// A binlog could not be decoded.
///
/// Every error names the absolute byte offset in the input where the problem was found, the
/// type of the event being decoded when it is known, and the field being read.
public struct BinlogDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// The input ended inside a field or an event.
        case truncated(needed: Int, available: Int)
        /// A length field holds a value that cannot be right.
        case invalidLength(String)
        /// A field holds a value outside its domain.
        case invalidValue(String)
        /// The stored checksum does not match the bytes.
        case checksumMismatch(expected: UInt32, computed: UInt32)
        /// The input does not start with a binlog magic number.
        case notABinlog(firstBytes: [UInt8])
        /// The file is encrypted; `detail` says what would be needed to read it.
        case encrypted(String)
        /// A size cap of `DecodingOptions` was exceeded.
        case limitExceeded(String)
        /// A compressed payload could not be decompressed.
        case decompressionFailed(String)
    }

    public var reason: Reason
    /// Absolute byte offset in the input (file) where the problem is.
    public var offset: UInt64
    /// The event being decoded, when known.
    public var eventType: BinlogEventType?
    /// Byte offset at which that event starts, when known.
    public var eventOffset: UInt64?
    /// The field being read, when known.
    public var field: String?
    /// The file name, filled in by the stream that reads files.
    public var file: String?

    public init(
        _ reason: Reason, offset: UInt64, eventType: BinlogEventType? = nil,
        eventOffset: UInt64? = nil, field: String? = nil, file: String? = nil
    ) {
        self.reason = reason
        self.offset = offset
        self.eventType = eventType
        self.eventOffset = eventOffset
        self.field = field
        self.file = file
    }

    public var description: String {
        var text = ""
        if let file { text += "\(file): " }
        switch reason {
        case .notABinlog(let first):
            let hex = first.map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined(separator: " ")
            return text + "not a binlog file (found bytes \(hex.isEmpty ? "none" : hex), expected fe 62 69 6e)"
        default:
            break
        }
        text += "at offset \(offset)"
        if let eventType {
            text += " in \(eventType.name) event"
            if let eventOffset, eventOffset != offset { text += " starting at \(eventOffset)" }
        }
        if let field { text += ", field \(field)" }
        text += ": "
        switch reason {
        case .truncated(let needed, let available):
            text += "truncated: needed \(needed) bytes, \(available) available"
        case .invalidLength(let detail), .invalidValue(let detail), .limitExceeded(let detail),
            .decompressionFailed(let detail), .encrypted(let detail):
            text += detail
        case .checksumMismatch(let expected, let computed):
            text += "checksum mismatch: event says 0x\(hex8(expected)), bytes give 0x\(hex8(computed))"
        case .notABinlog:
            break
        }
        return text
    }
}

func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
