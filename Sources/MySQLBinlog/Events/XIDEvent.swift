// XID_EVENT: commits a transaction on a transactional engine.

/// | Name | Format | Description |
/// |---|---|---|
/// | xid | int<8> | the transaction's XID |
public struct XIDEvent: Hashable, Sendable {
    public var xid: UInt64

    init(xid: UInt64) { self.xid = xid }

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        xid = try reader.readUInt64("xid")
    }
}
