// Reads, frames and checksums events on a second thread, so decoding and printing have a core to themselves.
import Dispatch

/// A reader of one binlog's events that does the I/O, the framing and the CRC32 checks on a
/// background thread, a few chunks ahead of the consumer.
///
/// Memory stays bounded: at most `depth` chunks of `chunkSize` bytes wait in the queue (a chunk
/// grows only to hold one event larger than it). Events are slices of chunks that are never
/// written again, so keeping an event costs no copy.
public final class PrefetchingEventReader {
    /// One event framed by the producer: where it is and whether its checksum was checked.
    struct Framed {
        var start: Int
        var count: Int
        var offset: UInt64
        var verified: Bool
        /// Where the side work's output for this event is in the batch's `side` bytes.
        var sideStart: Int = 0
        var sideCount: Int = -1
    }

    /// Work done for each event on the reading thread, needing nothing but the event's bytes
    /// (for example its base64 text): it appends its result to the buffer and returns true, or
    /// returns false when it has nothing for that event.
    public typealias SideWork = @Sendable (_ event: ArraySlice<UInt8>, _ output: inout [UInt8]) -> Bool

    /// What the producer hands over: a chunk and the events in it, or the error that ended reading.
    struct Batch {
        var chunk: [UInt8]
        var events: [Framed]
        /// The events decoded, one for each of `events`, when the reading thread decodes too.
        var decoded: [BinlogEvent] = []
        var side: [UInt8]
        var failure: (any Error)?
        var end: Bool
    }

    private final class Producer: @unchecked Sendable {
        var source: any ByteSource
        let name: String
        let options: DecodingOptions
        let chunkSize: Int
        var offset: UInt64 = 4
        var carry: [UInt8] = []
        var algorithm = ChecksumAlgorithm.undefined
        var headerLength = EventHeader.v4Length
        var sawFormat = false
        let sideWork: SideWork?
        /// Set when the reading thread decodes the events too.
        var decoder: BinlogDecoder?

        init(source: any ByteSource, name: String, options: DecodingOptions, chunkSize: Int, sideWork: SideWork?) {
            self.sideWork = sideWork
            self.source = source
            self.name = name
            self.options = options
            self.chunkSize = chunkSize
        }
    }

    public let name: String
    private let shared: HandoffQueue<Batch>
    private var decoder: BinlogDecoder
    private var currentChunk: [UInt8] = []
    private var currentSide: [UInt8] = []
    private var lastSide: Range<Int>?

    /// The side work's output for the event ``next()`` returned last, if it produced any.
    public var sideWorkResult: ArraySlice<UInt8>? { lastSide.map { currentSide[$0] } }
    private var currentEvents: [Framed] = []
    private var currentDecoded: [BinlogEvent] = []
    private var currentFailure: (any Error)?
    private var currentIsLast = false
    private var position = 0
    private var done = false
    /// The error that ended reading: every later call throws it again, so a failure (met by
    /// ``peek()``, say) never passes for a clean end of input.
    private var terminalError: (any Error)?

    /// What an event handed out leaves in its batch (refers to no buffer).
    private static let placeholder = BinlogEvent(header: EventHeader(timestamp: 0, type: .unknown, serverID: 0, eventSize: 0, logPosition: 0, flags: []),
                                                 payload: .xid(XIDEvent(xid: 0)), offset: 0, bytes: [], checksum: nil)

    /// Reads and checks the 4-byte magic number at the start of `source`.
    public static func readMagic(from source: inout any ByteSource, name: String) throws {
        var magic = [UInt8](repeating: 0, count: 4)
        var count = 0
        while count < 4 {
            let read = try magic.withUnsafeMutableBytes { raw in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[count...]))
            }
            if read == 0 { break }
            count += read
        }
        try EventFraming.checkMagic(Array(magic.prefix(count)), name: name)
    }

    /// Starts reading `source`, whose 4-byte magic number has already been read and checked.
    ///
    /// With `decodesAhead` the reading thread decodes the events as well, and ``next()`` hands
    /// them over as they are (the consumer's thread is then left with what it does with them);
    /// ``context``, ``nextFramed()`` and ``decode(_:)`` are not for such a reader.
    public init(source: any ByteSource, name: String, options: DecodingOptions = DecodingOptions(),
                chunkSize: Int = 1 << 18, depth: Int = 3, sideWork: SideWork? = nil, decodesAhead: Bool = false) {
        self.name = name
        self.decoder = BinlogDecoder(options: options)
        let shared = HandoffQueue<Batch>(depth: depth)
        self.shared = shared
        let producer = Producer(source: source, name: name, options: options, chunkSize: max(chunkSize, 4096), sideWork: sideWork)
        if decodesAhead { producer.decoder = BinlogDecoder(options: options) }
        DispatchQueue.global().async {
            PrefetchingEventReader.produce(producer, shared)
            shared.markFinished()
        }
    }

    deinit {
        shared.cancelAndWait()
    }

    /// The decoding state (the Format_description in force, table maps).
    public var context: DecodingContext { decoder.context }

    private var peeked: BinlogEvent??

    /// The next event without consuming it (``next()`` returns it again).
    public func peek() throws -> BinlogEvent? {
        if let peeked { return peeked }
        let event = try next()
        peeked = .some(event)
        return event
    }

    /// The next decoded event, or `nil` at a clean end of input.
    public func next() throws -> BinlogEvent? {
        if let event = peeked {
            peeked = nil
            return event
        }
        while true {
            if done {
                if let terminalError { throw terminalError }
                return nil
            }
            if position < currentEvents.count {
                let framed = currentEvents[position]
                position += 1
                lastSide = framed.sideCount >= 0 ? framed.sideStart..<(framed.sideStart + framed.sideCount) : nil
                if position <= currentDecoded.count {
                    // Moved out, not copied: the batch never hands an event out twice, and a
                    // copy would retain (and the batch later release) every buffer it refers to.
                    return currentDecoded.withUnsafeMutableBufferPointer { events in
                        let base = events.baseAddress!
                        let event = (base + position - 1).move()
                        (base + position - 1).initialize(to: PrefetchingEventReader.placeholder)
                        return event
                    }
                }
                let bytes = currentChunk[framed.start..<(framed.start + framed.count)]
                do {
                    return try decoder.decode(bytes, at: framed.offset, checksumVerified: framed.verified)
                } catch var failure {
                    failure.file = name
                    done = true
                    terminalError = failure
                    throw failure
                }
            }
            if try !takeBatch() { return nil }
        }
    }

    /// Moves to the next batch once the current one is used up: false at the end of the input,
    /// throws the error that ended reading.
    private func takeBatch() throws -> Bool {
        if let failure = currentFailure {
            done = true
            terminalError = failure
            throw failure
        }
        if currentIsLast {
            done = true
            return false
        }
        let batch = shared.take()
        // Kept as separate properties: reading an event then copies no batch.
        currentChunk = batch.chunk
        currentSide = batch.side
        currentEvents = batch.events
        currentDecoded = batch.decoded
        currentFailure = batch.failure
        currentIsLast = batch.end
        position = 0
        return true
    }

    /// An event as framed by the reading thread, not decoded yet (see ``nextFramed()``).
    public struct FramedEvent {
        /// The whole event, header and checksum included.
        public var bytes: ArraySlice<UInt8>
        public var offset: UInt64
        var verified: Bool
        /// The event type byte.
        public var type: BinlogEventType { BinlogEventType(rawValue: bytes[bytes.startIndex + 4]) }
    }

    /// The next event, framed and with its checksum checked, but decoded only when the reader
    /// needs it to go on: a Format_description or Start_v3 (they set how later events are read),
    /// Start_encryption, and any event whose checksum does not match or that follows an
    /// encryption start (decoding throws the error, with offsets). Consumers that read some
    /// events themselves (``EventLayout``) call ``decode(_:)`` for the rest,
    /// in file order. Table maps are known to the decoding context only when decoded.
    public func nextFramed() throws -> FramedEvent? {
        if let event = peeked {
            // peek() decoded it already: hand back its bytes.
            peeked = nil
            guard let event else { return nil }
            return FramedEvent(bytes: event.bytes, offset: event.offset, verified: true)
        }
        while true {
            if done {
                if let terminalError { throw terminalError }
                return nil
            }
            if position < currentEvents.count {
                let framed = currentEvents[position]
                position += 1
                lastSide = nil
                let event = FramedEvent(bytes: currentChunk[framed.start..<(framed.start + framed.count)], offset: framed.offset,
                                        verified: framed.verified)
                let type = event.bytes[event.bytes.startIndex + 4]
                let checksumFailed = !framed.verified && decoder.options.verifyChecksums && decoder.context.checksumAlgorithm == .crc32
                if checksumFailed || type == BinlogEventType.formatDescription.rawValue || type == BinlogEventType.startV3.rawValue
                    || type == BinlogEventType.startEncryption.rawValue || decoder.context.encryptionStartedAt != nil {
                    _ = try decode(event)
                }
                return event
            }
            if try !takeBatch() { return nil }
        }
    }

    /// Decodes an event ``nextFramed()`` returned (a Format_description again is harmless).
    public func decode(_ event: FramedEvent) throws -> BinlogEvent {
        do {
            return try decoder.decode(event.bytes, at: event.offset, checksumVerified: event.verified)
        } catch var failure {
            failure.file = name
            done = true
            terminalError = failure
            throw failure
        }
    }

    /// Where the parts of events are under the Format_description in force (for reading
    /// framed rows events and Table_maps from their bytes); take it again after each one.
    public var layout: EventLayout { decoder.layout }

    /// The producer loop: fill a chunk (starting with the partial event carried over), frame
    /// the complete events in it, check their checksums, hand it over.
    private static func produce(_ producer: Producer, _ shared: HandoffQueue<Batch>) {
        var atEnd = false
        while !atEnd {
            var chunk = producer.carry
            producer.carry = []
            var failure: (any Error)?
            do {
                atEnd = try fill(&chunk, producer)
            } catch {
                failure = error
                atEnd = true
            }
            var events: [Framed] = []
            var decoded: [BinlogEvent] = []
            var side: [UInt8] = []
            var index = 0
            var pending = 0
            frame: while index < chunk.count {
                let left = chunk.count - index
                if left < EventFraming.minimumHeader {
                    pending = left
                    break frame
                }
                let minimum = producer.sawFormat ? producer.headerLength : EventFraming.minimumHeader
                let size: Int
                do {
                    size = try EventFraming.checkedSize(in: chunk, at: index, end: chunk.count, offset: producer.offset,
                                                        minimum: minimum, options: producer.options, name: producer.name)
                } catch {
                    failure = error
                    atEnd = true
                    pending = 0
                    break frame
                }
                let type = BinlogEventType(rawValue: chunk[index + 4])
                if size > left {
                    pending = left
                    break frame
                }
                var verified = false
                if type == .formatDescription && size >= EventHeader.v4Length {
                    // The algorithm of this and later events; the decoder checks this event itself
                    // (and reports one too short for its header).
                    var reader = ByteReader(chunk[(index + 19)..<(index + size)], baseOffset: producer.offset + 19)
                    if let description = try? FormatDescriptionEvent(parsing: &reader) {
                        producer.algorithm = description.checksumAlgorithm ?? .undefined
                        producer.headerLength = description.commonHeaderLength
                        producer.sawFormat = true
                    }
                } else if producer.algorithm == .crc32 && producer.options.verifyChecksums && size >= 4 {
                    let end = index + size - 4
                    let stored = UInt32(chunk[end]) | UInt32(chunk[end + 1]) << 8 | UInt32(chunk[end + 2]) << 16 | UInt32(chunk[end + 3]) << 24
                    // A mismatch is left for the decoder to report, with the event's type and offsets.
                    verified = CRC32.checksum(chunk[index..<end]) == stored
                } else if type == .startV3 {
                    producer.sawFormat = true
                    producer.headerLength = size < 75 ? EventHeader.v1Length : EventHeader.v4Length
                }
                if producer.decoder != nil {
                    // Decoded here, in file order; a failure ends the batch before this event,
                    // so the events before it are still handed over first.
                    do {
                        decoded.append(try producer.decoder!.decode(chunk[index..<(index + size)], at: producer.offset, checksumVerified: verified))
                    } catch var error {
                        error.file = producer.name
                        failure = error
                        atEnd = true
                        pending = 0
                        break frame
                    }
                }
                var framed = Framed(start: index, count: size, offset: producer.offset, verified: verified)
                if let work = producer.sideWork {
                    let before = side.count
                    if work(chunk[index..<(index + size)], &side) {
                        framed.sideStart = before
                        framed.sideCount = side.count - before
                    }
                }
                events.append(framed)
                index += size
                producer.offset += UInt64(size)
            }
            if pending > 0 {
                if atEnd && failure == nil {
                    failure = EventFraming.truncated(in: chunk, at: index, available: pending, offset: producer.offset,
                                                     name: producer.name)
                } else {
                    producer.carry = Array(chunk[index..<(index + pending)])
                }
            }
            let batch = Batch(chunk: chunk, events: events, decoded: decoded, side: side, failure: failure, end: atEnd)
            if shared.put(batch) == nil { return }
        }
    }

    /// Reads until the chunk holds `chunkSize` bytes (or the whole pending event); true at end of input.
    private static func fill(_ chunk: inout [UInt8], _ producer: Producer) throws -> Bool {
        var target = producer.chunkSize
        // A partial event longer than a chunk: read the whole event into this one.
        if chunk.count >= EventFraming.minimumHeader {
            let size = EventFraming.size(in: chunk, at: 0)
            if size > target && size <= producer.options.maximumEventSize { target = size }
        }
        let filled = chunk.count
        if target <= filled { return false }
        var count = filled
        defer { chunk.removeLast(chunk.count - count) }
        while count < target {
            // Grow at most by doubling: a size field claiming more than the input holds must not
            // make us allocate what it claims (memory follows the bytes actually read).
            let step = min(target, max(count * 2, producer.chunkSize))
            if chunk.count < step { chunk.append(contentsOf: repeatElement(0, count: step - chunk.count)) }
            while count < step {
                let read = try chunk.withUnsafeMutableBytes { raw in
                    try producer.source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[count..<step]))
                }
                if read == 0 { return true }
                count += read
            }
        }
        return false
    }
}
