// RAND_EVENT: the seeds of RAND() for the next statement.

/// | Name | Format | Description |
/// |---|---|---|
/// | seed1 | int<8> | |
/// | seed2 | int<8> | |
public struct RandEvent: Hashable, Sendable {
    public var seed1: UInt64
    public var seed2: UInt64

    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {
        seed1 = try reader.readUInt64("seed1")
        seed2 = try reader.readUInt64("seed2")
    }
}
