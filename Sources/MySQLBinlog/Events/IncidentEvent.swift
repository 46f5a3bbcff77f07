// INCIDENT_EVENT: something happened on the source that a replica cannot reproduce.

/// | Name | Format | Description |
/// |---|---|---|
/// | incident | int<2> | 1 = INCIDENT_LOST_EVENTS |
/// | message_length | int<1> | optional |
/// | message | string<message_length> | |
public struct IncidentEvent: Hashable, Sendable {
    public var incident: UInt16
    public var message: BinlogString

    init(parsing reader: inout ByteReader, postHeaderLength: Int) throws(BinlogDecodingError) {
        incident = try reader.readUInt16("incident")
        if postHeaderLength > 2 { try reader.skip(postHeaderLength - 2, "post_header") }
        message = reader.isAtEnd ? BinlogString([]) : try reader.readLengthPrefixedString("message")
    }
}
