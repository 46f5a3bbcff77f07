// `-d DB` and the replica filter rules (--do-db … --wild-ignore-table) as one test on statements and tables.

/// Which statements and tables a selection keeps, by database and table name.
///
/// `-d DB` (mysqlbinlog's `--database`) keeps statements whose default database is DB and rows
/// of DB's tables. The replica rules follow the order the MySQL manual gives for a replica
/// ("How Servers Evaluate Replication Filtering Rules"):
///
/// 1. Database stage — a statement by its default database, a row change by its table's
///    database: with `--do-db` rules, a database none of them names is left out; otherwise a
///    database an `--ignore-db` names is left out.
/// 2. Table stage, for row changes only (a statement's tables are not known without parsing
///    it, so statements are judged by the database stage alone): with no table rules, kept;
///    a table a `--do-table` names is kept; one an `--ignore-table` names is left out; one a
///    `--wild-do-table` pattern matches is kept; one a `--wild-ignore-table` pattern matches is
///    left out; then, if there is any `--do-table` or `--wild-do-table`, left out, else kept.
///
/// Names compare byte for byte (as on a server with lower_case_table_names=0). Wildcard patterns
/// are `db.table` with `%` (any run of characters) and `_` (one character) in either part, `\`
/// escaping the next character, as the server's LIKE.
struct SchemaFilter: Sendable {
    struct Pattern: Sendable {
        var database: [UInt8]
        var table: [UInt8]
    }

    var database: [UInt8]?
    var doDatabases: [[UInt8]] = []
    var ignoreDatabases: [[UInt8]] = []
    var doTables: [Pattern] = []
    var ignoreTables: [Pattern] = []
    var wildDoTables: [Pattern] = []
    var wildIgnoreTables: [Pattern] = []

    var hasTableRules: Bool { !(doTables.isEmpty && ignoreTables.isEmpty && wildDoTables.isEmpty && wildIgnoreTables.isEmpty) }

    /// Whether a statement run with this default database is kept.
    func keepsStatement(database name: ArraySlice<UInt8>) -> Bool {
        if let database, !name.elementsEqual(database) { return false }
        return passesDatabaseStage(name)
    }

    /// Whether row changes to this table are kept.
    func keepsTable(database name: ArraySlice<UInt8>, table: ArraySlice<UInt8>) -> Bool {
        if let database, !name.elementsEqual(database) { return false }
        guard passesDatabaseStage(name) else { return false }
        guard hasTableRules else { return true }
        if doTables.contains(where: { name.elementsEqual($0.database) && table.elementsEqual($0.table) }) { return true }
        if ignoreTables.contains(where: { name.elementsEqual($0.database) && table.elementsEqual($0.table) }) { return false }
        if wildDoTables.contains(where: { Self.like(name, $0.database) && Self.like(table, $0.table) }) { return true }
        if wildIgnoreTables.contains(where: { Self.like(name, $0.database) && Self.like(table, $0.table) }) { return false }
        return doTables.isEmpty && wildDoTables.isEmpty
    }

    private func passesDatabaseStage(_ name: ArraySlice<UInt8>) -> Bool {
        if !doDatabases.isEmpty { return doDatabases.contains { name.elementsEqual($0) } }
        return !ignoreDatabases.contains { name.elementsEqual($0) }
    }

    /// SQL LIKE: `%` any run, `_` one character (a UTF-8 sequence counts as one), `\` escapes.
    static func like(_ text: ArraySlice<UInt8>, _ pattern: [UInt8]) -> Bool {
        let characters = utf8Characters(text)
        var memo = [Int: Bool]()
        func match(_ t: Int, _ p: Int) -> Bool {
            let key = t * (pattern.count + 1) + p
            if let known = memo[key] { return known }
            var result: Bool
            if p == pattern.count {
                result = t == characters.count
            } else if pattern[p] == UInt8(ascii: "%") {
                result = match(t, p + 1) || (t < characters.count && match(t + 1, p))
            } else if t == characters.count {
                result = false
            } else if pattern[p] == UInt8(ascii: "_") {
                result = match(t + 1, p + 1)
            } else {
                var literalStart = p
                if pattern[p] == UInt8(ascii: "\\") && p + 1 < pattern.count { literalStart = p + 1 }
                let length = utf8Length(pattern[literalStart])
                let literal = pattern[literalStart..<min(pattern.count, literalStart + length)]
                result = characters[t].elementsEqual(literal) && match(t + 1, literalStart + literal.count)
            }
            memo[key] = result
            return result
        }
        return match(0, 0)
    }

    private static func utf8Length(_ lead: UInt8) -> Int {
        lead < 0xc0 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4
    }

    private static func utf8Characters(_ text: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var characters: [ArraySlice<UInt8>] = []
        var index = text.startIndex
        while index < text.endIndex {
            let end = min(text.endIndex, index + utf8Length(text[index]))
            characters.append(text[index..<end])
            index = end
        }
        return characters
    }

    /// A `db.table` argument: the part before the first dot is the database.
    static func pattern(_ text: String, option: String) throws(CLIError) -> Pattern {
        let bytes = Array(text.utf8)
        guard let dot = bytes.firstIndex(of: UInt8(ascii: ".")), dot > 0, dot < bytes.count - 1 else {
            throw CLIError(.usage, "\(option): '\(text)' is not db.table")
        }
        return Pattern(database: Array(bytes[..<dot]), table: Array(bytes[(dot + 1)...]))
    }
}
