// The structural checks of `binlog verify`: first event, post-header lengths, transactions, GTIDs, file sequence, time.
import MySQLBinlog

/// Follows a sequence of binlog files event by event and reports what a restore from them
/// would trip over. Checks that need only the bytes of one event (sizes, checksums) are the
/// scanner's; this type sees the events in order, decodes the few kinds that matter, and keeps
/// the state that spans events and files.
final class VerifyChecker {
    /// How far back (in seconds) an event's timestamp may go before it is reported.
    let backwardsTolerance: UInt32
    private let report: (VerifyFinding) -> Void

    init(backwardsTolerance: UInt32, report: @escaping (VerifyFinding) -> Void) {
        self.backwardsTolerance = backwardsTolerance
        self.report = report
    }

    // MARK: State of the file being read

    private enum Transaction {
        case none
        /// After a MySQL GTID: BEGIN opens a transaction, any other statement is one by itself.
        case awaitingFirst(start: UInt64, gtid: GTIDLabel?)
        /// One statement is the whole transaction (MariaDB standalone GTID, MySQL DDL).
        case statement(start: UInt64, gtid: GTIDLabel?)
        case open(start: UInt64, gtid: GTIDLabel?)
    }

    private enum Ending {
        case rotate(next: String, offset: UInt64)
        case stop(offset: UInt64)
        case other
    }

    private struct FileState {
        var name: String
        var decoder: BinlogDecoder
        var sawFirst = false
        var formatDescription: FormatDescriptionEvent?
        var typesSeen = [Bool](repeating: false, count: 256)
        var ending = Ending.other
        var sawGTIDList = false
        var sawPreviousGTIDs = false
        var isRelayLog: Bool
        /// MySQL 5.0 logged autocommit statements without BEGIN, then their XID.
        var autocommitWithoutBegin = false
    }

    private var file = FileState(name: "", decoder: BinlogDecoder(), isRelayLog: false)
    private var inFile = false
    /// Whether the last event was a GTID event (a BEGIN right after it belongs to its transaction).
    private var afterGTID = false
    private var transaction = Transaction.none
    /// What the previous file in the sequence ended with.
    private var previous: (name: String, ending: Ending)?

    // GTID state across files: MariaDB per domain, MySQL as a GTID set.
    private var mariaDBSeen: [UInt32: IntervalSet] = [:]
    private var mariaDBFloor: [UInt32: UInt64] = [:]
    private var mariaDBState: [MariaDBKey: UInt64] = [:]
    private var hasMariaDBState = false
    private var executed = MySQLGTIDSet()
    private var hasMySQLState = false

    private struct MariaDBKey: Hashable, Comparable {
        var domain: UInt32
        var server: UInt32
        static func < (a: MariaDBKey, b: MariaDBKey) -> Bool { (a.domain, a.server) < (b.domain, b.server) }
    }

    /// The event types whose contents the checks need (indexed by type code); the others are
    /// looked at only through their headers.
    private let needsDecoding: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        // MariaDB's compressed rows events are decoded to check their zlib streams inflate to the
        // size they declare.
        for type: BinlogEventType in [.formatDescription, .startV3, .query, .queryCompressed, .stop, .rotate, .xaPrepare, .gtid,
                                      .anonymousGTID, .gtidTagged, .mariaDBGTID, .gtidList, .previousGTIDs, .transactionPayload,
                                      .startEncryption, .writeRowsCompressedV1, .updateRowsCompressedV1, .deleteRowsCompressedV1,
                                      .writeRowsCompressed, .updateRowsCompressed, .deleteRowsCompressed] {
            table[Int(type.rawValue)] = true
        }
        return table
    }()
    /// The type codes no server is known to write (looked up per event: no name built on the hot path).
    private let isUnknownType: [Bool] = (0..<256).map { BinlogEventType(rawValue: UInt8($0)).name.hasPrefix("Unknown") }
    /// Row events and table maps: after a MySQL GTID they mean the transaction is under way.
    private let opensTransaction: [Bool] = (0..<256).map { BinlogEventType(rawValue: UInt8($0)).isRows || $0 == 19 }

    private var latestTimestamp: UInt32 = 0
    /// Whether the latest timestamp is of an event of the file being read.
    private var latestTimestampIsInFile = false
    /// The file of the latest timestamp when it is not the one being read.
    private var latestTimestampFile = ""
    private var latestTimestampOffset: UInt64 = 0

    /// The first Format_description of the file last ended, for the report.
    private(set) var formatDescription: FormatDescriptionEvent?
    /// Where the file being read turns encrypted (MariaDB Start_encryption): nothing after it can be checked.
    private(set) var encryptedFrom: UInt64?

    /// Where the transaction open after the last event began, if one is open.
    var openTransactionStart: UInt64? {
        switch transaction {
        case .none: return nil
        case .awaitingFirst(let start, _), .statement(let start, _), .open(let start, _): return start
        }
    }

    private func finding(_ severity: VerifyFinding.Severity, _ kind: VerifyFinding.Kind, at offset: UInt64?,
                         _ type: BinlogEventType? = nil, gtid: String? = nil, _ message: String) {
        report(VerifyFinding(severity, kind, file: inFile ? file.name : previous?.name ?? "", offset: offset, eventType: type,
                             gtid: gtid, message))
    }

    // MARK: Files

    func beginFile(_ name: String) {
        var options = DecodingOptions()
        options.verifyChecksums = false
        file = FileState(name: name, decoder: BinlogDecoder(options: options), isRelayLog: name.contains("relay"))
        inFile = true
        if latestTimestampIsInFile { latestTimestampFile = previous?.name ?? "" }
        latestTimestampIsInFile = false
        afterGTID = false
        encryptedFrom = nil
        if let previous { checkSequence(from: previous, to: name) }
    }

    /// Ends the file; `complete` is false when it could not be read to its end.
    /// `atStop`: reading ends here because the selected range does (`verify --stop-…`): the end
    /// of the file is not checked.
    func endFile(complete: Bool, atStop: Bool = false) {
        guard inFile else { return }
        let state = file
        if atStop {
            formatDescription = state.formatDescription
            inFile = false
            return
        }
        switch transaction {
        case .none:
            break
        case .awaitingFirst(let start, let gtid), .statement(let start, let gtid), .open(let start, let gtid):
            // Relay logs may split a transaction over two files; binlogs never do.
            if !(state.isRelayLog && complete) {
                finding(.error, .openTransaction, at: start, gtid: gtid?.description,
                        "the transaction that starts here is not committed or rolled back by the end of the file" +
                        (complete ? "" : " (the file could not be read to its end)"))
                transaction = .none
            }
        }
        previous = (state.name, state.ending)
        formatDescription = state.formatDescription
        inFile = false
    }

    private static func splitName(_ path: String) -> (directory: String, base: String, number: Int?, digits: Int) {
        let slash = path.lastIndex(of: "/")
        let name = fileName(path)
        let directory = slash.map { String(path[...$0]) } ?? ""
        // Binlog numbers are at most 10 digits; longer ones are not taken as numbers (no overflow).
        guard let dot = name.lastIndex(of: "."), name.distance(from: dot, to: name.endIndex) <= 11,
              let number = Int(name[name.index(after: dot)...]) else {
            return (directory, name, nil, 0)
        }
        return (directory, String(name[..<dot]), number, name.distance(from: name.index(after: dot), to: name.endIndex))
    }

    private static func numbered(_ base: String, _ number: Int, digits: Int) -> String {
        let text = String(number)
        return base + "." + String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    private func checkSequence(from previous: (name: String, ending: Ending), to name: String) {
        let before = VerifyChecker.splitName(previous.name)
        let after = VerifyChecker.splitName(name)
        func report(_ severity: VerifyFinding.Severity, _ kind: VerifyFinding.Kind, _ offset: UInt64?, _ message: String) {
            self.report(VerifyFinding(severity, kind, file: previous.name, offset: offset,
                                      eventType: offset == nil ? nil : (kind == .noRotate ? nil : .rotate), message))
        }
        /// The files between `expected` and the one given, named like `base`, when numbers say files are missing.
        func missing(from expected: Int, base: String) -> [String]? {
            guard let number = after.number, number > expected else { return nil }
            return (expected..<min(number, expected + 3)).map { VerifyChecker.numbered(base, $0, digits: after.digits) }
                + (number - expected > 3 ? ["… (\(number - expected) files in all)"] : [])
        }
        switch previous.ending {
        case .rotate(let next, let offset):
            if next == VerifyChecker.fileName(name) { return }
            let nextParts = VerifyChecker.splitName(next)
            // Renamed copies (flush-logs.000002 for mysql-bin.000002) are matched by number.
            if nextParts.base != after.base, let number = nextParts.number, number == after.number { return }
            if let expected = nextParts.number, before.number.map({ $0 < expected }) ?? true,
               let gap = missing(from: expected, base: nextParts.base) {
                report(.error, .missingFile, offset,
                       "the Rotate event names \(next) as the next file, but the next file given is \(name): missing \(gap.joined(separator: ", "))")
            } else {
                report(.error, .rotateMismatch, offset, "the Rotate event names \(next) as the next file, but the next file given is \(name)")
            }
        case .stop(let offset):
            sequenceAfterStop(before: before, after: after, name: name, offset: offset, report: report)
        case .other:
            report(.warning, .noRotate, nil,
                   "the file ends without a Rotate or Stop event: the server stopped without closing it (a crash?), or the file was copied while in use")
            sequenceAfterStop(before: before, after: after, name: name, offset: nil, report: report)
        }
    }

    /// The file name a Rotate event would give for `path`: no directory, no .gz or .zst.
    static func fileName(_ path: String) -> String {
        var name = path.split(separator: "/").last.map(String.init) ?? path
        for suffix in [".gz", ".zst"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        return name
    }

    private func sequenceAfterStop(before: (directory: String, base: String, number: Int?, digits: Int),
                                   after: (directory: String, base: String, number: Int?, digits: Int),
                                   name: String, offset: UInt64?,
                                   report: (VerifyFinding.Severity, VerifyFinding.Kind, UInt64?, String) -> Void) {
        guard let number = before.number, let next = after.number else { return }
        if next == number + 1 { return }
        if next > number + 1 {
            let gap = (number + 1..<min(next, number + 4)).map { VerifyChecker.numbered(before.base, $0, digits: before.digits) }
            report(.error, .missingFile, offset,
                   "the next file given is \(name): missing \(gap.joined(separator: ", "))" + (next - number - 1 > 3 ? " … (\(next - number - 1) files in all)" : ""))
        } else {
            report(.error, .rotateMismatch, offset, "the next file given, \(name), does not come after this one")
        }
    }

    // MARK: Events

    /// Checks one event; `checksumFailed` tells that its bytes are known to be damaged (so
    /// decoding errors are not reported twice).
    func event(in chunk: [UInt8], start: Int, count: Int, at offset: UInt64, type: BinlogEventType, checksumFailed: Bool) {
        guard inFile else { return }
        let wasAfterGTID = afterGTID
        afterGTID = false
        let raw = Int(type.rawValue)
        if !file.sawFirst {
            file.sawFirst = true
            if type != .formatDescription && type != .startV3 {
                finding(.error, .firstEvent, at: offset, type,
                        "the first event is \(type.name), not a Format_description: the reader cannot know the file's format or checksums")
            }
        }
        if count >= 4 {
            let timestamp = EventScannerHeader.uint32(chunk, start)
            if timestamp > latestTimestamp {
                latestTimestamp = timestamp
                latestTimestampOffset = offset
                latestTimestampIsInFile = true
            } else if timestamp != 0 && timestamp != latestTimestamp {
                checkTime(timestamp, at: offset, type)
            }
        }
        if !file.typesSeen[raw] {
            file.typesSeen[raw] = true
            checkPostHeaderLength(type, at: offset, file.decoder.context.formatDescription)
        }
        if isUnknownType[raw] {
            // Kept in the file and counted, but nothing in it can be checked: said, never passed over.
            finding(.warning, .unknownEvent, at: offset, type,
                    "event type \(raw) is not one MySQL or MariaDB is known to write; its \(count) bytes are not checked")
        }
        if case .other = file.ending {} else { file.ending = .other }
        if raw == 162 && !checksumFailed && count >= 19 + 19 && file.decoder.context.hasFormatDescription
            && file.decoder.headerLength == 19 && (file.decoder.context.formatDescription.postHeaderLength(for: .mariaDBGTID) ?? 19) >= 19 {
            // The most frequent decoded event of MariaDB files, read in place: seq_no<8>,
            // domain_id<4>, flags<1> after the header; the fields after them do not matter here.
            var sequence: UInt64 = 0
            for i in 0..<8 { sequence |= UInt64(chunk[start + 19 + i]) << (8 * UInt64(i)) }
            mariaDBGTID(domain: EventScannerHeader.uint32(chunk, start + 27), server: EventScannerHeader.uint32(chunk, start + 5),
                        sequence: sequence, flags: MariaDBGTIDEvent.Flags(rawValue: chunk[start + 31]), at: offset)
            return
        }
        if raw == 16 {
            // Nothing in it matters here: it ends the transaction.
            endTransaction(at: offset, type, what: "XID")
            return
        }
        if !needsDecoding[raw] {
            if opensTransaction[raw], case .awaitingFirst(let start, let gtid) = transaction {
                // Row events straight after a GTID: the transaction is open (MySQL writes BEGIN first).
                transaction = .open(start: start, gtid: gtid)
            }
            return
        }
        let event: BinlogEvent
        do {
            event = try file.decoder.decode(chunk[start..<(start + count)], at: offset, checksumVerified: true)
        } catch {
            if !checksumFailed {
                if case .decompressionFailed = error.reason {
                    finding(.error, .payload, at: offset, type, "the compressed event cannot be inflated: \(error)")
                } else {
                    finding(.error, .malformedEvent, at: offset, type, "\(error)")
                }
            }
            return
        }
        if opensTransaction[raw], case .awaitingFirst(let start, let gtid) = transaction {
            transaction = .open(start: start, gtid: gtid)
        }
        handle(event, afterGTID: wasAfterGTID)
    }

    private func checkTime(_ timestamp: UInt32, at offset: UInt64, _ type: BinlogEventType) {
        if latestTimestamp > timestamp && latestTimestamp - timestamp > backwardsTolerance {
            finding(.info, .timestampBackwards, at: offset, type,
                            "the event's time, \(VerifyChecker.utc(timestamp)), is \(latestTimestamp - timestamp) s before \(VerifyChecker.utc(latestTimestamp)) of the event at \(latestTimestampIsInFile ? "" : latestTimestampFile + " ")\(latestTimestampOffset)")
            latestTimestamp = timestamp
        } else if timestamp > latestTimestamp {
            latestTimestamp = timestamp
        } else {
            return
        }
        latestTimestampOffset = offset
        latestTimestampIsInFile = true
    }

    /// `2026-11-22T02:53:42Z`.
    static func utc(_ timestamp: UInt32) -> String {
        TextFormatting.utcDateTime(timestamp, separator: "T") + "Z"
    }

    /// The fixed fields each event type's decoder reads after the common header: a
    /// Format_description that declares fewer bytes for a type than these describes a layout
    /// no server writes.
    private static let minimumPostHeader: [UInt8: Int] = [
        BinlogEventType.query.rawValue: 11, BinlogEventType.queryCompressed.rawValue: 11,
        BinlogEventType.rotate.rawValue: 8, BinlogEventType.tableMap.rawValue: 6,
        BinlogEventType.preGAWriteRows.rawValue: 6, BinlogEventType.preGAUpdateRows.rawValue: 6,
        BinlogEventType.preGADeleteRows.rawValue: 6, BinlogEventType.writeRowsV1.rawValue: 6,
        BinlogEventType.updateRowsV1.rawValue: 6, BinlogEventType.deleteRowsV1.rawValue: 6,
        BinlogEventType.writeRows.rawValue: 10, BinlogEventType.updateRows.rawValue: 10,
        BinlogEventType.deleteRows.rawValue: 10, BinlogEventType.partialUpdateRows.rawValue: 10,
        BinlogEventType.writeRowsCompressedV1.rawValue: 6, BinlogEventType.updateRowsCompressedV1.rawValue: 6,
        BinlogEventType.deleteRowsCompressedV1.rawValue: 6, BinlogEventType.writeRowsCompressed.rawValue: 10,
        BinlogEventType.updateRowsCompressed.rawValue: 10, BinlogEventType.deleteRowsCompressed.rawValue: 10,
        BinlogEventType.incident.rawValue: 2, BinlogEventType.appendBlock.rawValue: 4,
        BinlogEventType.beginLoadQuery.rawValue: 4, BinlogEventType.executeLoadQuery.rawValue: 26,
        BinlogEventType.mariaDBGTID.rawValue: 19,
    ]

    private func checkPostHeaderLength(_ type: BinlogEventType, at offset: UInt64, _ description: FormatDescriptionEvent) {
        guard file.decoder.context.hasFormatDescription, description.binlogVersion >= 4, type != .formatDescription, let minimum = VerifyChecker.minimumPostHeader[type.rawValue] else { return }
        guard let declared = description.postHeaderLength(for: type) else {
            finding(.warning, .postHeaderLength, at: offset, type,
                    "the Format_description lists no post-header length for \(type.name) events (type \(type.rawValue)); readers fall back to the usual \(minimum)")
            return
        }
        if declared < minimum {
            finding(.error, .postHeaderLength, at: offset, type,
                    "the Format_description says \(type.name) events have a \(declared)-byte post-header; their fixed fields take at least \(minimum)")
        }
    }

    // MARK: Decoded events

    private func handle(_ event: BinlogEvent, afterGTID wasAfterGTID: Bool) {
        let offset = event.offset
        let type = event.header.type
        switch event.payload {
        case .formatDescription(let description):
            if file.formatDescription == nil {
                file.formatDescription = description
                file.autocommitWithoutBegin = description.versionTriple < (5, 1, 0)
                if event.header.flags.contains(.binlogInUse) {
                    finding(.warning, .fileInUse, at: offset, type,
                            "the file is marked in use: a server is still writing it, or it crashed before closing it")
                }
                if event.header.flags.contains(.relayLog) { file.isRelayLog = true }
            }
        case .gtid(let gtid):
            afterGTID = true
            startTransaction(at: offset, as: .awaitingFirst(start: offset, gtid: nil))
            if type != .anonymousGTID {
                let source = MySQLGTIDSet.Source(uuid: gtid.sid, tag: gtid.tag)
                let label = GTIDLabel.mysql(source, gtid.gno)
                transaction = .awaitingFirst(start: offset, gtid: label)
                checkMySQLGTID(source, gtid.gno, label: label, at: offset, type)
            }
        case .mariaDBGTID(let gtid):
            mariaDBGTID(domain: gtid.domainID, server: event.header.serverID, sequence: gtid.sequenceNumber,
                        flags: gtid.flags, at: offset)
        case .query(let query):
            switch VerifyChecker.classify(query.query) {
            case .begin:
                if case .awaitingFirst(let start, let gtid) = transaction {
                    transaction = .open(start: start, gtid: gtid)
                } else if case .open = transaction, wasAfterGTID {
                    // A BEGIN after a MariaDB GTID belongs to the transaction the GTID opened.
                } else {
                    startTransaction(at: offset, as: .open(start: offset, gtid: nil))
                }
            case .end:
                endTransaction(at: offset, type, what: "COMMIT or ROLLBACK")
            case .other:
                switch transaction {
                case .awaitingFirst, .statement: transaction = .none
                case .none, .open: break
                }
            }
        case .xid:
            endTransaction(at: offset, type, what: "XID")
        case .xaPrepare:
            endTransaction(at: offset, type, what: "XA PREPARE")
        case .transactionPayload(let payload):
            switch transaction {
            case .awaitingFirst, .open, .statement: transaction = .none
            case .none: break
            }
            checkPayload(payload, event, file.decoder.context.formatDescription)
        case .rotate(let rotate):
            file.ending = .rotate(next: String(decoding: rotate.nextFile.bytes, as: UTF8.self), offset: offset)
        case .stop:
            file.ending = .stop(offset: offset)
        case .gtidList(let list):
            if !file.sawGTIDList {
                file.sawGTIDList = true
                checkGTIDList(list, at: offset, type)
            }
        case .previousGTIDs(let previous):
            if !file.sawPreviousGTIDs {
                file.sawPreviousGTIDs = true
                checkPreviousGTIDs(previous, at: offset, type)
            }
        case .startEncryption:
            encryptedFrom = offset
            finding(.error, .encrypted, at: offset, type,
                    "the events after this one are encrypted: without the server's key they cannot be checked (their checksums are of the plain text)")
        default:
            break
        }
    }

    private func startTransaction(at offset: UInt64, as next: Transaction) {
        switch transaction {
        case .none:
            break
        case .awaitingFirst(let start, let previous), .statement(let start, let previous), .open(let start, let previous):
            finding(.error, .unclosedTransaction, at: start, gtid: previous?.description,
                    "the transaction that starts here is not committed or rolled back before the next one starts at \(offset)")
        }
        transaction = next
    }

    private func endTransaction(at offset: UInt64, _ type: BinlogEventType, what: String) {
        if case .none = transaction, !file.autocommitWithoutBegin {
            finding(.error, .orphanEnd, at: offset, type, "this \(what) ends no transaction: its start is missing")
        }
        transaction = .none
    }

    private enum Statement { case begin, end, other }

    private static func classify(_ query: BinlogString) -> Statement {
        let kind = StatementKind(query.bytes)
        return kind.opensTransaction ? .begin : kind.endsTransaction ? .end : .other
    }

    private func checkPayload(_ payload: TransactionPayloadEvent, _ event: BinlogEvent, _ description: FormatDescriptionEvent) {
        do {
            var reader = try TransactionPayloadReader(payload, in: event, formatDescription: description)
            while try reader.next() != nil {}
        } catch {
            finding(.error, .payload, at: event.offset, event.header.type, "the compressed transaction cannot be read: \(error)")
        }
    }

    // MARK: GTIDs

    /// A GTID, put into words only when a finding needs it.
    enum GTIDLabel: CustomStringConvertible {
        case mariaDB(domain: UInt32, server: UInt32, sequence: UInt64)
        case mysql(MySQLGTIDSet.Source, Int64)

        var description: String {
            switch self {
            case .mariaDB(let domain, let server, let sequence): return "\(domain)-\(server)-\(sequence)"
            case .mysql(let source, let number): return "\(source.uuid)" + (source.tag.map { ":" + $0 } ?? "") + ":\(number)"
            }
        }
    }

    private func mariaDBGTID(domain: UInt32, server: UInt32, sequence: UInt64, flags: MariaDBGTIDEvent.Flags, at offset: UInt64) {
        afterGTID = true
        let label = GTIDLabel.mariaDB(domain: domain, server: server, sequence: sequence)
        let standalone = flags.contains(.standalone) || flags.contains(.completedXA)
        startTransaction(at: offset, as: standalone ? .statement(start: offset, gtid: label) : .open(start: offset, gtid: label))
        checkMariaDBGTID(domain: domain, server: server, sequence: sequence, label: label, at: offset, .mariaDBGTID)
    }

    private func checkMariaDBGTID(domain: UInt32, server: UInt32, sequence: UInt64, label: GTIDLabel, at offset: UInt64,
                                  _ type: BinlogEventType) {
        let seen = mariaDBSeen[domain]
        let floor = mariaDBFloor[domain]
        let last: UInt64? = switch (seen?.maximum, floor) {
        case (let a?, let b?): max(a, b)
        case (let a?, nil): a
        case (nil, let b?): b
        case (nil, nil): nil
        }
        // The usual case: the next number of the domain.
        if let last, last < UInt64.max, sequence == last + 1, seen?.maximum == last {
            mariaDBSeen[domain, default: IntervalSet()].insert(sequence)
            mariaDBState[MariaDBKey(domain: domain, server: server)] = sequence
            hasMariaDBState = true
            return
        }
        let text = label.description
        if seen?.contains(sequence) == true {
            finding(.error, .gtidDuplicate, at: offset, type, gtid: text,
                    "GTID \(text) is logged again: domain \(domain) already has sequence number \(sequence) in these files")
        } else if let last, sequence <= last {
            finding(.warning, .gtidOutOfOrder, at: offset, type, gtid: text,
                    "GTID \(text) comes after sequence number \(last) of domain \(domain)"
                    + (seen?.maximum == nil || floor.map { sequence <= $0 } == true ? " (the position the Gtid_list gives)" : ""))
        } else if let last, last < UInt64.max, sequence > last + 1 {
            finding(.warning, .gtidGap, at: offset, type, gtid: text,
                    "GTID \(text) follows sequence number \(last) of domain \(domain): " +
                    (sequence - last == 2 ? "\(last + 1) is missing" : "\(last + 1)-\(sequence - 1) are missing"))
        }
        mariaDBSeen[domain, default: IntervalSet()].insert(sequence)
        mariaDBState[MariaDBKey(domain: domain, server: server)] = sequence
        hasMariaDBState = true
    }

    private static func describe(_ state: [MariaDBKey: UInt64]) -> String {
        "[" + state.keys.sorted().map { "\($0.domain)-\($0.server)-\(state[$0]!)" }.joined(separator: ",") + "]"
    }

    private func checkGTIDList(_ list: GTIDListEvent, at offset: UInt64, _ type: BinlogEventType) {
        var listed: [MariaDBKey: UInt64] = [:]
        for gtid in list.gtids {
            let key = MariaDBKey(domain: gtid.domainID, server: gtid.serverID)
            listed[key] = max(listed[key] ?? 0, gtid.sequenceNumber)
        }
        if hasMariaDBState && previous != nil && listed != mariaDBState {
            finding(.error, .gtidListMismatch, at: offset, type,
                    "the Gtid_list says the files before this one end at \(VerifyChecker.describe(listed)), but the files given end at \(VerifyChecker.describe(mariaDBState)): a file or transactions are missing between them")
        }
        for (key, sequence) in listed {
            mariaDBState[key] = max(mariaDBState[key] ?? 0, sequence)
            mariaDBFloor[key.domain] = max(mariaDBFloor[key.domain] ?? 0, sequence)
        }
        hasMariaDBState = true
    }

    private func checkMySQLGTID(_ source: MySQLGTIDSet.Source, _ gno: Int64, label: GTIDLabel, at offset: UInt64,
                                _ type: BinlogEventType) {
        let text = label.description
        guard gno > 0 else {
            finding(.error, .malformedEvent, at: offset, type, gtid: text, "GTID number \(gno) is not a valid transaction number")
            return
        }
        let number = UInt64(gno)
        let sourceText = "\(source.uuid)" + (source.tag.map { ":" + $0 } ?? "")
        if executed.contains(source, number) {
            finding(.error, .gtidDuplicate, at: offset, type, gtid: text,
                    "GTID \(text) is logged again: it is already in the Previous_gtids or earlier in these files")
        } else if let last = executed.maximum(of: source), number < last {
            finding(.warning, .gtidOutOfOrder, at: offset, type, gtid: text,
                    "GTID \(text) comes after \(sourceText):\(last)")
        } else if let last = executed.maximum(of: source), last < UInt64.max, number > last + 1 {
            finding(.warning, .gtidGap, at: offset, type, gtid: text,
                    "GTID \(text) follows \(sourceText):\(last): " +
                    (number - last == 2 ? "\(sourceText):\(last + 1) is missing" : "\(sourceText):\(last + 1)-\(number - 1) are missing"))
        }
        executed.insert(source, number)
        hasMySQLState = true
    }

    private func checkPreviousGTIDs(_ event: PreviousGTIDsEvent, at offset: UInt64, _ type: BinlogEventType) {
        let listed = MySQLGTIDSet(event)
        if hasMySQLState && previous != nil {
            let missing = executed.subtracting(listed)
            let extra = listed.subtracting(executed)
            var problems: [String] = []
            if !missing.isEmpty { problems.append("it lacks \(missing), which the files before it logged") }
            if !extra.isEmpty { problems.append("it has \(extra), which the files given before it do not log (a missing file?)") }
            if !problems.isEmpty {
                finding(.error, .previousGTIDsMismatch, at: offset, type,
                        "the Previous_gtids does not match the files before it: " + problems.joined(separator: "; "))
            }
        }
        executed.formUnion(listed)
        hasMySQLState = true
    }
}

extension BinlogEventType {
    /// Whether events of this type carry row images.
    var isRows: Bool {
        switch rawValue {
        case 20...25, 30...32, 39, 166...171: return true
        default: return false
        }
    }
}

