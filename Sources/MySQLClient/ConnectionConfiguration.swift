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
