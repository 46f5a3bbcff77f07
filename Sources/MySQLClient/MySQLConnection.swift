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
import NIOSSL
import Synchronization

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

/// A statement of a ``MySQLSession/queryBatch(_:localFile:)`` the server refused: its index, and the error.
public struct BatchFailure: Error, Sendable {
    public var index: Int
    public var error: ServerError
}

/// One session with a server, usable inside ``MySQLConnection/withConnection(_:password:connectTimeout:_:)``.
public final class MySQLSession {
    public let handshake: HandshakeV10
    public let capabilities: Capabilities
    /// The session runs over TLS.
    public let isEncrypted: Bool
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var decoder = PacketDecoder()
    private let channel: Channel

    fileprivate init(handshake: HandshakeV10, capabilities: Capabilities, isEncrypted: Bool, channel: Channel,
                     inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
                     outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, decoder: PacketDecoder) {
        self.channel = channel
        self.handshake = handshake
        self.capabilities = capabilities
        self.isEncrypted = isEncrypted
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
        do {
            return try await execute(sql, localFile: localFile)
        } catch let failure as BatchFailure {
            throw failure.error
        }
    }

    /// Several statements in one COM_QUERY, one round trip (the connection must have asked for
    /// CLIENT_MULTI_STATEMENTS: `ConnectionConfiguration.allowsMultiStatements`). The server runs
    /// them in order and stops at the first error: thrown as ``BatchFailure`` with its index.
    public func queryBatch(_ statements: [[UInt8]], localFile: ((String) -> [UInt8]?)? = nil) async throws {
        guard statements.count > 1 else {
            if let only = statements.first { _ = try await execute(only, localFile: localFile) }
            return
        }
        var sql: [UInt8] = []
        sql.reserveCapacity(statements.reduce(0) { $0 + $1.count + 3 })
        for (index, statement) in statements.enumerated() {
            // A newline first: a statement may end in a -- comment.
            if index > 0 { sql += [0x0a, 0x3b, 0x0a] }
            sql += statement
        }
        _ = try await execute(sql, localFile: localFile, expectedResults: statements.count)
    }

    /// Sends one COM_QUERY and reads every result it gives; an error is a ``BatchFailure``
    /// counting the results completed before it.
    ///
    /// `expectedResults`: how many statements were sent. That many results are read even when an
    /// OK packet in between lacks SERVER_MORE_RESULTS_EXISTS (MariaDB's OK after a BINLOG statement
    /// does), so the session never reads one query's results as the next one's.
    private func execute(_ sql: [UInt8], localFile: ((String) -> [UInt8]?)?, expectedResults: Int = 1) async throws -> QueryResult {
        var completed = 0
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
            let done: Bool
            do {
                done = try reader.feed(packet.payload)
            } catch let error as ServerError {
                throw BatchFailure(index: completed, error: error)
            }
            if done {
                last = reader.result
                completed += 1
                guard reader.moreResults || completed < expectedResults else { return last }
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

    /// Sends a command (sequence id 0) and reads nothing: for commands whose answer is a stream
    /// (COM_BINLOG_DUMP), read with ``nextPacket()``.
    public func sendCommand(_ payload: ByteBuffer) async throws {
        try await send(payload, sequenceID: 0)
    }

    /// The server's next packet (packets of 16 MiB and more joined).
    public func nextPacket() async throws -> MySQLPacket {
        try await MySQLSession.readPacket(&inbound, &decoder)
    }

    /// The server's next packet; when none is complete within `timeout` the connection is closed
    /// and a ``ConnectionError`` says so (a binlog stream whose heartbeats stopped, say).
    public func nextPacket(timeout: TimeAmount) async throws -> MySQLPacket {
        let timedOut = TimeoutFlag()
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            timedOut.value.store(true, ordering: .sequentiallyConsistent)
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            return try await MySQLSession.readPacket(&inbound, &decoder)
        } catch {
            if timedOut.value.load(ordering: .sequentiallyConsistent) {
                let seconds = Double(timeout.nanoseconds) / 1e9
                throw ConnectionError("nothing came from the server for \(seconds.formatted) s (no event, no heartbeat)")
            }
            throw error
        }
    }

    private final class TimeoutFlag: Sendable {
        let value = Atomic<Bool>(false)
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
    /// TLS as `configuration.tls` asks (swift-nio-ssl). Authentication: `mysql_native_password`;
    /// `caching_sha2_password` (fast path; its full path sends the password in clear only over TLS
    /// or a unix socket, and over unencrypted TCP encrypted with the server's RSA key, pinned or
    /// asked for); `mysql_clear_password` over TLS or a socket; switching plugins when the server asks.
    public static func withConnection<Result: Sendable>(
        _ configuration: ConnectionConfiguration, password: [UInt8], connectTimeout: TimeAmount = .seconds(10),
        _ body: (MySQLSession) async throws -> Result
    ) async throws -> Result {
        // The TLS context first: a CA or key file that cannot be used is said before connecting.
        let tlsContext = try makeTLSContext(configuration)
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
        let raw = channel.channel
        return try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var decoder = PacketDecoder()
            let session = try await authenticate(configuration, password: password, tlsContext: tlsContext, channel: raw,
                                                 &iterator, outbound, &decoder)
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

    /// What the handshake asks of TLS for this configuration. Over a unix socket (already private)
    /// `preferred` does not use it; `required` and stronger do.
    static func tlsRequest(_ configuration: ConnectionConfiguration) -> TLSRequest {
        switch configuration.tls.mode {
        case .disabled: return .never
        case .preferred:
            if case .unixSocket = configuration.address { return .never }
            return .ifOffered
        case .required, .verifyCA, .verifyIdentity: return .required
        }
    }

    static func makeTLSContext(_ configuration: ConnectionConfiguration) throws -> NIOSSLContext? {
        guard tlsRequest(configuration) != .never else { return nil }
        let settings = configuration.tls
        var tls = TLSConfiguration.makeClientConfiguration()
        switch settings.mode {
        case .disabled, .preferred, .required: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyIdentity: tls.certificateVerification = .fullVerification
        }
        do {
            if let caFile = settings.caFile { tls.trustRoots = .file(caFile) }
            if let certificateFile = settings.certificateFile {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            }
            if let keyFile = settings.keyFile { tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem)) }
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw ConnectionError("cannot set up TLS (--ssl-ca, --ssl-cert, --ssl-key): \(error)")
        }
    }

    private static func authenticate(_ configuration: ConnectionConfiguration, password: [UInt8], tlsContext: NIOSSLContext?,
                                     channel: Channel,
                                     _ inbound: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
                                     _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
                                     _ decoder: inout PacketDecoder) async throws -> MySQLSession {
        var parameters = AuthenticationParameters(user: configuration.user, password: password, database: configuration.database)
        parameters.allowsLocalFiles = configuration.allowsLocalFiles
        parameters.allowsMultiStatements = configuration.allowsMultiStatements
        parameters.tls = tlsContext == nil ? .never : tlsRequest(configuration)
        if case .unixSocket = configuration.address { parameters.overUnixSocket = true }
        parameters.serverPublicKey = configuration.serverPublicKey
        parameters.requestsServerPublicKey = configuration.requestsServerPublicKey
        var authenticator = ClientAuthenticator(parameters)
        let address = configuration.addressDescription
        let expectedName = tlsServerName(configuration)
        func failure(_ error: Error) -> ConnectionError {
            if let error = error as? ConnectionError {
                return ConnectionError("\(address): \(error.message) during the \(authenticator.usesTLS ? "TLS " : "")handshake")
            }
            guard authenticator.usesTLS else { return ConnectionError("\(address): \(error)") }
            if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
                return ConnectionError("\(address): TLS handshake failed: the server's certificate does not name \(expectedName ?? address) (--ssl-mode verify-identity)")
            }
            let text = "\(error)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return ConnectionError("\(address): TLS handshake failed: the server's certificate is not signed by a CA "
                                       + (configuration.tls.caFile.map { "of \($0)" } ?? "this system trusts") + " (--ssl-mode \(configuration.tls.mode.rawValue))")
            }
            return ConnectionError("\(address): TLS handshake failed: \(text)")
        }
        while true {
            let packet: MySQLPacket
            do {
                packet = try await MySQLSession.readPacket(&inbound, &decoder)
            } catch {
                throw failure(error)
            }
            var sequence = packet.sequenceID &+ 1
            let outputs: [ClientAuthenticator.Output]
            do {
                outputs = try authenticator.receive(packet.payload)
            } catch {
                throw ConnectionError("\(address): \(error.message)", serverError: error.serverError)
            }
            var index = 0
            while index < outputs.count {
                switch outputs[index] {
                case .send(let payload):
                    if index + 1 < outputs.count, outputs[index + 1] == .startTLS, let tlsContext {
                        try await startTLS(after: payload, sequence: sequence, context: tlsContext, configuration: configuration, channel: channel)
                        index += 1
                    } else {
                        do {
                            try await write(payload, sequence, outbound)
                        } catch {
                            // A failed TLS handshake closes the channel under the write: its own error is the one to tell.
                            do {
                                _ = try await MySQLSession.readPacket(&inbound, &decoder)
                            } catch {
                                throw failure(error)
                            }
                            throw failure(error)
                        }
                    }
                    sequence &+= 1
                case .startTLS:
                    throw ConnectionError("\(address): TLS was to start without the SSLRequest before it")
                case .authenticated:
                    return MySQLSession(handshake: authenticator.handshake!, capabilities: authenticator.capabilities,
                                        isEncrypted: authenticator.usesTLS, channel: channel, inbound: inbound, outbound: outbound, decoder: decoder)
                }
                index += 1
            }
        }
    }

    /// The name the server's certificate must carry (and SNI): `tls.serverName`, else a TCP host
    /// given by name. Nil for IP addresses: those are checked against the peer's address.
    static func tlsServerName(_ configuration: ConnectionConfiguration) -> String? {
        if let name = configuration.tls.serverName { return name }
        if case .tcp(let host, _) = configuration.address, !host.isEmpty, (try? SocketAddress(ipAddress: host, port: 0)) == nil {
            return host
        }
        return nil
    }

    /// Writes the SSLRequest and puts the TLS handler in front of the pipeline in one go on the
    /// event loop: the request leaves unencrypted, everything after it goes through TLS.
    private static func startTLS(after request: ByteBuffer, sequence: UInt8, context: NIOSSLContext,
                                 configuration: ConnectionConfiguration, channel: Channel) async throws {
        var wire = ByteBuffer()
        PacketEncoder.encode(request, sequenceID: sequence, into: &wire)
        let name = tlsServerName(configuration)
        let outgoing = wire
        try await channel.eventLoop.submit {
            channel.writeAndFlush(outgoing, promise: nil)
            let handler = try NIOSSLClientHandler(context: context, serverHostname: name)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
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

extension Double {
    /// Whole numbers without a fraction ("7"), others with one decimal ("2.5").
    fileprivate var formatted: String {
        self == rounded() ? String(Int(self)) : String((self * 10).rounded() / 10)
    }
}
