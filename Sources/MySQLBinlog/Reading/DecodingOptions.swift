// Caps on what hostile input can make the decoder allocate or do.

/// Limits and switches for decoding. The defaults follow the servers' own limits.
public struct DecodingOptions: Sendable, Hashable {
    /// Largest event accepted (the server's own limit is 1 GiB, `max_allowed_packet`'s maximum).
    public var maximumEventSize: Int = 1 << 30
    /// Largest size a compressed event or payload may inflate to.
    public var maximumDecompressedSize: Int = 1 << 30
    /// Deepest JSON nesting decoded before giving up. Reserved for MySQL's binary JSON, which is
    /// not decoded yet (JSON column values are kept as their bytes): nothing reads it today.
    public var maximumJSONDepth: Int = 1000
    /// Verify the CRC32 of every event whose Format_description announces CRC32.
    public var verifyChecksums: Bool = true

    public init() {}
}
