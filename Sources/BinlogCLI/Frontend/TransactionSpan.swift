// Where transactions begin and end in a stream of events, for selecting whole transactions.
import MySQLBinlog

/// The GTID of a transaction.
enum TransactionGTID: Equatable {
    case mysql(MySQLGTIDSet.Source, Int64)
    case mariaDB(domain: UInt32, sequence: UInt64)
}

/// Follows transaction boundaries: a GTID event (MySQL or MariaDB) or BEGIN opens one; Xid,
/// COMMIT, ROLLBACK, XA PREPARE or a compressed transaction closes it; after a MySQL GTID
/// without BEGIN, or a standalone MariaDB GTID, the next statement is the whole transaction;
/// a statement outside any transaction is one by itself.
struct TransactionSpan {
    /// How a transaction ends.
    enum Ending {
        case commit, rollback, xaPrepare
        /// The statement after a MySQL GTID or a standalone MariaDB GTID, or one outside any transaction.
        case statement
        /// A MySQL Transaction_payload: the whole transaction, compressed.
        case compressedTransaction
    }

    /// What one event does to the transaction it belongs to.
    struct Step {
        /// The event starts a transaction (with this GTID, or none).
        var opens = false
        var gtid: TransactionGTID?
        /// The event is the last of its transaction, ending it this way.
        var ending: Ending?
        var closes: Bool { ending != nil }
        /// The event belongs to a transaction (false for Format_description, Rotate and the like between them).
        var inside = false
    }

    private var open = false
    /// After a MySQL GTID: BEGIN belongs to it, any other statement is the whole transaction.
    private var awaitingFirst = false
    /// After a standalone MariaDB GTID: the next statement is the whole transaction.
    private var single = false
    /// The last event opened a transaction with its GTID: a BEGIN now belongs to it.
    private var justAfterGTID = false

    /// Whether `type` needs its payload decoded for ``feed(type:payload:)``.
    static func needsPayload(_ type: UInt8) -> Bool {
        switch type {
        case 2, 165, 33, 34, 42, 162, 18: return true
        default: return false
        }
    }

    /// Feeds one event (its payload is needed for the types ``needsPayload(_:)`` names).
    mutating func feed(type: UInt8, payload: EventPayload?) -> Step {
        var step = Step()
        let afterGTID = justAfterGTID
        justAfterGTID = false
        switch payload {
        case .gtid(let gtid)?:
            step.opens = true
            step.gtid = type == BinlogEventType.anonymousGTID.rawValue ? nil : .mysql(.init(uuid: gtid.sid, tag: gtid.tag), gtid.gno)
            open = true
            awaitingFirst = true
            single = false
            justAfterGTID = true
            step.inside = true
            return step
        case .mariaDBGTID(let gtid)?:
            step.opens = true
            step.gtid = .mariaDB(domain: gtid.domainID, sequence: gtid.sequenceNumber)
            open = true
            awaitingFirst = false
            single = gtid.flags.contains(.standalone)
            justAfterGTID = true
            step.inside = true
            return step
        case .query(let query)?:
            statement(StatementKind(query.query.bytes), afterGTID: afterGTID, &step)
            return step
        case .executeLoadQuery(let load)?:
            statement(StatementKind(load.query.query.bytes), afterGTID: afterGTID, &step)
            return step
        default:
            return feed(type: type)
        }
    }

    /// Feeds one event of a type whose payload ``feed(type:payload:)`` does not need (see
    /// ``needsPayload(_:)``): a Table_map, rows event, Xid and the like.
    @inline(__always)
    mutating func feed(type: UInt8) -> Step {
        justAfterGTID = false
        var step = Step()
        switch type {
        case BinlogEventType.xid.rawValue, BinlogEventType.xaPrepare.rawValue, BinlogEventType.transactionPayload.rawValue:
            step.inside = open
            if open {
                step.ending = type == BinlogEventType.xid.rawValue ? .commit
                    : type == BinlogEventType.xaPrepare.rawValue ? .xaPrepare : .compressedTransaction
            }
            close()
        default:
            step.inside = open
            awaitingFirst = false
        }
        return step
    }

    private mutating func statement(_ kind: StatementKind, afterGTID: Bool, _ step: inout Step) {
        if kind.opensTransaction {
            if open && (awaitingFirst || afterGTID) {
                awaitingFirst = false
            } else {
                step.opens = true
                open = true
            }
            step.inside = true
            single = false
            return
        }
        if kind.endsTransaction {
            step.inside = open
            if open { step.ending = kind == .commit ? .commit : .rollback }
            close()
            return
        }
        if !open {
            // A statement on its own (no GTIDs in the file, or after a closed transaction).
            step.opens = true
            step.inside = true
            step.ending = .statement
            return
        }
        step.inside = true
        if awaitingFirst || single {
            step.ending = .statement
            close()
        }
    }

    private mutating func close() {
        open = false
        awaitingFirst = false
        single = false
    }
}

/// `--include-gtids` and `--exclude-gtids`: which transactions are kept, by GTID.
///
/// A MySQL set contains the GTIDs it lists; a MariaDB list contains, per domain, the
/// transactions up to its position's sequence number. With `--include-gtids`, transactions
/// without a GTID are left out; with `--exclude-gtids` alone, they are kept.
struct GTIDFilter {
    var include: AnyGTIDSet?
    var exclude: AnyGTIDSet?

    /// `nil` when neither option is given.
    init?(include: String?, exclude: String?) throws(CLIError) {
        if include == nil && exclude == nil { return nil }
        self.include = try include.map { (text) throws(CLIError) in try GTIDFilter.parse(text, "--include-gtids") }
        self.exclude = try exclude.map { (text) throws(CLIError) in try GTIDFilter.parse(text, "--exclude-gtids") }
    }

    private static func parse(_ text: String, _ option: String) throws(CLIError) -> AnyGTIDSet {
        do {
            return try AnyGTIDSet(parsing: text)
        } catch {
            throw CLIError(.usage, "\(option): \(error.message)")
        }
    }

    static func contains(_ set: AnyGTIDSet, _ gtid: TransactionGTID) -> Bool {
        switch (set, gtid) {
        case (.mysql(let set), .mysql(let source, let number)):
            return number > 0 && set.contains(source, UInt64(number))
        case (.mariaDB(let list), .mariaDB(let domain, let sequence)):
            return list.positions[domain].map { $0.sequence >= sequence } ?? false
        default:
            return false
        }
    }

    /// Whether the transaction with this GTID (or none) is kept.
    func keeps(_ gtid: TransactionGTID?) -> Bool {
        guard let gtid else { return include == nil }
        if let include, !GTIDFilter.contains(include, gtid) { return false }
        if let exclude, GTIDFilter.contains(exclude, gtid) { return false }
        return true
    }
}

/// Applies a ``GTIDFilter`` to a stream of events, whole transactions at a time, across files.
final class TransactionSelector {
    let filter: GTIDFilter
    private var span = TransactionSpan()
    private var skipping = false

    init(_ filter: GTIDFilter) { self.filter = filter }

    /// Whether this event is left out: it belongs to a transaction the filter does not keep.
    /// Events between transactions (Format_description, Rotate, Gtid_list…) are always kept.
    func skips(type: UInt8, payload: EventPayload?) -> Bool {
        let step = span.feed(type: type, payload: payload)
        if step.opens { skipping = !filter.keeps(step.gtid) }
        let skip = skipping && step.inside
        if step.closes { skipping = false }
        return skip
    }
}
