// The connection phase as a state machine without I/O: the server's packets in, the client's
// packets (and the moment to start TLS) out. MySQLClient moves the bytes.
//
// The exchanges, from the protocol documentation (Connection Phase, caching_sha2_password):
//
//     server: HandshakeV10                       client: [SSLRequest, TLS,] HandshakeResponse41
//     server: OK                                 → authenticated
//     server: ERR                                → refused
//     server: 0xFE plugin data (AuthSwitch)      client: the new plugin's answer
//     server: 0x01 0x03 (caching_sha2 fast OK)   → wait for the OK
//     server: 0x01 0x04 (full authentication)    client: password + NUL over TLS or a socket;
//                                                  else RSA-OAEP((password + NUL) XOR scramble)
//                                                  with a pinned key, or 0x02 to ask for the key
//     server: 0x01 PEM public key                client: the RSA answer with that key
import NIOCore

/// What the client asks of TLS.
public enum TLSRequest: Sendable, Equatable {
    /// Never (the SSLRequest is not sent even when the server offers TLS).
    case never
    /// When the server offers it.
    case ifOffered
    /// Always: a server that does not offer it is refused.
    case required
}

/// The client's side of the connection phase.
public struct AuthenticationParameters: Sendable {
    public var user: String
    public var password: [UInt8]
    public var database: String?
    public var allowsLocalFiles = false
    /// Ask for CLIENT_MULTI_STATEMENTS (several statements in one COM_QUERY).
    public var allowsMultiStatements = false
    public var tls: TLSRequest = .never
    /// The transport is a unix socket: a clear-text password may be sent over it.
    public var overUnixSocket = false
    /// caching_sha2_password's RSA public key (PEM), pinned by the user.
    public var serverPublicKey: String?
    /// Ask the server for its RSA public key when none is pinned (and trust what it sends).
    public var requestsServerPublicKey = false

    public init(user: String, password: [UInt8], database: String? = nil) {
        self.user = user
        self.password = password
        self.database = database
    }
}

/// Why the connection phase failed; `serverError` when the server said so with an ERR packet.
public struct AuthenticationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var serverError: ServerError?
    public init(_ message: String, serverError: ServerError? = nil) {
        self.message = message
        self.serverError = serverError
    }
    public var description: String { message }
}

public struct ClientAuthenticator: Sendable {
    public enum Output: Equatable, Sendable {
        /// Send this payload as the next packet.
        case send(ByteBuffer)
        /// Start TLS now (after the packets before it are on the wire); the next packet goes over it.
        case startTLS
        /// The server accepted: the session begins.
        case authenticated
    }

    private enum State { case greeting, exchanging, awaitingPublicKey, done }

    public let parameters: AuthenticationParameters
    public private(set) var handshake: HandshakeV10?
    /// The capabilities both sides agreed on (valid after the greeting).
    public private(set) var capabilities: Capabilities = []
    public private(set) var usesTLS = false
    private var plugin = ""
    private var scramble: [UInt8] = []
    private var state = State.greeting

    public init(_ parameters: AuthenticationParameters) {
        self.parameters = parameters
    }

    /// Clear-text passwords only over TLS or a unix socket.
    private var secureTransport: Bool { usesTLS || parameters.overUnixSocket }

    /// Feeds the server's next packet; returns what to do (nothing: wait for the next packet).
    public mutating func receive(_ payload: ByteBuffer) throws(AuthenticationError) -> [Output] {
        switch state {
        case .greeting: return try greet(payload)
        case .exchanging, .awaitingPublicKey: return try exchange(payload)
        case .done: throw AuthenticationError("a packet after the authentication ended")
        }
    }

    private mutating func greet(_ payload: ByteBuffer) throws(AuthenticationError) -> [Output] {
        let handshake: HandshakeV10
        do {
            handshake = try HandshakeV10(parsing: payload)
        } catch {
            throw AuthenticationError("\(error)")
        }
        self.handshake = handshake
        guard handshake.capabilities.contains(.protocol41) && handshake.capabilities.contains(.secureConnection) else {
            throw AuthenticationError("the server (\(handshake.serverVersion)) does not speak the 4.1 protocol")
        }
        capabilities = Capabilities.client.intersection(handshake.capabilities)
        capabilities.insert(.protocol41)
        if parameters.allowsLocalFiles && handshake.capabilities.contains(.localFiles) { capabilities.insert(.localFiles) }
        if parameters.database != nil { capabilities.insert(.connectWithDB) }
        if parameters.allowsMultiStatements && handshake.capabilities.contains(.multiStatements) { capabilities.insert(.multiStatements) }
        var outputs: [Output] = []
        switch parameters.tls {
        case .never: break
        case .ifOffered, .required:
            if handshake.capabilities.contains(.ssl) {
                capabilities.insert(.ssl)
                usesTLS = true
            } else if parameters.tls == .required {
                throw AuthenticationError("TLS is required (--ssl-mode), and the server (\(handshake.serverVersion)) does not offer it")
            }
        }
        plugin = handshake.authPluginName ?? "mysql_native_password"
        scramble = handshake.authPluginData
        let response = try firstAnswer()
        let packet = HandshakeResponse41(capabilities: capabilities, username: parameters.user, authResponse: response,
                                         database: parameters.database, authPluginName: plugin)
        if usesTLS {
            var request = ByteBuffer()
            packet.writeHeader(into: &request)
            outputs += [.send(request), .startTLS]
        }
        var buffer = ByteBuffer()
        packet.write(into: &buffer)
        outputs.append(.send(buffer))
        state = .exchanging
        return outputs
    }

    /// The plugin's first answer; a plugin this client cannot speak (or not over this transport) is an error.
    private func firstAnswer() throws(AuthenticationError) -> [UInt8] {
        guard let answer = AuthPlugin.response(plugin: plugin, password: parameters.password, scramble: scramble,
                                               secureTransport: secureTransport) else {
            throw AuthenticationError("the server asks for authentication plugin \(plugin), which this client does not speak"
                                      + (plugin == "mysql_clear_password" ? " over an unencrypted TCP connection" : ""))
        }
        return answer
    }

    private mutating func exchange(_ payload: ByteBuffer) throws(AuthenticationError) -> [Output] {
        // In this phase 0xFE is always an auth switch request (ResponseKind would call a long one a row).
        switch payload.getInteger(at: payload.readerIndex, as: UInt8.self) {
        case 0x00:
            state = .done
            return [.authenticated]
        case 0xff:
            state = .done
            let error = ServerError(parsing: payload, capabilities: capabilities)
            throw AuthenticationError(error.map { "\($0)" } ?? "an error the server sent cannot be read", serverError: error)
        case 0xfe where state == .exchanging:
            guard let request = AuthSwitchRequest(parsing: payload) else {
                throw AuthenticationError("an authentication switch request that cannot be read")
            }
            plugin = request.pluginName
            scramble = request.pluginData
            return [.send(ByteBuffer(bytes: try firstAnswer()))]
        case 0x01:
            var data = payload
            data.moveReaderIndex(forwardBy: 1)
            guard plugin == "caching_sha2_password" else {
                throw AuthenticationError("unexpected authentication data for plugin \(plugin)")
            }
            if state == .awaitingPublicKey {
                let pem = String(decoding: data.readableBytesView, as: UTF8.self)
                state = .exchanging
                return [.send(ByteBuffer(bytes: try rsaAnswer(publicKey: pem)))]
            }
            switch data.readInteger(as: UInt8.self) {
            case 3:
                return []  // fast authentication succeeded: the OK follows
            case 4:
                if secureTransport { return [.send(ByteBuffer(bytes: AuthPlugin.clearText(parameters.password)))] }
                if let pinned = parameters.serverPublicKey { return [.send(ByteBuffer(bytes: try rsaAnswer(publicKey: pinned)))] }
                guard parameters.requestsServerPublicKey else {
                    throw AuthenticationError("caching_sha2_password wants the full password exchange, and the connection is "
                                              + "neither TLS nor a unix socket: use TLS (--ssl-mode), pin the server's RSA key "
                                              + "(--server-public-key-path), or let it be asked for (--get-server-public-key)")
                }
                state = .awaitingPublicKey
                return [.send(ByteBuffer(bytes: [0x02]))]
            default:
                throw AuthenticationError("caching_sha2_password: an answer this client does not know")
            }
        default:
            throw AuthenticationError("an unexpected packet during authentication")
        }
    }

    private func rsaAnswer(publicKey pem: String) throws(AuthenticationError) -> [UInt8] {
        do {
            return try AuthPlugin.rsaEncryptedPassword(parameters.password, scramble: scramble, publicKeyPEM: pem)
        } catch {
            throw AuthenticationError("caching_sha2_password: the server's RSA public key cannot be used: \(error)")
        }
    }
}
