// What `binlog verify` reports: one finding per problem, each with where it is and how bad it is.
import MySQLBinlog

/// One problem found in a set of binlogs.
struct VerifyFinding: Equatable, Sendable {
    enum Severity: String, Sendable, Comparable, CaseIterable {
        /// A restore from these files would be wrong or would stop here.
        case error
        /// Worth a look: the files may still be usable.
        case warning
        /// Normal within limits; reported so nothing goes unseen.
        case info

        private var rank: Int {
            switch self {
            case .error: return 0
            case .warning: return 1
            case .info: return 2
            }
        }

        static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// The kinds of finding; the raw values are the stable names of the text and JSON reports.
    enum Kind: String, Sendable, CaseIterable {
        // The input itself.
        case unreadable = "unreadable"
        case notABinlog = "not-a-binlog"
        case encrypted = "encrypted"
        // Bytes and headers.
        case checksumMismatch = "checksum-mismatch"
        case eventSize = "event-size"
        case logPosition = "log-position"
        case unframeable = "unframeable"
        case firstEvent = "first-event"
        case postHeaderLength = "post-header-length"
        case malformedEvent = "malformed-event"
        case payload = "payload"
        case unknownEvent = "unknown-event"
        // The end of a file.
        case fileInUse = "file-in-use"
        case truncatedEvent = "truncated-event"
        case zeroTail = "zero-tail"
        // Transactions.
        case unclosedTransaction = "unclosed-transaction"
        case openTransaction = "open-transaction"
        case orphanEnd = "orphan-end"
        // GTIDs.
        case gtidGap = "gtid-gap"
        case gtidDuplicate = "gtid-duplicate"
        case gtidOutOfOrder = "gtid-out-of-order"
        case previousGTIDsMismatch = "previous-gtids-mismatch"
        case gtidListMismatch = "gtid-list-mismatch"
        // The sequence of files.
        case rotateMismatch = "rotate-mismatch"
        case missingFile = "missing-file"
        case noRotate = "no-rotate"
        // Time.
        case timestampBackwards = "timestamp-backwards"
    }

    var severity: Severity
    var kind: Kind
    /// The file as the command line (or an index file) named it.
    var file: String
    /// The byte offset the finding is about (an event's start unless the message says otherwise).
    var offset: UInt64?
    var eventType: BinlogEventType?
    var message: String
    /// The GTID of the transaction concerned, when known.
    var gtid: String?

    init(_ severity: Severity, _ kind: Kind, file: String, offset: UInt64? = nil, eventType: BinlogEventType? = nil,
         gtid: String? = nil, _ message: String) {
        self.severity = severity
        self.kind = kind
        self.file = file
        self.offset = offset
        self.eventType = eventType
        self.message = message
        self.gtid = gtid
    }

    /// `mysql-bin.000001: 1234: Query: error: checksum-mismatch: …` (offset and event when known).
    var line: String {
        var text = file + ": "
        if let offset { text += "\(offset): " }
        if let eventType { text += eventType.name + ": " }
        text += severity.rawValue + ": " + kind.rawValue + ": " + message
        if let gtid { text += " (GTID " + gtid + ")" }
        return text
    }
}
