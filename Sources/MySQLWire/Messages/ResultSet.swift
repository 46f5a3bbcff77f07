// Text result sets (COM_QUERY's answer): column definitions, then rows of length-encoded strings.
import NIOCore

/// `Protocol::ColumnDefinition41`, the parts a client of this tool needs.
///
/// | Name | Format |
/// |---|---|
/// | catalog, schema, table, org_table, name, org_name | string<lenenc> each |
/// | length of fixed fields | int<lenenc> (0x0C) |
/// | character_set | int<2> |
/// | column_length | int<4> |
/// | type | int<1> |
/// | flags | int<2> |
/// | decimals | int<1> |
public struct ColumnDefinition: Sendable, Equatable {
    public var name: String
    public var type: UInt8
    public var characterSet: UInt16

    public init(parsing payload: ByteBuffer) throws(MySQLWireError) {
        var buffer = payload
        var strings: [[UInt8]] = []
        for _ in 0..<6 {
            guard let bytes = buffer.readLengthEncodedBytes() else { throw MySQLWireError("column definition cut short") }
            strings.append(bytes)
        }
        name = String(decoding: strings[4], as: UTF8.self)
        guard buffer.readLengthEncodedInteger() != nil, let charset = buffer.readInteger(endianness: .little, as: UInt16.self),
              buffer.readInteger(endianness: .little, as: UInt32.self) != nil, let type = buffer.readInteger(as: UInt8.self) else {
            throw MySQLWireError("column definition cut short in its fixed fields")
        }
        self.type = type
        characterSet = charset
    }
}

/// What a query returned: its columns and rows (NULL as nil), or the OK of a statement.
public struct QueryResult: Sendable, Equatable {
    public var columns: [ColumnDefinition] = []
    public var rows: [[[UInt8]?]] = []
    /// The OK packet of a statement without a result set, or the one ending it (CLIENT_DEPRECATE_EOF).
    public var ok: OKPacket?

    public init() {}

    /// A text row: each column a string<lenenc>, or 0xFB for NULL.
    public static func parseRow(_ payload: ByteBuffer, columns: Int) throws(MySQLWireError) -> [[UInt8]?] {
        var buffer = payload
        var row: [[UInt8]?] = []
        row.reserveCapacity(columns)
        for _ in 0..<columns {
            if buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == 0xfb {
                buffer.moveReaderIndex(forwardBy: 1)
                row.append(nil)
            } else {
                guard let value = buffer.readLengthEncodedBytes() else { throw MySQLWireError("result row cut short") }
                row.append(value)
            }
        }
        return row
    }

    /// The rows as text (NULL as nil), for callers that read numbers and names.
    public var textRows: [[String?]] { rows.map { $0.map { $0.map { String(decoding: $0, as: UTF8.self) } } } }
}

/// Reads a COM_QUERY answer from its packets, one at a time: an OK or ERR, or a result set
/// (column count, definitions, EOF unless CLIENT_DEPRECATE_EOF, rows, EOF/OK).
public struct QueryResponseReader: Sendable {
    private enum State { case start, columns(Int), columnsEOF, rows, done }
    private var state = State.start
    private let capabilities: Capabilities
    public private(set) var result = QueryResult()
    /// The number of result sets still announced (SERVER_MORE_RESULTS_EXISTS).
    public private(set) var moreResults = false

    public init(capabilities: Capabilities) { self.capabilities = capabilities }

    /// Feeds the next packet; true when the response is complete.
    public mutating func feed(_ payload: ByteBuffer) throws -> Bool {
        let kind = ResponseKind(payload)
        if kind == .error {
            throw ServerError(parsing: payload, capabilities: capabilities) ?? ServerError(code: 0, sqlState: "", message: "an error packet that cannot be read")
        }
        switch state {
        case .start:
            if kind == .ok, let ok = OKPacket(parsing: payload) {
                result.ok = ok
                moreResults = ok.moreResultsExist
                state = .done
                return true
            }
            if kind == .localInfile { throw MySQLWireError("the server asked for a LOCAL INFILE, which this client does not send") }
            var buffer = payload
            guard let count = buffer.readLengthEncodedInteger(), count > 0, count < 1 << 16 else {
                throw MySQLWireError("a result set header that is not a column count")
            }
            state = .columns(Int(count))
        case .columns(let remaining):
            result.columns.append(try ColumnDefinition(parsing: payload))
            if remaining > 1 {
                state = .columns(remaining - 1)
            } else {
                state = capabilities.contains(.deprecateEOF) ? .rows : .columnsEOF
            }
        case .columnsEOF:
            guard kind == .eof else { throw MySQLWireError("no EOF after the column definitions") }
            state = .rows
        case .rows:
            if kind == .eof || (kind == .ok && capabilities.contains(.deprecateEOF) && payload.getInteger(at: payload.readerIndex, as: UInt8.self) == 0xfe) {
                var buffer = payload
                buffer.moveReaderIndex(forwardBy: 1)
                if kind == .eof {
                    _ = buffer.readInteger(endianness: .little, as: UInt16.self)
                    let status = buffer.readInteger(endianness: .little, as: UInt16.self) ?? 0
                    moreResults = status & 0x0008 != 0
                } else if let ok = OKPacket(parsing: payload) {
                    result.ok = ok
                    moreResults = ok.moreResultsExist
                }
                state = .done
                return true
            }
            result.rows.append(try QueryResult.parseRow(payload, columns: result.columns.count))
        case .done:
            throw MySQLWireError("a packet after the end of the query's response")
        }
        return false
    }
}
