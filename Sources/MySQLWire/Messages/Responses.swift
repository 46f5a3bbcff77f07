// The server's generic responses: OK, ERR, EOF, and the authentication exchanges.
import NIOCore

/// An ERR packet: what the server said went wrong.
///
/// | Name | Format | Description |
/// |---|---|---|
/// | header | int<1> | 0xFF |
/// | error_code | int<2> | |
/// | sql_state_marker | string<1> | `#` (protocol 4.1) |
/// | sql_state | string<5> | |
/// | error_message | string<EOF> | |
public struct ServerError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: UInt16
    public var sqlState: String
    public var message: String

    public init(code: UInt16, sqlState: String, message: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    /// Nil when the payload is not an ERR packet or is cut short.
    public init?(parsing payload: ByteBuffer, capabilities: Capabilities) {
        var buffer = payload
        guard buffer.readInteger(as: UInt8.self) == 0xff, let code = buffer.readInteger(endianness: .little, as: UInt16.self) else { return nil }
        self.code = code
        sqlState = ""
        if buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == UInt8(ascii: "#"), buffer.readableBytes >= 6 {
            buffer.moveReaderIndex(forwardBy: 1)
            sqlState = String(decoding: buffer.readBytes(length: 5)!, as: UTF8.self)
        }
        message = String(decoding: buffer.readBytes(length: buffer.readableBytes) ?? [], as: UTF8.self)
    }

    public var description: String { "ERROR \(code) (\(sqlState)): \(message)" }

    /// ER_ACCESS_DENIED_ERROR and friends: the credentials were refused.
    public var isAuthenticationFailure: Bool { [1044, 1045, 1698, 1251, 1275].contains(code) }
}

/// An OK packet (header 0x00, or 0xFE ending a result set with CLIENT_DEPRECATE_EOF).
///
/// | Name | Format | Description |
/// |---|---|---|
/// | header | int<1> | 0x00 or 0xFE |
/// | affected_rows | int<lenenc> | |
/// | last_insert_id | int<lenenc> | |
/// | status_flags | int<2> | |
/// | warnings | int<2> | |
/// | info | string<EOF> | (session state changes with CLIENT_SESSION_TRACK are not read) |
public struct OKPacket: Sendable, Equatable {
    public var affectedRows: UInt64
    public var lastInsertID: UInt64
    public var statusFlags: UInt16
    public var warnings: UInt16

    public init?(parsing payload: ByteBuffer) {
        var buffer = payload
        guard let header = buffer.readInteger(as: UInt8.self), header == 0 || header == 0xfe,
              let affected = buffer.readLengthEncodedInteger(), let insertID = buffer.readLengthEncodedInteger() else { return nil }
        affectedRows = affected
        lastInsertID = insertID
        statusFlags = buffer.readInteger(endianness: .little, as: UInt16.self) ?? 0
        warnings = buffer.readInteger(endianness: .little, as: UInt16.self) ?? 0
    }

    /// SERVER_MORE_RESULTS_EXISTS: another result follows (multi-statement queries, CALL).
    public var moreResultsExist: Bool { statusFlags & 0x0008 != 0 }
    /// SERVER_STATUS_IN_TRANS: a transaction is open.
    public var inTransaction: Bool { statusFlags & 0x0001 != 0 }
}

/// The first byte of a server response, and which packet it makes it.
public enum ResponseKind: Equatable, Sendable {
    case ok
    case error
    /// EOF (header 0xFE, shorter than 9 bytes) — or, in the authentication phase, an auth switch request.
    case eof
    /// 0x01: more authentication data (caching_sha2_password's fast-auth result, a public key).
    case authMoreData
    /// 0xFB: LOCAL INFILE request.
    case localInfile
    /// A result set's column count (or a row).
    case other

    public init(_ payload: ByteBuffer) {
        switch payload.getInteger(at: payload.readerIndex, as: UInt8.self) {
        case 0x00: self = .ok
        case 0xff: self = .error
        case 0xfe: self = payload.readableBytes < 9 ? .eof : .other
        case 0x01: self = .authMoreData
        case 0xfb: self = .localInfile
        default: self = .other
        }
    }
}

/// `Protocol::AuthSwitchRequest`: 0xFE, the plugin to use, its data (a new scramble).
public struct AuthSwitchRequest: Sendable, Equatable {
    public var pluginName: String
    public var pluginData: [UInt8]

    public init?(parsing payload: ByteBuffer) {
        var buffer = payload
        guard buffer.readInteger(as: UInt8.self) == 0xfe, let name = buffer.readNullTerminatedBytes() else { return nil }
        pluginName = String(decoding: name, as: UTF8.self)
        var data = buffer.readBytes(length: buffer.readableBytes) ?? []
        if data.last == 0 { data.removeLast() }
        pluginData = data
    }
}

/// The commands this client sends (`COM_*`), as packet payloads.
public enum Command {
    public static func query(_ sql: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0x03))
        buffer.writeBytes(sql)
        return buffer
    }

    public static var ping: ByteBuffer { ByteBuffer(bytes: [0x0e]) }
    public static var quit: ByteBuffer { ByteBuffer(bytes: [0x01]) }
}
