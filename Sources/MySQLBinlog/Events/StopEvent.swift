// STOP_EVENT: the server shut down cleanly; it has no body.

public struct StopEvent: Hashable, Sendable {
    init(parsing reader: inout ByteReader) throws(BinlogDecodingError) {}
}
