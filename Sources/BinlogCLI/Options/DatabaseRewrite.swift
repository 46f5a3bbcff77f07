// `--rewrite-db 'FROM->TO'`: statements' default database and tables' databases renamed.
import MySQLBinlog

/// Renames databases as mysqlbinlog's `--rewrite-db` does: the default database of Query and
/// Execute_load_query events, and the database of Table_map events (so row events, which name
/// their table through it, follow). Statement texts are not changed (`INSERT INTO db.t` still
/// names db), nor are those of statements logged without `use` (the server's
/// LOG_EVENT_SUPPRESS_USE_F: CREATE DATABASE and the like), as in mariadb-binlog. Both the decoded event and its bytes are rewritten: the database name and its
/// length, and the event's size; the end position and the CRC32 are left as logged, as
/// mariadb-binlog leaves them in its BINLOG statements (the server does not check the checksum
/// of an event in a BINLOG statement; `binlog filter` recomputes both for its file).
struct DatabaseRewrite: Sendable {
    var rules: [(from: [UInt8], to: [UInt8])] = []

    init(_ arguments: [String]) throws(CLIError) {
        for argument in arguments {
            let bytes = Array(argument.utf8)
            guard let arrow = bytes.indices.dropLast().first(where: { bytes[$0] == UInt8(ascii: "-") && bytes[$0 + 1] == UInt8(ascii: ">") }) else {
                throw CLIError(.usage, "--rewrite-db: '\(argument)' is not FROM->TO")
            }
            func trimmed(_ part: ArraySlice<UInt8>) -> [UInt8] {
                Array(part.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed())
            }
            let from = trimmed(bytes[..<arrow])
            let to = trimmed(bytes[(arrow + 2)...])
            guard !from.isEmpty, !to.isEmpty, to.count <= 64 else {
                throw CLIError(.usage, "--rewrite-db: '\(argument)' needs a database name on each side of -> (at most 64 bytes)")
            }
            rules.append((from, to))
        }
    }

    /// The new name of `database`, or nil when no rule renames it.
    func renamed(_ database: ArraySlice<UInt8>) -> [UInt8]? {
        rules.first { database.elementsEqual($0.from) }?.to
    }

    /// The event with its database renamed, or nil when it is not renamed. `postHeaderLength`
    /// is the Format_description's for the event's type.
    ///
    /// With `mysqlbinlog` set it renames as mysqlbinlog does instead: statements logged without
    /// `use` too (mysqlbinlog looks only at the name), and the CRC32 of a renamed event is
    /// computed again (`Database_rewrite::rewrite_event`), so the header and the BINLOG
    /// statement show the new one.
    func apply(to event: BinlogEvent, postHeaderLength: Int, mysqlbinlog: Bool = false) -> BinlogEvent? {
        guard var renamed = rename(event, postHeaderLength: postHeaderLength, keepsSuppressedUse: !mysqlbinlog) else { return nil }
        if mysqlbinlog, renamed.checksum != nil, renamed.bytes.count >= 23 {
            var bytes = Array(renamed.bytes)
            let crc = CRC32.checksum(bytes[..<(bytes.count - 4)])
            for i in 0..<4 { bytes[bytes.count - 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
            renamed.bytes = bytes[...]
            renamed.checksum = crc
        }
        return renamed
    }

    private func rename(_ event: BinlogEvent, postHeaderLength: Int, keepsSuppressedUse: Bool) -> BinlogEvent? {
        let bytes = event.bytes
        let start = bytes.startIndex
        switch event.payload {
        case .tableMap(let map):
            guard let name = renamed(map.database.bytes) else { return nil }
            // Header, post-header, then the database: a length byte, the name and a 0.
            let at = start + 19 + postHeaderLength
            guard at < bytes.endIndex, Int(bytes[at]) == map.database.count, at + 1 + map.database.count <= bytes.endIndex else { return nil }
            let rebuilt = replace(bytes, lengthAt: at, nameAt: at + 1, oldLength: map.database.count, with: name)
            let body = rebuilt[19..<(rebuilt.count - (event.checksum == nil ? 0 : 4))]
            guard let renamedMap = try? TableMapEvent(body: body, postHeaderLength: postHeaderLength) else { return nil }
            var copy = event
            copy.payload = .tableMap(renamedMap)
            copy.bytes = rebuilt[...]
            return copy
        case .query(var query):
            // A statement logged without `use` (CREATE DATABASE and the like) keeps its database, as in mariadb-binlog.
            guard !(keepsSuppressedUse && event.header.flags.contains(.suppressUse)), let name = renamed(query.database.bytes), let rebuilt = rewriteQuery(bytes, postHeaderLength: postHeaderLength,
                                                                                       oldLength: query.database.count, name: name) else { return nil }
            query.database = BinlogString(name)
            var copy = event
            copy.payload = .query(query)
            copy.bytes = rebuilt[...]
            return copy
        case .executeLoadQuery(var load):
            guard let name = renamed(load.query.database.bytes), let rebuilt = rewriteQuery(bytes, postHeaderLength: postHeaderLength,
                                                                                            oldLength: load.query.database.count, name: name) else { return nil }
            load.query.database = BinlogString(name)
            var copy = event
            copy.payload = .executeLoadQuery(load)
            copy.bytes = rebuilt[...]
            return copy
        default:
            return nil
        }
    }

    /// A Query (or Execute_load_query) event: the post-header's database length (byte 8) and
    /// status-variable length (bytes 11–12) tell where the name is, after the status variables.
    private func rewriteQuery(_ bytes: ArraySlice<UInt8>, postHeaderLength: Int, oldLength: Int, name: [UInt8]) -> [UInt8]? {
        let start = bytes.startIndex
        let post = start + 19
        guard postHeaderLength >= 13, post + postHeaderLength <= bytes.endIndex, Int(bytes[post + 8]) == oldLength else { return nil }
        let statusLength = Int(bytes[post + 11]) | Int(bytes[post + 12]) << 8
        let nameAt = post + postHeaderLength + statusLength
        guard nameAt + oldLength <= bytes.endIndex else { return nil }
        return replace(bytes, lengthAt: post + 8, nameAt: nameAt, oldLength: oldLength, with: name)
    }

    private func replace(_ bytes: ArraySlice<UInt8>, lengthAt: Int, nameAt: Int, oldLength: Int, with name: [UInt8]) -> [UInt8] {
        var out = Array(bytes[..<nameAt]) + name + Array(bytes[(nameAt + oldLength)...])
        out[lengthAt - bytes.startIndex] = UInt8(name.count)
        let size = UInt32(out.count)
        for i in 0..<4 { out[9 + i] = UInt8(truncatingIfNeeded: size >> (8 * UInt32(i))) }
        return out
    }
}
