// What decoding an event depends on from earlier events, passed explicitly to each decoder.

/// The state a binlog carries from event to event.
public struct DecodingContext: Sendable {
    /// The Format_description in force (a bootstrap v4 description before the first event).
    public var formatDescription: FormatDescriptionEvent = .bootstrap
    /// Whether a Format_description (or Start_v3) has been seen in this file.
    public var hasFormatDescription = false
    /// Table maps by table id, as the server keeps them until the statement ends.
    public var tableMaps: [UInt64: TableMapEvent] = [:]
    /// Offset of a MariaDB Start_encryption event: everything after it is encrypted.
    public var encryptionStartedAt: UInt64?

    public init() {}

    /// The checksum algorithm of events other than the Format_description itself.
    public var checksumAlgorithm: ChecksumAlgorithm {
        formatDescription.checksumAlgorithm ?? .undefined
    }
}
