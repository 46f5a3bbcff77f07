// Frames and decodes the events of one binlog from a byte source, in bounded memory.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The magic number that starts every binlog file: `fe 'b' 'i' 'n'`.
public let binlogMagic: [UInt8] = [0xfe, 0x62, 0x69, 0x6e]

/// Reads the events of one binlog, one at a time, through a fixed window of memory.
///
/// Memory does not grow with the number of events: the window holds at most one event beyond
/// its size (an event larger than the window is read into a buffer of its own size, and the
/// window shrinks back afterwards).
public struct BinlogEventReader {
    public var decoder: BinlogDecoder
    /// The file name used in errors.
    public let name: String
    private var source: any ByteSource
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEnd = false
    private let windowSize: Int
    /// File offset of `buffer[start]`.
    public private(set) var offset: UInt64 = 0

    public init(source: any ByteSource, name: String, options: DecodingOptions = DecodingOptions(), windowSize: Int = 1 << 20) {
        self.source = source
        self.name = name
        self.decoder = BinlogDecoder(options: options)
        self.windowSize = max(windowSize, 64)
        self.buffer = [UInt8](repeating: 0, count: self.windowSize)
    }

    /// Makes at least `count` bytes available from `start`; false when the input ends first.
    private mutating func fill(_ count: Int) throws -> Bool {
        if end - start >= count { return true }
        if atEnd { return false }
        if start > 0 {
            let live = end - start
            if buffer.count > windowSize && live <= windowSize && count <= windowSize {
                buffer = Array(buffer[start..<end]) + [UInt8](repeating: 0, count: windowSize - live)
            } else {
                buffer.withUnsafeMutableBytes { raw in
                    let base = raw.baseAddress!
                    memmove(base, base + start, live)
                }
            }
            end = live
            start = 0
        }
        while end < count {
            // Grow at most by doubling: a size field claiming more than the input holds must not
            // make us allocate what it claims.
            if end == buffer.count {
                buffer.append(contentsOf: repeatElement(0, count: min(count, max(buffer.count * 2, windowSize)) - buffer.count))
            }
            let read = try buffer.withUnsafeMutableBytes { raw in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[end...]))
            }
            if read == 0 {
                atEnd = true
                return false
            }
            end += read
        }
        return true
    }

    /// Reads and checks the 4-byte magic number.
    public mutating func readMagic() throws {
        _ = try fill(4)
        try EventFraming.checkMagic(Array(buffer[start..<min(end, start + 4)]), name: name)
        start += 4
        offset = 4
    }

    /// Starts reading at `position`, an event boundary the caller knows (bytes before it are skipped).
    public mutating func skip(to position: UInt64) throws {
        while offset < position {
            guard try fill(1) else { return }
            let step = Int(min(UInt64(end - start), position - offset))
            start += step
            offset += UInt64(step)
        }
    }

    /// The bytes of the next event and its offset, or `nil` at a clean end of input.
    /// Throws when the input ends inside an event, or when a header's length is impossible.
    public mutating func nextEventBytes() throws -> (bytes: ArraySlice<UInt8>, offset: UInt64)? {
        if !(try fill(EventFraming.minimumHeader)) {
            if end == start { return nil }
            throw EventFraming.truncated(in: buffer, at: start, available: end - start, offset: offset, name: name)
        }
        let minimum = decoder.context.hasFormatDescription ? decoder.headerLength : EventFraming.minimumHeader
        let size = try EventFraming.checkedSize(in: buffer, at: start, end: end, offset: offset, minimum: minimum,
                                                options: decoder.options, name: name)
        if !(try fill(size)) {
            throw EventFraming.truncated(in: buffer, at: start, available: end - start, offset: offset, name: name)
        }
        let bytes = buffer[start..<(start + size)]
        let eventOffset = offset
        start += size
        offset += UInt64(size)
        return (bytes, eventOffset)
    }

    private var peeked: BinlogEvent??

    /// The next event without consuming it (``next()`` returns it again).
    public mutating func peek() throws -> BinlogEvent? {
        if let peeked { return peeked }
        let event = try next()
        peeked = .some(event)
        return event
    }

    /// The next decoded event, or `nil` at a clean end of input.
    public mutating func next() throws -> BinlogEvent? {
        if let event = peeked {
            peeked = nil
            return event
        }
        guard let (bytes, eventOffset) = try nextEventBytes() else { return nil }
        do {
            return try decoder.decode(bytes, at: eventOffset)
        } catch var failure {
            failure.file = name
            throw failure
        }
    }

    /// Bytes left in the window past the last event read (for reporting a partial tail).
    public var bufferedByteCount: Int { end - start }
}
