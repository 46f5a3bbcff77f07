// The connection phase: the server's HandshakeV10, the client's SSLRequest and HandshakeResponse41.
import NIOCore

/// `Protocol::HandshakeV10`, the server's first packet.
///
/// | Name | Format | Description |
/// |---|---|---|
/// | protocol_version | int<1> | 10 |
/// | server_version | string<NUL> | MariaDB sends `5.5.5-` before its own version |
/// | connection_id | int<4> | |
/// | auth_plugin_data_part_1 | bytes<8> | first 8 bytes of the scramble |
/// | filler | int<1> | 0 |
/// | capability_flags_1 | int<2> | lower 16 bits |
/// | character_set | int<1> | the server's default collation id |
/// | status_flags | int<2> | |
/// | capability_flags_2 | int<2> | upper 16 bits |
/// | auth_plugin_data_len | int<1> | scramble length + 1 (with CLIENT_PLUGIN_AUTH), else 0 |
/// | reserved | bytes<10> | MariaDB: 6 zero bytes, then its extended capabilities (int<4>) |
/// | auth_plugin_data_part_2 | bytes<max(13, auth_plugin_data_len − 8)> | the rest of the scramble, then a NUL |
/// | auth_plugin_name | string<NUL> | with CLIENT_PLUGIN_AUTH |
public struct HandshakeV10: Sendable, Equatable {
    public var protocolVersion: UInt8
    public var serverVersion: String
    public var connectionID: UInt32
    /// The scramble (nonce), 20 bytes from current servers, without the trailing NUL.
    public var authPluginData: [UInt8]
    public var capabilities: Capabilities
    public var characterSet: UInt8
    public var statusFlags: UInt16
    public var authPluginName: String?
    /// MariaDB's extended capabilities (from the reserved bytes), when it is a MariaDB server.
    public var mariaDBCapabilities: UInt32?

    public init(parsing payload: ByteBuffer) throws(MySQLWireError) {
        var buffer = payload
        func fail(_ what: String) -> MySQLWireError { MySQLWireError("handshake packet: \(what)") }
        guard let version = buffer.readInteger(as: UInt8.self) else { throw fail("empty") }
        if version == 0xff {
            // A server refusing the connection (too many connections, host blocked) sends ERR first.
            throw ServerError(parsing: payload, capabilities: []).map { MySQLWireError("the server refused the connection: \($0)") }
                ?? fail("an error packet that cannot be read")
        }
        guard version == 10 else { throw fail("protocol version \(version); only 10 (MySQL 4.1 and later) is spoken") }
        protocolVersion = version
        guard let versionBytes = buffer.readNullTerminatedBytes() else { throw fail("server version without its NUL") }
        serverVersion = String(decoding: versionBytes, as: UTF8.self)
        guard let id = buffer.readInteger(endianness: .little, as: UInt32.self),
              let part1 = buffer.readBytes(length: 8), buffer.readInteger(as: UInt8.self) != nil,
              let lower = buffer.readInteger(endianness: .little, as: UInt16.self) else {
            throw fail("cut short after the server version")
        }
        connectionID = id
        var scramble = part1
        capabilities = Capabilities(rawValue: UInt32(lower))
        characterSet = 0
        statusFlags = 0
        authPluginName = nil
        mariaDBCapabilities = nil
        guard buffer.readableBytes > 0 else {
            authPluginData = scramble
            return
        }
        guard let charset = buffer.readInteger(as: UInt8.self), let status = buffer.readInteger(endianness: .little, as: UInt16.self),
              let upper = buffer.readInteger(endianness: .little, as: UInt16.self), let dataLength = buffer.readInteger(as: UInt8.self),
              let reserved = buffer.readBytes(length: 10) else {
            throw fail("cut short in the capability flags")
        }
        characterSet = charset
        statusFlags = status
        capabilities.rawValue |= UInt32(upper) << 16
        if !capabilities.contains(.longPassword) && reserved.prefix(6).allSatisfy({ $0 == 0 }) {
            // MariaDB clears CLIENT_LONG_PASSWORD (its CLIENT_MYSQL bit) to say the reserved bytes hold its capabilities.
            mariaDBCapabilities = reserved.suffix(4).enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        }
        if capabilities.contains(.secureConnection) {
            let length = max(13, Int(dataLength) - 8)
            guard let part2 = buffer.readBytes(length: length) else { throw fail("cut short in the scramble") }
            // The part ends with a NUL that is not part of the scramble.
            scramble += part2.last == 0 ? part2.dropLast() : part2[...]
        }
        authPluginData = scramble
        if capabilities.contains(.pluginAuth) {
            guard let name = buffer.readNullTerminatedBytes() else { throw fail("the authentication plugin's name is cut short") }
            authPluginName = String(decoding: name, as: UTF8.self)
        }
    }
}

/// The client's answer: `Protocol::HandshakeResponse41` (or, before TLS, its first 32 bytes as
/// `Protocol::SSLRequest`).
///
/// | Name | Format | Description |
/// |---|---|---|
/// | client_flag | int<4> | capabilities |
/// | max_packet_size | int<4> | |
/// | character_set | int<1> | collation id of the connection |
/// | filler | bytes<23> | zeros (MariaDB: 19 zeros, then its extended capabilities, int<4>) |
/// | username | string<NUL> | |
/// | auth_response | string<lenenc> | with CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA, else int<1> length and the bytes |
/// | database | string<NUL> | with CLIENT_CONNECT_WITH_DB |
/// | client_plugin_name | string<NUL> | with CLIENT_PLUGIN_AUTH |
public struct HandshakeResponse41: Sendable, Equatable {
    public var capabilities: Capabilities
    public var maximumPacketSize: UInt32 = 1 << 30
    /// utf8mb4_general_ci (45): understood by MySQL 5.5+ and MariaDB.
    public var characterSet: UInt8 = 45
    public var username: String
    public var authResponse: [UInt8]
    public var database: String?
    public var authPluginName: String?

    public init(capabilities: Capabilities, username: String, authResponse: [UInt8], database: String?, authPluginName: String?) {
        self.capabilities = capabilities
        self.username = username
        self.authResponse = authResponse
        self.database = database
        self.authPluginName = authPluginName
    }

    /// The 32 bytes both packets start with (all of an SSLRequest).
    public func writeHeader(into buffer: inout ByteBuffer) {
        buffer.writeInteger(capabilities.rawValue, endianness: .little)
        buffer.writeInteger(maximumPacketSize, endianness: .little)
        buffer.writeInteger(characterSet)
        buffer.writeRepeatingByte(0, count: 23)
    }

    public func write(into buffer: inout ByteBuffer) {
        writeHeader(into: &buffer)
        buffer.writeNullTerminated(Array(username.utf8))
        if capabilities.contains(.pluginAuthLengthEncodedData) {
            buffer.writeLengthEncodedBytes(authResponse)
        } else {
            buffer.writeInteger(UInt8(min(authResponse.count, 255)))
            buffer.writeBytes(authResponse.prefix(255))
        }
        if capabilities.contains(.connectWithDB) { buffer.writeNullTerminated(Array((database ?? "").utf8)) }
        if capabilities.contains(.pluginAuth) { buffer.writeNullTerminated(Array((authPluginName ?? "").utf8)) }
    }
}
