// XA_PREPARE_LOG_EVENT (MySQL): ends the first phase of an XA transaction.

/// | Name | Format | Description |
/// |---|---|---|
/// | one_phase | int<1> | XA COMMIT … ONE PHASE |
/// | format_id | int<4> | |
/// | gtrid_length | int<4> | ≤ 64 |
/// | bqual_length | int<4> | ≤ 64 |
/// | data | bytes<gtrid_length + bqual_length> | |
public struct XAPrepareEvent: Hashable, Sendable {
    public var isOnePhase: Bool
    public var xid: XID

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        isOnePhase = try reader.readUInt8("one_phase") != 0
        let formatID = Int32(bitPattern: try reader.readUInt32("format_id"))
        let gtridLength = try reader.readUInt32("gtrid_length")
        let bqualLength = try reader.readUInt32("bqual_length")
        guard gtridLength <= 64, bqualLength <= 64 else {
            throw reader.error(.invalidLength("XID lengths \(gtridLength)/\(bqualLength) exceed 64"), field: "gtrid_length")
        }
        let gtrid = Array(try reader.readBytes(Int(gtridLength), "gtrid"))
        let bqual = Array(try reader.readBytes(Int(bqualLength), "bqual"))
        xid = XID(formatID: formatID, gtrid: gtrid, bqual: bqual)
    }
}

/// An X/Open XA transaction identifier.
public struct XID: Hashable, Sendable {
    public var formatID: Int32
    public var gtrid: [UInt8]
    public var bqual: [UInt8]

    public init(formatID: Int32, gtrid: [UInt8], bqual: [UInt8]) {
        self.formatID = formatID
        self.gtrid = gtrid
        self.bqual = bqual
    }
}
