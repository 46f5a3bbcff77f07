// Cuts one binlog into events for `binlog verify`, on a thread of its own, and never stops at the first bad one.
import Dispatch
import MySQLBinlog

/// Frames the events of one file and checks what can be checked from the bytes alone: event
/// sizes, `log_pos`, CRC32s and the end of the file.
///
/// Unlike the dump readers it goes on after a bad checksum, and after a damaged `event_size`
/// when `log_pos` and the checksum agree on where the event really ends. The reading, framing
/// and half of the CRC32s run on a background thread; the other half of the CRC32s is left to
/// the consumer (``Check/deferred``), so both cores share the checksum work.
final class EventScanner {
    /// What is known of an event's checksum when it is handed over.
    enum Check: Equatable {
        /// The file has no checksums (or none is known yet).
        case none
        case passed
        case failed(stored: UInt32, computed: UInt32)
        /// Checked with the rest of its run (``Run``) by the consumer.
        case deferred
    }

    struct Scanned {
        var start: Int
        var count: Int
        var offset: UInt64
        var type: BinlogEventType
        var check: Check
        /// The size was taken from `log_pos` because `event_size` is damaged.
        var sizeRecovered: Bool
    }

    /// Consecutive events with checksums, checked with one CRC32 pass over their bytes against
    /// the value ``CRC32RunPredictor`` predicts for intact events of their lengths.
    struct Run {
        var bytes: Range<Int>
        var events: Range<Int>
        var predicted: UInt32
        /// Checked already by the reading thread (failures are in the events' ``Check``).
        var checked = false
    }

    /// A chunk of the file, the events framed in it, and what was found while framing them
    /// (each finding placed before the event of index `before`).
    struct Batch {
        var chunk: [UInt8] = []
        var events: [Scanned] = []
        var runs: [Run] = []
        var findings: [(before: Int, finding: VerifyFinding)] = []
        var end = false

        /// Checks the runs; returns the events whose checksums fail (by index), found one by
        /// one in the runs whose CRC32 is not the predicted one.
        func failedChecksums() -> [Int: (stored: UInt32, computed: UInt32)] {
            var failed: [Int: (stored: UInt32, computed: UInt32)] = [:]
            for run in runs where !run.checked {
                let crc = chunk.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[run.bytes])) }
                if crc == run.predicted { continue }
                for index in run.events {
                    let event = events[index]
                    let (stored, computed) = EventScanner.checksums(chunk, event.start, event.count)
                    if stored != computed { failed[index] = (stored, computed) }
                }
            }
            return failed
        }
    }

    private let shared: HandoffQueue<Batch>
    private var ended = false

    /// How the work is cut up; tests shrink the chunks and pin the share of checksum runs the
    /// reading thread takes, to reach every path.
    struct Tuning {
        var chunkSize = 1 << 20
        var depth = 3
        /// Percent of each chunk whose runs the reading thread checks, to start with.
        var producerShare = 40
        /// Whether that share follows which thread waits for the other.
        var adaptive = true
    }

    /// Starts scanning `source`, whose magic number has been read; offsets start at 4.
    init(source: any ByteSource, name: String, fileSize: UInt64?, options: DecodingOptions, tuning: Tuning = Tuning()) {
        let shared = HandoffQueue<Batch>(depth: tuning.depth)
        self.shared = shared
        let producer = Producer(source: source, name: name, fileSize: fileSize, options: options, chunkSize: max(256, tuning.chunkSize))
        producer.producerShare = tuning.producerShare
        producer.adaptive = tuning.adaptive
        DispatchQueue.global().async {
            producer.run { batch in shared.put(batch) }
            shared.markFinished()
        }
    }

    deinit {
        shared.cancelAndWait()
    }

    /// The next batch, in file order; `nil` once the file is done.
    func next() -> Batch? {
        if ended { return nil }
        let batch = shared.take()
        ended = batch.end
        return batch
    }

    /// The CRC32 of the `count` bytes at `start` before their last 4, and the value stored in those 4.
    @inline(__always)
    static func checksums(_ chunk: [UInt8], _ start: Int, _ count: Int) -> (stored: UInt32, computed: UInt32) {
        let end = start + count - 4
        let stored = EventScannerHeader.uint32(chunk, end)
        let computed = chunk.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
        return (stored, computed)
    }

    /// The CRC32 of an event's bytes before its last 4, and the value stored in those 4.
    static func checksums(_ bytes: ArraySlice<UInt8>) -> (stored: UInt32, computed: UInt32) {
        let end = bytes.endIndex - 4
        let stored = UInt32(bytes[end]) | UInt32(bytes[end + 1]) << 8 | UInt32(bytes[end + 2]) << 16 | UInt32(bytes[end + 3]) << 24
        return (stored, CRC32.checksum(bytes[bytes.startIndex..<end]))
    }

    /// The Format_description's checksum, computed as the server does: with the IN_USE flag cleared.
    static func formatDescriptionChecksums(_ bytes: ArraySlice<UInt8>) -> (stored: UInt32, computed: UInt32) {
        var copy = Array(bytes)
        if copy.count > 17 { copy[17] &= ~UInt8(EventFlags.binlogInUse.rawValue) }
        return checksums(copy, 0, copy.count)
    }
}

/// The scanning state of one file; lives on the background thread.
private final class Producer: @unchecked Sendable {
    var source: any ByteSource
    let name: String
    let fileSize: UInt64?
    let options: DecodingOptions
    let chunkSize: Int
    var offset: UInt64 = 4
    var eof = false
    var algorithm = ChecksumAlgorithm.undefined
    var headerLength = EventHeader.v4Length
    var sawFormat = false
    var checksLogPosition = false
    var writerServerID: UInt32?
    var predictor = CRC32RunPredictor()
    /// The share (in percent of each chunk) of the runs the reading thread checks itself: more
    /// when batches wait for the consumer, less when the consumer waits for batches.
    var producerShare = 40
    var adaptive = true
    var splitAt = 0

    init(source: any ByteSource, name: String, fileSize: UInt64?, options: DecodingOptions, chunkSize: Int) {
        self.source = source
        self.name = name
        self.fileSize = fileSize
        self.options = options
        self.chunkSize = chunkSize
    }

    private func finding(_ severity: VerifyFinding.Severity, _ kind: VerifyFinding.Kind, at offset: UInt64? = nil,
                         type: BinlogEventType? = nil, _ message: String) -> VerifyFinding {
        VerifyFinding(severity, kind, file: name, offset: offset, eventType: type, message)
    }

    /// Reads until `chunk` holds `count` bytes from `index`; false when the input ends first.
    private func ensure(_ chunk: inout [UInt8], _ index: Int, _ count: Int) -> Bool {
        while chunk.count - index < count {
            if eof { return false }
            // At most doubling per read: a size field claiming more than the input holds must not
            // make us allocate what it claims.
            let want = min(max(count - (chunk.count - index), 1 << 18), max(chunk.count, 1 << 18))
            let filled = chunk.count
            chunk.append(contentsOf: repeatElement(0, count: want))
            var got = 0
            do {
                got = try chunk.withUnsafeMutableBytes { raw in
                    try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
                }
            } catch {
                readError = "\(error)"
                eof = true
            }
            chunk.removeLast(want - got)
            if got == 0 { eof = true }
        }
        return true
    }

    var readError: String?

    /// Frames the whole file, handing each batch to `publish` (which returns how many batches
    /// were waiting before this one, or `nil` to stop).
    func run(_ publish: (EventScanner.Batch) -> Int?) {
        var carry: [UInt8] = []
        var finished = false
        while !finished {
            // Filled by reading straight into the new array's storage (no zero-filling first).
            var chunk = [UInt8](unsafeUninitializedCapacity: max(chunkSize, carry.count) + (1 << 18)) { buffer, count in
                count = carry.count
                if count > 0 { _ = UnsafeMutableBufferPointer(rebasing: buffer[0..<count]).initialize(from: carry) }
                while count < chunkSize && !eof {
                    do {
                        let got = try source.read(into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[count..<chunkSize])))
                        if got == 0 { eof = true }
                        count += got
                    } catch {
                        readError = "\(error)"
                        eof = true
                    }
                }
            }
            carry = []
            splitAt = chunkSize * producerShare / 100
            var batch = EventScanner.Batch()
            batch.events.reserveCapacity(chunkSize / 128)
            _ = ensure(&chunk, 0, chunkSize)
            var index = 0
            while true {
                if index >= chunkSize {
                    carry = Array(chunk[index...])
                    chunk.removeLast(chunk.count - index)
                    break
                }
                // An event that would not fit: carried to the next chunk rather than read onto this one.
                let left = chunk.count - index
                if !eof && index > 0 && (left < 19 || EventScannerHeader.size(chunk, index) > left)
                    && (left < 19 || EventScannerHeader.size(chunk, index) <= chunkSize) {
                    carry = Array(chunk[index...])
                    chunk.removeLast(left)
                    break
                }
                if fastPath, let size = intactEventSize(chunk, index) {
                    addToRun(&batch, index, size)
                    batch.events.append(EventScanner.Scanned(start: index, count: size, offset: offset,
                                                             type: BinlogEventType(rawValue: chunk[index + 4]), check: .deferred,
                                                             sizeRecovered: false))
                    index += size
                    offset += UInt64(size)
                    continue
                }
                if !step(&chunk, &index, &batch) {
                    finished = true
                    break
                }
            }
            if let readError {
                batch.findings.append((batch.events.count, finding(.error, .unreadable, at: offset, "read error: \(readError)")))
                finished = true
            }
            batch.chunk = chunk
            batch.end = finished
            // The runs in the first part of the chunk are checked here, the others by the consumer.
            for i in batch.runs.indices where batch.runs[i].bytes.upperBound <= splitAt {
                let run = batch.runs[i]
                let crc = batch.chunk.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[run.bytes])) }
                if crc != run.predicted {
                    for index in run.events {
                        let event = batch.events[index]
                        let (stored, computed) = EventScanner.checksums(batch.chunk, event.start, event.count)
                        batch.events[index].check = stored == computed ? .passed : .failed(stored: stored, computed: computed)
                    }
                }
                batch.runs[i].checked = true
            }
            guard let waiting = publish(batch) else { return }
            if !adaptive {
                // Fixed share.
            } else if waiting == 0 {
                producerShare = max(0, producerShare - 5)
            } else if waiting >= 2 {
                producerShare = min(100, producerShare + 5)
            }
        }
    }

    /// Frames the event at `index`; false when the file ends (cleanly or not) here.
    private func step(_ chunk: inout [UInt8], _ index: inout Int, _ batch: inout EventScanner.Batch) -> Bool {
        func report(_ finding: VerifyFinding) { batch.findings.append((batch.events.count, finding)) }
        let minimum = sawFormat ? headerLength : 13
        if !ensure(&chunk, index, minimum) {
            let left = chunk.count - index
            if left == 0 { return false }
            if chunk[index...].allSatisfy({ $0 == 0 }) {
                report(finding(.error, .zeroTail, at: offset, "the last \(left) bytes of the file are zeros, not events"))
            } else {
                report(finding(.error, .truncatedEvent, at: offset, type: left > 4 ? BinlogEventType(rawValue: chunk[index + 4]) : nil,
                                     "the file ends \(left) bytes into an event header (\(minimum) bytes)"))
            }
            return false
        }
        let size = EventScannerHeader.size(chunk, index)
        let type = BinlogEventType(rawValue: chunk[index + 4])
        if size == 0 && chunk[index..<(index + minimum)].allSatisfy({ $0 == 0 }) {
            report(zeroTail(&chunk, index))
            return false
        }
        let logPosition = minimum >= 17 ? EventScannerHeader.logPosition(chunk, index) : 0
        let serverID = EventScannerHeader.serverID(chunk, index)
        let checksLogPosition = self.checksLogPosition && logPosition != 0 && serverID == writerServerID
        let consistent = !checksLogPosition || logPosition == UInt32(truncatingIfNeeded: offset &+ UInt64(size))
        func fits(_ size: Int) -> Bool {
            size >= minimum && size <= options.maximumEventSize && (fileSize.map { offset + UInt64(size) <= $0 } ?? true)
        }

        var frameSize = size
        var recovered = false
        if fits(size) && consistent {
            // The usual case.
        } else if checksLogPosition, let candidate = candidateSize(logPosition), candidate != size, fits(candidate),
                  confirms(&chunk, index, candidate, sizeFits: fits(size)) {
            report(finding(.error, .eventSize, at: offset, type: type,
                                 "event_size says \(size) bytes, but log_pos \(logPosition) says the event is \(candidate) bytes"
                                 + (algorithm == .crc32 ? ", and its checksum agrees: the size field is damaged" : "")))
            frameSize = candidate
            recovered = true
        } else if fits(size) {
            // The event still frames (and its checksum is checked): a warning. Servers before 5.1.x
            // wrote positions relative to the transaction cache for events inside transactions.
            report(finding(.warning, .logPosition, at: offset, type: type,
                                 "log_pos is \(logPosition), but the event ends at \(offset + UInt64(size))"))
        } else if size >= minimum && size <= options.maximumEventSize {
            let left = fileSize.map { $0 - offset } ?? UInt64(chunk.count - index)
            report(finding(.error, .truncatedEvent, at: offset, type: type,
                                 "the event is \(size) bytes, but the file ends \(left) bytes into it"))
            return false
        } else {
            report(finding(.error, .unframeable, at: offset, type: type,
                                 "event_size \(size) is impossible here and log_pos does not say otherwise: the next event cannot be found, so the rest of the file is not checked"))
            return false
        }
        if !ensure(&chunk, index, frameSize) {
            report(finding(.error, .truncatedEvent, at: offset, type: type,
                                 "the event is \(frameSize) bytes, but the file ends \(chunk.count - index) bytes into it"))
            return false
        }
        var check = EventScanner.Check.none
        if recovered {
            // Its checksum was checked above, with the size field repaired.
            check = algorithm == .crc32 ? .passed : .none
        } else if type == .formatDescription {
            let bytes = chunk[index..<(index + frameSize)]
            readFormatDescription(bytes, serverID: serverID)
            if algorithm == .crc32 && frameSize >= minimum + 4 {
                let (stored, computed) = EventScanner.formatDescriptionChecksums(bytes)
                check = stored == computed ? .passed : .failed(stored: stored, computed: computed)
            }
        } else if type == .startV3 && !sawFormat {
            sawFormat = true
            headerLength = frameSize < 75 ? EventHeader.v1Length : EventHeader.v4Length
        } else if algorithm == .crc32 && frameSize >= minimum + 4 {
            check = .deferred
            addToRun(&batch, index, frameSize)
        }
        batch.events.append(EventScanner.Scanned(start: index, count: frameSize, offset: offset, type: type, check: check,
                                                 sizeRecovered: recovered))
        index += frameSize
        offset += UInt64(frameSize)
        return true
    }

    /// The event about to be appended at `index` (of `size` bytes) joins the run that ends
    /// there, or starts one.
    @inline(__always)
    private func addToRun(_ batch: inout EventScanner.Batch, _ index: Int, _ size: Int) {
        let last = batch.runs.count - 1
        if last >= 0, batch.runs[last].bytes.upperBound == index, batch.runs[last].events.upperBound == batch.events.count,
           !(batch.runs[last].bytes.lowerBound < splitAt && index + size > splitAt) {
            batch.runs[last].bytes = batch.runs[last].bytes.lowerBound..<(index + size)
            batch.runs[last].events = batch.runs[last].events.lowerBound..<(batch.events.count + 1)
            batch.runs[last].predicted = predictor.extend(batch.runs[last].predicted, byIntactEventOf: size)
        } else {
            batch.runs.append(EventScanner.Run(bytes: index..<(index + size), events: batch.events.count..<(batch.events.count + 1),
                                               predicted: predictor.extend(0, byIntactEventOf: size)))
        }
    }

    /// Whether the common case can be taken: a v4 file with CRC32 whose writer is known.
    var fastPath = false

    /// The size of the event at `index` when nothing about it needs a closer look: the whole
    /// event is in the chunk, its size and `log_pos` agree, and it is not a Format_description
    /// or Start_v3. `nil` sends it to ``step``.
    @inline(__always)
    private func intactEventSize(_ chunk: [UInt8], _ index: Int) -> Int? {
        let available = chunk.count - index
        guard available >= 19 else { return nil }
        return chunk.withUnsafeBufferPointer { buffer -> Int? in
            let header = buffer.baseAddress! + index
            func field(_ at: Int) -> UInt32 {
                UInt32(header[at]) | UInt32(header[at + 1]) << 8 | UInt32(header[at + 2]) << 16 | UInt32(header[at + 3]) << 24
            }
            let type = header[4]
            if type == 15 || type == 1 { return nil }
            let size = Int(field(9))
            guard size >= 23, size <= available, size <= options.maximumEventSize else { return nil }
            let logPosition = field(13)
            if logPosition != 0 && field(5) == writerServerID && logPosition != UInt32(truncatingIfNeeded: offset &+ UInt64(size)) {
                return nil
            }
            return size
        }
    }

    /// The size `log_pos` implies for the event at `offset`, if it can be one.
    private func candidateSize(_ logPosition: UInt32) -> Int? {
        let end = (offset & ~0xffff_ffff) | UInt64(logPosition)
        guard end > offset else { return nil }
        return Int(end - offset)
    }

    /// Whether the event really is `candidate` bytes: its checksum says so (or, without
    /// checksums, its stated size is impossible anyway).
    private func confirms(_ chunk: inout [UInt8], _ index: Int, _ candidate: Int, sizeFits: Bool) -> Bool {
        guard ensure(&chunk, index, candidate) else { return false }
        guard algorithm == .crc32 else { return !sizeFits }
        guard candidate >= EventHeader.v4Length + 4 else { return false }
        // The checksum covers the header: check it with the size field the server wrote.
        var event = Array(chunk[index..<(index + candidate)])
        for i in 0..<4 { event[9 + i] = UInt8(truncatingIfNeeded: candidate >> (8 * i)) }
        let (stored, computed) = EventScanner.checksums(event, 0, candidate)
        return stored == computed
    }

    private func readFormatDescription(_ bytes: ArraySlice<UInt8>, serverID: UInt32) {
        var options = DecodingOptions()
        options.verifyChecksums = false
        var decoder = BinlogDecoder(options: options)
        guard case .formatDescription(let description)? = try? decoder.decode(bytes, at: offset).payload else { return }
        algorithm = description.checksumAlgorithm ?? .undefined
        headerLength = description.commonHeaderLength
        sawFormat = true
        if description.binlogVersion >= 4 && !checksLogPosition {
            checksLogPosition = true
            writerServerID = serverID
        }
        fastPath = checksLogPosition && algorithm == .crc32 && headerLength == EventHeader.v4Length
    }

    /// Reads the rest of the input, which starts with zeros at `index`: a zero-filled tail, or
    /// zeros followed by something else.
    private func zeroTail(_ chunk: inout [UInt8], _ index: Int) -> VerifyFinding {
        let start = offset
        var zeros = UInt64(0)
        var scanned = index
        while true {
            while scanned < chunk.count {
                if chunk[scanned] != 0 {
                    return finding(.error, .unframeable, at: start,
                                   "\(zeros) zero bytes where an event should start, then data again at \(start + zeros): the rest of the file is not checked")
                }
                zeros += 1
                scanned += 1
            }
            if eof { break }
            // Only the count matters: drop what was looked at and read on.
            chunk.removeLast(chunk.count - index)
            scanned = index
            if !ensure(&chunk, index, 1 << 20) && chunk.count == index { break }
        }
        return finding(.error, .zeroTail, at: start, "the last \(zeros) bytes of the file are zeros, not events (preallocated or never written)")
    }
}

/// Header fields read straight from the bytes (the caller has checked they are there).
enum EventScannerHeader {
    @inline(__always)
    static func uint32(_ bytes: [UInt8], _ index: Int) -> UInt32 {
        UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24
    }

    static func size(_ bytes: [UInt8], _ index: Int) -> Int { Int(uint32(bytes, index + 9)) }
    static func serverID(_ bytes: [UInt8], _ index: Int) -> UInt32 { uint32(bytes, index + 5) }
    static func logPosition(_ bytes: [UInt8], _ index: Int) -> UInt32 { uint32(bytes, index + 13) }
}
