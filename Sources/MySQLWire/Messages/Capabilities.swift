// Capability flags (CLIENT_*) the client and server exchange in the handshake.

/// The `CLIENT_*` flags, lower and upper 16 bits as the handshake carries them. MariaDB's
/// extended capabilities (the 4 bytes it puts in the handshake's reserved field) are separate.
public struct Capabilities: OptionSet, Sendable, Hashable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let longPassword = Self(rawValue: 1)
    public static let foundRows = Self(rawValue: 1 << 1)
    public static let longFlag = Self(rawValue: 1 << 2)
    public static let connectWithDB = Self(rawValue: 1 << 3)
    public static let noSchema = Self(rawValue: 1 << 4)
    public static let compress = Self(rawValue: 1 << 5)
    public static let localFiles = Self(rawValue: 1 << 7)
    public static let protocol41 = Self(rawValue: 1 << 9)
    public static let interactive = Self(rawValue: 1 << 10)
    public static let ssl = Self(rawValue: 1 << 11)
    public static let transactions = Self(rawValue: 1 << 13)
    /// `CLIENT_SECURE_CONNECTION` (`CLIENT_RESERVED2`): 4.1 authentication.
    public static let secureConnection = Self(rawValue: 1 << 15)
    public static let multiStatements = Self(rawValue: 1 << 16)
    public static let multiResults = Self(rawValue: 1 << 17)
    public static let psMultiResults = Self(rawValue: 1 << 18)
    public static let pluginAuth = Self(rawValue: 1 << 19)
    public static let connectAttributes = Self(rawValue: 1 << 20)
    public static let pluginAuthLengthEncodedData = Self(rawValue: 1 << 21)
    public static let canHandleExpiredPasswords = Self(rawValue: 1 << 22)
    public static let sessionTrack = Self(rawValue: 1 << 23)
    /// `CLIENT_DEPRECATE_EOF`: result sets end with an OK packet (header 0xFE) instead of EOF.
    public static let deprecateEOF = Self(rawValue: 1 << 24)

    /// What this client asks for (when the server offers it): 4.1 protocol and authentication,
    /// plugin authentication with length-encoded data, transactions, multiple results.
    public static let client: Capabilities = [.longPassword, .longFlag, .protocol41, .transactions, .secureConnection,
                                              .multiResults, .pluginAuth, .pluginAuthLengthEncodedData, .foundRows]
}
