// Position and time cuts moved to transaction boundaries, so that a selection never splits a transaction.
import MySQLBinlog

/// Where `--start-position`/`--start-datetime` and `--stop-position`/`--stop-datetime` cut the
/// inputs once moved to transaction boundaries (the default; `--no-transaction-boundaries` cuts at
/// events, as mysqlbinlog does).
///
/// The cuts are found as mysqlbinlog finds them: the start is the first event at or after
/// `--start-position` (first file) whose time is at or after `--start-datetime`; the stop is the
/// first event after that at or after `--stop-position` (last file), or whose time is at or
/// after `--stop-datetime`. A cut that falls inside a transaction then moves back to the
/// transaction's first event: the transaction is kept whole at a start cut (it had not
/// committed before the start: its later events are from after it) and left out whole at a stop
/// cut (it had not committed before the stop). Events between transactions (Format_description,
/// Rotate, Gtid_list…) are cut where they are.
///
/// Finding them takes a reading pass over the inputs up to the later cut, before the real one.
struct TransactionCuts {
    struct Point: Equatable, Comparable {
        var file: Int
        var offset: UInt64

        static func < (a: Point, b: Point) -> Bool { (a.file, a.offset) < (b.file, b.offset) }
    }

    /// The first event printed (nil: from the beginning). Past the last file when no event is
    /// at or after the start.
    var start: Point?
    /// The first event not printed (nil: to the end).
    var stop: Point?
    /// What the cuts did, for standard error: where each landed, and the transaction a stop
    /// cut leaves out first.
    var notes: [String] = []

    /// What a cut is made of.
    struct Request {
        var startPosition: UInt64?
        var stopPosition: UInt64?
        var startDatetime: DateTimeArgument?
        var stopDatetime: DateTimeArgument?
        /// Events of other servers are skipped before the stop checks, as in the dump itself.
        var serverID: UInt32?
        var gtidFilter: GTIDFilter?

        var isEmpty: Bool { startPosition == nil && stopPosition == nil && startDatetime == nil && stopDatetime == nil }
        var cutsStart: Bool { startPosition != nil || startDatetime != nil }
        var cutsStop: Bool { stopPosition != nil || stopDatetime != nil }
    }

    /// Reads `inputs` (each must be readable again afterwards: not standard input) up to the
    /// cuts and moves them to transaction boundaries.
    static func plan(_ inputs: [BinlogInput], _ request: Request, decoding: DecodingOptions) throws -> TransactionCuts {
        var cuts = TransactionCuts()
        guard !request.isEmpty else { return cuts }
        var startFound = !request.cutsStart
        let selector = request.gtidFilter.map(TransactionSelector.init)
        files: for (fileIndex, input) in inputs.enumerated() {
            var source = try input.open()
            try PrefetchingEventReader.readMagic(from: &source, name: input.path)
            let reader = PrefetchingEventReader(source: source, name: input.path, options: decoding)
            let isFirst = fileIndex == 0
            let isLast = fileIndex == inputs.count - 1
            var span = TransactionSpan()
            // The first event of the open transaction, and its GTID as text.
            var opened: (offset: UInt64, gtid: String?)?
            var inUse = false
            // As the dump itself: a file in use ends where its complete events end.
            while let event = try reader.next(inUse: inUse, ended: { _ in }) {
                let type = event.header.type
                if case .formatDescription = event.payload {
                    inUse = event.header.flags.contains(.binlogInUse)
                }
                let step = span.feed(type: type.rawValue, payload: TransactionSpan.needsPayload(type.rawValue) ? event.payload : nil)
                if step.opens { opened = (event.offset, gtidText(event)) }
                defer { if step.closes { opened = nil } }
                // A cut at this event lands here, or at the first event of the transaction it is in.
                let split = step.inside && !step.opens && opened != nil
                let landing = Point(file: fileIndex, offset: split ? opened!.offset : event.offset)
                let isFormatDescription = type == .formatDescription
                if !startFound {
                    if isFirst, let position = request.startPosition, event.offset < position {
                        if event.endOffset > position {
                            throw CLIError(.usage, "\(input.path): --start-position \(position) is not an event boundary: the nearest are \(event.offset) and \(event.endOffset)")
                        }
                        continue
                    }
                    if let datetime = request.startDatetime, isFormatDescription || Int64(event.header.timestamp) < datetime.seconds {
                        continue
                    }
                    startFound = true
                    cuts.start = landing
                    if split {
                        cuts.notes.append("the start falls inside the transaction at \(input.path):\(landing.offset)\(gtidNote(opened?.gtid)); it is kept whole, from there")
                    }
                    if !request.cutsStop { break files }
                }
                if let selector, selector.skips(type: type.rawValue, payload: event.payload) { continue }
                if let id = request.serverID, event.header.serverID != id, !isFormatDescription, type != .rotate {
                    if case .unsupported = event.payload {} else { continue }
                }
                let stopsHere = (isLast && request.stopPosition.map { event.offset >= $0 } == true)
                    || request.stopDatetime.map { Int64(event.header.timestamp) >= $0.seconds } == true
                if stopsHere {
                    cuts.stop = landing
                    if split {
                        cuts.notes.append("the stop falls inside the transaction at \(input.path):\(landing.offset)\(gtidNote(opened?.gtid)); it is left out whole, and everything after it")
                    } else if step.opens {
                        cuts.notes.append("the first transaction left out is the one at \(input.path):\(landing.offset)\(gtidNote(opened?.gtid))")
                    }
                    break files
                }
            }
        }
        if !startFound { cuts.start = Point(file: inputs.count, offset: 0) }
        return cuts
    }

    private static func gtidNote(_ gtid: String?) -> String {
        gtid.map { " (GTID \($0))" } ?? ""
    }

    /// The GTID of a transaction's first event, as the servers write GTIDs.
    static func gtidText(_ event: BinlogEvent) -> String? {
        switch event.payload {
        case .gtid(let value):
            return event.header.type == .anonymousGTID ? nil : "\(value.sid)" + (value.tag.map { ":" + $0 } ?? "") + ":\(value.gno)"
        case .mariaDBGTID(let value):
            return "\(value.domainID)-\(event.header.serverID)-\(value.sequenceNumber)"
        default:
            return nil
        }
    }
}
