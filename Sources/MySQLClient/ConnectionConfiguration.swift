// Where and how to reach a server (the connection is MySQLConnection).

/// The address and credentials of a MySQL or MariaDB server.
public struct ConnectionConfiguration: Sendable, Hashable {
    public enum Address: Sendable, Hashable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public var address: Address
    public var user: String
    public var database: String?
    /// Ask for CLIENT_LOCAL_FILES (LOAD DATA LOCAL INFILE; the session's caller decides which files it sends).
    public var allowsLocalFiles = false
    /// Ask for CLIENT_MULTI_STATEMENTS (MySQLSession.queryBatch).
    public var allowsMultiStatements = false
    public var tls = TLSSettings()
    /// caching_sha2_password's RSA public key (PEM) for unencrypted TCP, pinned by the user.
    public var serverPublicKey: String?
    /// Ask the server for its RSA public key when none is pinned (trusting what it sends).
    public var requestsServerPublicKey = false

    public init(address: Address, user: String, database: String? = nil) {
        self.address = address
        self.user = user
        self.database = database
    }

    /// True for addresses on this machine (loopback or a unix socket): the cases where an
    /// unencrypted connection is not worth a warning.
    public var isLocal: Bool {
        switch address {
        case .unixSocket: return true
        case .tcp(let host, _):
            return host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }
    }
}

/// TLS as the mysql client's `--ssl-mode`, `--ssl-ca`, `--ssl-cert` and `--ssl-key` set it.
public struct TLSSettings: Sendable, Hashable {
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// Never.
        case disabled
        /// Over TCP when the server offers it, without checking its certificate (not over a unix socket).
        case preferred
        /// Always (over a unix socket too), without checking the certificate.
        case required
        /// Always; the certificate must be signed by the CA (`caFile`, else the system's CAs).
        case verifyCA = "verify-ca"
        /// As verify-ca, and the certificate must name the host (DNS name or IP address).
        case verifyIdentity = "verify-identity"
    }

    public var mode: Mode = .preferred
    /// PEM file of the CAs to trust (verify-ca, verify-identity).
    public var caFile: String?
    /// The client's certificate and key (PEM), for servers that ask for one.
    public var certificateFile: String?
    public var keyFile: String?
    /// The name the server's certificate must carry (verify-identity) and the TLS server name
    /// sent; by default the TCP host when it is a name (an IP address is checked as an address).
    public var serverName: String?

    public init(mode: Mode = .preferred, caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
                serverName: String? = nil) {
        self.serverName = serverName
        self.mode = mode
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}
