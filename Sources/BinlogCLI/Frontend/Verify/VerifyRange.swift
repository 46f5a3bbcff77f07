// `verify --start-… --stop-…`: which findings fall inside the range dump would read, and where reading ends.
import MySQLBinlog

/// The range of a `verify` run, found as `dump` finds it: the start is the first event at or
/// after `--start-position` (first file) whose time is at or after `--start-datetime`, moved back
/// to the first event of the transaction it falls in unless `--no-transaction-boundaries`; the
/// stop is the first event after that at or after `--stop-position` (last file) or whose time is
/// at or after `--stop-datetime`. The files are read from their start all the same, so that the
/// checks know what came before; findings before the start are held (a bounded number, in the
/// start's file) until the start shows whether they belong to the transaction it falls in.
struct VerifyRange {
    var startPosition: UInt64?
    var stopPosition: UInt64?
    var startDatetime: Int64?
    var stopDatetime: Int64?
    var transactionBoundaries: Bool

    enum Outcome: Equatable {
        case inside
        /// This event and everything after it are outside the range.
        case stop
        /// `--start-position` falls inside this event.
        case notABoundary(String)
    }

    private(set) var reachedStart: Bool
    private(set) var reachedStop = false
    /// Where reporting begins.
    private var from: (file: Int, offset: UInt64)?
    private var file = 0
    private var isLastFile = false
    private var held: [VerifyFinding] = []
    private var released: [VerifyFinding] = []
    /// At most this many findings are held before the start.
    static let holdLimit = 10_000

    init(startPosition: UInt64?, stopPosition: UInt64?, startDatetime: Int64?, stopDatetime: Int64?, transactionBoundaries: Bool) {
        self.startPosition = startPosition
        self.stopPosition = stopPosition
        self.startDatetime = startDatetime
        self.stopDatetime = stopDatetime
        self.transactionBoundaries = transactionBoundaries
        reachedStart = startPosition == nil && startDatetime == nil
        if reachedStart { from = (0, 0) }
    }

    var isActive: Bool { startPosition != nil || stopPosition != nil || startDatetime != nil || stopDatetime != nil }

    mutating func beginFile(_ index: Int, isLast: Bool) {
        file = index
        isLastFile = isLast
        held.removeAll()
    }

    /// Takes the next event of the file (before it is checked).
    mutating func see(offset: UInt64, size: Int, timestamp: UInt32, type: BinlogEventType, openTransaction: UInt64?) -> Outcome {
        let isFormatDescription = type == .formatDescription
        if !reachedStart {
            var atStart = true
            if let position = startPosition, file == 0, offset < position {
                if offset + UInt64(size) > position {
                    return .notABoundary("--start-position \(position) is not an event boundary: the nearest are \(offset) and \(offset + UInt64(size))")
                }
                atStart = false
            }
            // As mysqlbinlog: a Format_description is read whatever its time, and does not start the range.
            if let start = startDatetime, isFormatDescription || Int64(timestamp) < start { atStart = false }
            guard atStart else { return .inside }
            reachedStart = true
            let begin = transactionBoundaries ? min(openTransaction ?? offset, offset) : offset
            from = (file, begin)
            released = held.filter { ($0.offset ?? 0) >= begin }
            held.removeAll()
        }
        if let position = stopPosition, isLastFile, offset >= position {
            reachedStop = true
            return .stop
        }
        if let stop = stopDatetime, Int64(timestamp) >= stop {
            reachedStop = true
            return .stop
        }
        return .inside
    }

    /// The held findings that the start showed to be inside the range.
    mutating func takeReleased() -> [VerifyFinding] {
        defer { released.removeAll() }
        return released
    }

    /// Whether a finding made while reading file `index` is reported.
    mutating func reports(_ finding: VerifyFinding, file index: Int) -> Bool {
        guard isActive else { return true }
        if reachedStop { return false }
        guard reachedStart, let from else {
            if finding.offset != nil && index == file {
                if held.count >= Self.holdLimit { held.removeFirst(held.count / 2) }
                held.append(finding)
            }
            return false
        }
        if index < from.file { return false }
        if index == from.file, let offset = finding.offset, offset < from.offset { return false }
        return true
    }

    /// What dump would warn of: a start or stop the input never reached.
    func unreached() -> [String] {
        var warnings: [String] = []
        if !reachedStart {
            warnings.append("did not reach the start (\([startPosition.map { "--start-position \($0)" }, startDatetime.map { _ in "--start-datetime" }].compactMap { $0 }.joined(separator: ", "))) before the end of the input: no finding is reported")
        }
        if let stop = stopPosition, !reachedStop { warnings.append("did not reach stop position \(stop) before the end of the input") }
        if stopPosition == nil, stopDatetime != nil, !reachedStop { warnings.append("did not reach the stop datetime before the end of the input") }
        return warnings
    }
}
