// A connection to a MySQL or MariaDB server over TCP or a unix socket: handshake, authentication,
// queries. The protocol is MySQLWire's; this file moves its packets over SwiftNIO.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLWire
import NIOCore
import NIOPosix

/// Why a connection could not be made or used: the exit-code-3 kind of error (cannot reach or
/// authenticate), with the server's own error when it gave one.
public struct ConnectionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var serverError: ServerError?
    public init(_ message: String, serverError: ServerError? = nil) {
        self.message = message
        self.serverError = serverError
    }
    public var description: String { message }
}

/// One session with a server, usable inside ``MySQLConnection/withConnection(_:password:connectTimeout:_:)``.
public final class MySQLSession {
    public let handshake: HandshakeV10
    public let capabilities: Capabilities
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var decoder = PacketDecoder()

    fileprivate init(handshake: HandshakeV10, capabilities: Capabilities,
                     inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
                     outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, decoder: PacketDecoder) {
        self.handshake = handshake
        self.capabilities = capabilities
        self.inbound = inbound
        self.outbound = outbound
        self.decoder = decoder
    }

    /// The server's version as it gives it (MariaDB's without the `5.5.5-` prefix).
    public var serverVersion: String {
        handshake.serverVersion.hasPrefix("5.5.5-") ? String(handshake.serverVersion.dropFirst(6)) : handshake.serverVersion
    }

    /// Runs one statement (or several, when the server allows it) and returns its last result.
    /// A server error is thrown as ``ServerError``.
    @discardableResult
    public func query(_ sql: String) async throws -> QueryResult {
        try await query(Array(sql.utf8))
    }

    /// `localFile` answers a LOAD DATA LOCAL INFILE request (the connection must have asked for
    /// CLIENT_LOCAL_FILES): the file's bytes, or nil to refuse it (an empty file is sent).
    @discardableResult
    public func query(_ sql: [UInt8], localFile: ((String) -> [UInt8]?)? = nil) async throws -> QueryResult {
        try await send(Command.query(sql), sequenceID: 0)
        var reader = QueryResponseReader(capabilities: capabilities)
        var last = QueryResult()
        while true {
            let packet = try await MySQLSession.readPacket(&inbound, &decoder)
            if ResponseKind(packet.payload) == .localInfile {
                // 0xFB and the file name; the client answers with the file's contents, then an empty packet.
                var request = packet.payload
                request.moveReaderIndex(forwardBy: 1)
                let name = String(decoding: request.readBytes(length: request.readableBytes) ?? [], as: UTF8.self)
                let contents = localFile?(name) ?? []
                var sequence = packet.sequenceID &+ 1
                var offset = 0
                repeat {
                    let end = min(contents.count, offset + (1 << 20))
                    if end > offset {
                        sequence = try await send(ByteBuffer(bytes: contents[offset..<end]), sequenceID: sequence)
                    }
                    offset = end
                } while offset < contents.count
                _ = try await send(ByteBuffer(), sequenceID: sequence)
                continue
            }
            if try reader.feed(packet.payload) {
                last = reader.result
                guard reader.moreResults else { return last }
                reader = QueryResponseReader(capabilities: capabilities)
            }
        }
    }

    /// COM_PING: true when the server answers OK.
    public func ping() async throws -> Bool {
        try await send(Command.ping, sequenceID: 0)
        let packet = try await MySQLSession.readPacket(&inbound, &decoder)
        if let error = ServerError(parsing: packet.payload, capabilities: capabilities) { throw error }
        return ResponseKind(packet.payload) == .ok
    }

    fileprivate func quit() async {
        _ = try? await send(Command.quit, sequenceID: 0)
    }

    @discardableResult
    private func send(_ payload: ByteBuffer, sequenceID: UInt8) async throws -> UInt8 {
        var wire = ByteBuffer()
        let next = PacketEncoder.encode(payload, sequenceID: sequenceID, into: &wire)
        try await outbound.write(wire)
        return next
    }

    fileprivate static func readPacket(_ inbound: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
                                       _ decoder: inout PacketDecoder) async throws -> MySQLPacket {
        while true {
            if let packet = try decoder.next() { return packet }
            guard let bytes = try await inbound.next() else {
                throw ConnectionError("the server closed the connection")
            }
            decoder.feed(bytes)
        }
    }
}

public enum MySQLConnection {
    /// Connects, authenticates, runs `body` with the session, then says COM_QUIT and closes.
    ///
    /// Authentication: `mysql_native_password`, and `caching_sha2_password` (fast path; its full
    /// path sends the password only over a unix socket), switching plugins when the server asks.
    /// TLS is not spoken yet: over TCP the connection is unencrypted.
    public static func withConnection<Result: Sendable>(
        _ configuration: ConnectionConfiguration, password: [UInt8], connectTimeout: TimeAmount = .seconds(10),
        _ body: (MySQLSession) async throws -> Result
    ) async throws -> Result {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(connectTimeout)
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            switch configuration.address {
            case .tcp(let host, let port):
                channel = try await bootstrap.connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
            case .unixSocket(let path):
                channel = try await bootstrap.connect(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
            }
        } catch {
            throw ConnectionError("cannot connect to \(configuration.addressDescription): \(MySQLConnection.reason(error))")
        }
        return try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var decoder = PacketDecoder()
            let session = try await authenticate(configuration, password: password, &iterator, outbound, &decoder)
            do {
                let result = try await body(session)
                await session.quit()
                return result
            } catch {
                await session.quit()
                throw error
            }
        }
    }

    private static func authenticate(_ configuration: ConnectionConfiguration, password: [UInt8],
                                     _ inbound: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
                                     _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
                                     _ decoder: inout PacketDecoder) async throws -> MySQLSession {
        let first = try await MySQLSession.readPacket(&inbound, &decoder)
        let handshake: HandshakeV10
        do {
            handshake = try HandshakeV10(parsing: first.payload)
        } catch {
            throw ConnectionError("\(configuration.addressDescription): \(error)")
        }
        guard handshake.capabilities.contains(.protocol41) && handshake.capabilities.contains(.secureConnection) else {
            throw ConnectionError("\(configuration.addressDescription): the server (\(handshake.serverVersion)) does not speak the 4.1 protocol")
        }
        var capabilities = Capabilities.client.intersection(handshake.capabilities)
        capabilities.insert(.protocol41)
        if configuration.allowsLocalFiles && handshake.capabilities.contains(.localFiles) { capabilities.insert(.localFiles) }
        if configuration.database != nil { capabilities.insert(.connectWithDB) }
        let secure: Bool
        if case .unixSocket = configuration.address { secure = true } else { secure = false }
        var plugin = handshake.authPluginName ?? "mysql_native_password"
        var scramble = handshake.authPluginData
        let response = AuthPlugin.response(plugin: plugin, password: password, scramble: scramble, secureTransport: secure) ?? []
        var packet = ByteBuffer()
        HandshakeResponse41(capabilities: capabilities, username: configuration.user, authResponse: response,
                            database: configuration.database, authPluginName: plugin).write(into: &packet)
        var sequence = first.sequenceID &+ 1
        try await write(packet, sequence, outbound)
        while true {
            let answer = try await MySQLSession.readPacket(&inbound, &decoder)
            sequence = answer.sequenceID &+ 1
            switch ResponseKind(answer.payload) {
            case .ok:
                return MySQLSession(handshake: handshake, capabilities: capabilities, inbound: inbound, outbound: outbound, decoder: decoder)
            case .error:
                let error = ServerError(parsing: answer.payload, capabilities: capabilities)
                throw ConnectionError("\(configuration.addressDescription): \(error.map { "\($0)" } ?? "an error the server sent cannot be read")",
                                      serverError: error)
            case .eof:
                guard let request = AuthSwitchRequest(parsing: answer.payload) else {
                    throw ConnectionError("\(configuration.addressDescription): an authentication switch request that cannot be read")
                }
                plugin = request.pluginName
                scramble = request.pluginData
                guard let switched = AuthPlugin.response(plugin: plugin, password: password, scramble: scramble, secureTransport: secure) else {
                    throw ConnectionError("\(configuration.addressDescription): the server asks for authentication plugin \(plugin), which this client does not speak\(plugin == "mysql_clear_password" ? " over an unencrypted connection" : "")")
                }
                try await write(ByteBuffer(bytes: switched), sequence, outbound)
            case .authMoreData:
                var data = answer.payload
                data.moveReaderIndex(forwardBy: 1)
                guard plugin == "caching_sha2_password", let status = data.readInteger(as: UInt8.self) else {
                    throw ConnectionError("\(configuration.addressDescription): unexpected authentication data for plugin \(plugin)")
                }
                if status == 3 { continue }  // fast authentication succeeded: the OK follows
                guard status == 4, secure else {
                    throw ConnectionError("\(configuration.addressDescription): caching_sha2_password wants the full password exchange, which this client does only over a unix socket so far (the RSA key exchange and TLS are not written yet)")
                }
                try await write(ByteBuffer(bytes: AuthPlugin.clearText(password)), sequence, outbound)
            default:
                throw ConnectionError("\(configuration.addressDescription): an unexpected packet during authentication")
            }
        }
    }

    /// The system's words for a failed connect (NIO wraps them in a list of attempts).
    static func reason(_ error: Error) -> String {
        if let failures = (error as? NIOConnectionError)?.connectionErrors, let io = failures.last?.error as? IOError {
            return String(cString: strerror(io.errnoCode))
        }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        if error is ChannelError { return "timed out or closed (\(error))" }
        return "\(error)"
    }

    private static func write(_ payload: ByteBuffer, _ sequence: UInt8, _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws {
        var wire = ByteBuffer()
        PacketEncoder.encode(payload, sequenceID: sequence, into: &wire)
        try await outbound.write(wire)
    }
}

extension ConnectionConfiguration {
    /// `host:port` or the socket's path, for messages.
    public var addressDescription: String {
        switch address {
        case .tcp(let host, let port): return "\(host):\(port)"
        case .unixSocket(let path): return path
        }
    }
}
