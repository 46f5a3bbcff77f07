// What both readers check when they cut the byte stream into events: the magic number and each event's size.

/// The rules for framing events, shared by ``BinlogEventReader`` and ``PrefetchingEventReader``.
enum EventFraming {
    /// The 13 bytes that must be there to know an event's type and size (the binlog v1 header).
    static let minimumHeader = 13

    /// Checks the first bytes of an input; throws for anything but the binlog magic number.
    static func checkMagic(_ first: [UInt8], name: String) throws(BinlogDecodingError) {
        if first == binlogMagic { return }
        if first == [0xfd, 0x62, 0x69, 0x6e] {
            throw BinlogDecodingError(.encrypted("MySQL encrypted binlog (magic fd 62 69 6e): reading it needs the source server's keyring; read it through the server (mysqlbinlog --read-from-remote-server) or decrypt it first"),
                                      offset: 0, file: name)
        }
        throw BinlogDecodingError(.notABinlog(firstBytes: first), offset: 0, file: name)
    }

    /// The `event_size` field of the header starting at `index` (at least 13 bytes must be there).
    @inline(__always)
    static func size(in bytes: [UInt8], at index: Int) -> Int {
        Int(bytes[index + 9]) | Int(bytes[index + 10]) << 8 | Int(bytes[index + 11]) << 16 | Int(bytes[index + 12]) << 24
    }

    /// The size of the event whose header starts at `index` (at `offset` in the file), once it is
    /// known to be possible: no smaller than the header and no larger than the cap. A zero size
    /// over zero bytes to the end of what was read is told apart as a zero-filled tail.
    static func checkedSize(in bytes: [UInt8], at index: Int, end: Int, offset: UInt64, minimum: Int,
                            options: DecodingOptions, name: String) throws(BinlogDecodingError) -> Int {
        let size = size(in: bytes, at: index)
        let type = BinlogEventType(rawValue: bytes[index + 4])
        if size < minimum {
            if size == 0 && bytes[index..<end].allSatisfy({ $0 == 0 }) {
                throw BinlogDecodingError(.invalidLength("zero-filled bytes from here (\(end - index) read so far): not an event"),
                                          offset: offset, field: "event_size", file: name)
            }
            throw BinlogDecodingError(.invalidLength("event size \(size) is smaller than the \(minimum)-byte header"),
                                      offset: offset + 9, eventType: type, eventOffset: offset, field: "event_size", file: name)
        }
        if size > options.maximumEventSize {
            throw BinlogDecodingError(.limitExceeded("event size \(size) exceeds the cap of \(options.maximumEventSize) bytes"),
                                      offset: offset + 9, eventType: type, eventOffset: offset, field: "event_size", file: name)
        }
        return size
    }

    /// The error for input that ends `available` bytes into the event at `offset`.
    static func truncated(in bytes: [UInt8], at index: Int, available: Int, offset: UInt64, name: String) -> BinlogDecodingError {
        guard available >= minimumHeader else {
            return BinlogDecodingError(.truncated(needed: minimumHeader, available: available), offset: offset,
                                       eventType: available > 4 ? BinlogEventType(rawValue: bytes[index + 4]) : nil,
                                       eventOffset: available > 4 ? offset : nil, field: "header", file: name)
        }
        return BinlogDecodingError(.truncated(needed: size(in: bytes, at: index), available: available), offset: offset,
                                   eventType: BinlogEventType(rawValue: bytes[index + 4]), eventOffset: offset,
                                   field: "event", file: name)
    }
}
