// Caps on what hostile input can make the decoder allocate or do.

/// Limits and switches for decoding. The defaults follow the servers' own limits.
public struct DecodingOptions: Sendable, Hashable {
    /// Largest event accepted (the server's own limit is 1 GiB, `max_allowed_packet`'s maximum).
    public var maximumEventSize: Int = 1 << 30
    /// Largest size a compressed event or payload may inflate to.
    public var maximumDecompressedSize: Int = 1 << 30
    /// Deepest nesting of objects and arrays converted in a MySQL binary JSON value (the server
    /// refuses documents deeper than 100, `JSON_DOCUMENT_MAX_DEPTH`). The text of a value is
    /// also capped at 16 times its binary size plus 1 KiB (``MySQLJSON/maximumTextSize(binarySize:)``),
    /// because a hostile document can point many values at the same bytes.
    public var maximumJSONDepth: Int = 100
    /// Verify the CRC32 of every event whose Format_description announces CRC32.
    public var verifyChecksums: Bool = true

    public init() {}
}
