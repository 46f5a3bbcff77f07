// What a logged statement is, from its first keywords: transaction control, DDL, DML or other.

/// The kind of a statement in a Query event, told from its first two words (leading spaces and
/// comments skipped; a `/*!NNNNN …*/` executable comment counts as its contents).
enum StatementKind: Equatable {
    /// BEGIN, START TRANSACTION.
    case begin
    case commit
    /// ROLLBACK (not ROLLBACK TO SAVEPOINT).
    case rollback
    /// XA START / XA BEGIN.
    case xaStart
    /// Another XA statement (END, PREPARE, COMMIT, ROLLBACK).
    case xaOther
    /// SAVEPOINT, ROLLBACK TO, RELEASE SAVEPOINT.
    case savepoint
    /// CREATE, ALTER, DROP, RENAME, TRUNCATE.
    case ddl
    /// INSERT, UPDATE, DELETE, REPLACE, LOAD DATA: a change logged as a statement.
    case dml
    case other

    /// Opens a transaction (BEGIN, START TRANSACTION, XA START).
    var opensTransaction: Bool { self == .begin || self == .xaStart }
    /// Ends one (COMMIT, ROLLBACK).
    var endsTransaction: Bool { self == .commit || self == .rollback }
    /// Transaction control of any kind: what `-d` never filters out.
    var isTransactionControl: Bool {
        switch self {
        case .begin, .commit, .rollback, .xaStart, .xaOther, .savepoint: return true
        case .ddl, .dml, .other: return false
        }
    }

    init(_ bytes: ArraySlice<UInt8>) {
        var words: [[UInt8]] = []
        StatementKind.firstWords(bytes, into: &words)
        guard let first = words.first else {
            self = .other
            return
        }
        let second = words.count > 1 ? words[1] : []
        switch first {
        case Array("BEGIN".utf8): self = .begin
        case Array("START".utf8): self = second == Array("TRANSACTION".utf8) ? .begin : .other
        case Array("COMMIT".utf8): self = .commit
        case Array("ROLLBACK".utf8): self = second == Array("TO".utf8) ? .savepoint : .rollback
        case Array("SAVEPOINT".utf8): self = .savepoint
        case Array("RELEASE".utf8): self = second == Array("SAVEPOINT".utf8) ? .savepoint : .other
        case Array("XA".utf8): self = second == Array("START".utf8) || second == Array("BEGIN".utf8) ? .xaStart : .xaOther
        case Array("CREATE".utf8), Array("ALTER".utf8), Array("DROP".utf8), Array("RENAME".utf8), Array("TRUNCATE".utf8):
            self = .ddl
        case Array("INSERT".utf8), Array("UPDATE".utf8), Array("DELETE".utf8), Array("REPLACE".utf8):
            self = .dml
        case Array("LOAD".utf8): self = second == Array("DATA".utf8) || second == Array("XML".utf8) ? .dml : .other
        default: self = .other
        }
    }

    /// The first two words, upper-cased, of at most 16 letters each (longer ones are cut).
    private static func firstWords(_ bytes: ArraySlice<UInt8>, into words: inout [[UInt8]]) {
        var index = bytes.startIndex
        let end = bytes.endIndex
        var word: [UInt8] = []
        func finishWord() {
            if !word.isEmpty { words.append(word); word = [] }
        }
        while index < end && words.count < 2 {
            let byte = bytes[index]
            switch byte {
            case 0x20, 0x09, 0x0a, 0x0d, 0x3b, 0x28:
                // Space, tab, newline, ';', '(' end a word.
                finishWord()
                index += 1
            case 0x2f where index + 1 < end && bytes[index + 1] == 0x2a:
                // "/*": an executable comment "/*!NNNNN " is read through; any other is skipped.
                finishWord()
                index += 2
                if index < end && bytes[index] == 0x21 {
                    index += 1
                    while index < end && (0x30...0x39).contains(bytes[index]) { index += 1 }
                } else {
                    while index + 1 < end && !(bytes[index] == 0x2a && bytes[index + 1] == 0x2f) { index += 1 }
                    index = min(index + 2, end)
                }
            case 0x2a where index + 1 < end && bytes[index + 1] == 0x2f:
                // The end of an executable comment.
                finishWord()
                index += 2
            case 0x23 where word.isEmpty, 0x2d where word.isEmpty && index + 1 < end && bytes[index + 1] == 0x2d:
                // "#" or "--" comments run to the end of the line.
                while index < end && bytes[index] != 0x0a { index += 1 }
            default:
                if word.count < 16 { word.append(byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte) }
                index += 1
            }
        }
        finishWord()
        if words.count > 2 { words.removeLast(words.count - 2) }
    }
}
