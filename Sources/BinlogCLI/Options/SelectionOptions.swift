// The selection options shared by the subcommands that read binlogs: which events count.
import ArgumentParser

/// Position, time, server id and database selection, spelled as mysqlbinlog spells them.
struct SelectionOptions: ParsableArguments {
    @Option(name: [.customShort("j"), .long], help: "Start at the event that begins at this byte offset of the first file.")
    var startPosition: UInt64?

    @Option(help: "Stop before the first event that begins at or after this offset of the last file.")
    var stopPosition: UInt64?

    @Option(help: ArgumentHelp("Start at the first event whose time is at or after this (YYYY-MM-DD HH:MM:SS, in --timezone unless it has an offset).",
                               valueName: "datetime"))
    var startDatetime: String?

    @Option(help: ArgumentHelp("Stop before the first event whose time is at or after this.", valueName: "datetime"))
    var stopDatetime: String?

    @Option(help: ArgumentHelp("The zone of datetimes given without an offset: local (default, as mysqlbinlog), UTC, +02:00, or a zoneinfo name.",
                               valueName: "zone"))
    var timezone: String = "local"

    @Option(help: ArgumentHelp("Only events written by this server id (Format_description and Rotate events are always kept).",
                               valueName: "id"))
    var serverId: UInt32?

    @Option(name: [.customShort("d"), .long],
            help: ArgumentHelp("Only statements whose default database is this, and row events of its tables (as mysqlbinlog).",
                               valueName: "db"))
    var database: String?

    @Option(help: ArgumentHelp("Only the transactions whose GTID is in this set (MySQL uuid[:tag]:n-m, or MariaDB domain-server-seq positions: a domain's transactions up to that number); transactions without a GTID are left out.",
                               valueName: "set"))
    var includeGtids: String?

    @Option(help: ArgumentHelp("Leave out the transactions whose GTID is in this set (same syntax).", valueName: "set"))
    var excludeGtids: String?

    @Option(help: ArgumentHelp("Replica rule: keep only statements run in, and rows of tables in, these databases (repeatable).", valueName: "db"))
    var doDb: [String] = []

    @Option(help: ArgumentHelp("Replica rule: leave out statements run in, and rows of tables in, this database (repeatable; not with --do-db, which wins).", valueName: "db"))
    var ignoreDb: [String] = []

    @Option(help: ArgumentHelp("Replica rule: keep the rows of this table (repeatable).", valueName: "db.table"))
    var doTable: [String] = []

    @Option(help: ArgumentHelp("Replica rule: leave out the rows of this table (repeatable).", valueName: "db.table"))
    var ignoreTable: [String] = []

    @Option(help: ArgumentHelp("Replica rule: keep the rows of tables matching this pattern (% and _ wildcards; repeatable).", valueName: "db.table"))
    var wildDoTable: [String] = []

    @Option(help: ArgumentHelp("Replica rule: leave out the rows of tables matching this pattern (repeatable).", valueName: "db.table"))
    var wildIgnoreTable: [String] = []

    @Option(help: ArgumentHelp("Rename a database: statements' default database and tables' databases FROM become TO (repeatable). -d and the replica rules look at the names as logged, as mariadb-binlog does, except in the text of MySQL-written files, where mysqlbinlog renames first.",
                               valueName: "from->to"))
    var rewriteDb: [String] = []

    @Flag(inversion: .prefixedNo,
          help: ArgumentHelp("Move position and time cuts to transaction boundaries, so that no transaction is split: a cut inside a transaction moves back to its first event, keeping it whole at a start and leaving it out at a stop (default). --no-transaction-boundaries cuts at the event, as mysqlbinlog does."))
    var transactionBoundaries = true

    /// `-d` and the replica rules given, if any (SchemaFilter).
    func schemaFilter() throws(CLIError) -> SchemaFilter? {
        if database == nil && doDb.isEmpty && ignoreDb.isEmpty && doTable.isEmpty && ignoreTable.isEmpty
            && wildDoTable.isEmpty && wildIgnoreTable.isEmpty {
            return nil
        }
        var filter = SchemaFilter()
        filter.database = database.map { Array($0.utf8) }
        filter.doDatabases = doDb.map { Array($0.utf8) }
        filter.ignoreDatabases = ignoreDb.map { Array($0.utf8) }
        for text in doTable { filter.doTables.append(try SchemaFilter.pattern(text, option: "--do-table")) }
        for text in ignoreTable { filter.ignoreTables.append(try SchemaFilter.pattern(text, option: "--ignore-table")) }
        for text in wildDoTable { filter.wildDoTables.append(try SchemaFilter.pattern(text, option: "--wild-do-table")) }
        for text in wildIgnoreTable { filter.wildIgnoreTables.append(try SchemaFilter.pattern(text, option: "--wild-ignore-table")) }
        return filter
    }

    /// Whether position or time cuts are to be moved to transaction boundaries, which takes a
    /// first reading pass (standard input is then read from a copy).
    var readsTwice: Bool {
        transactionBoundaries && (startPosition != nil || stopPosition != nil || startDatetime != nil || stopDatetime != nil)
    }

    /// The `--rewrite-db` rules given, if any.
    func databaseRewrite() throws(CLIError) -> DatabaseRewrite? {
        rewriteDb.isEmpty ? nil : try DatabaseRewrite(rewriteDb)
    }

    /// The GTID selection given, if any.
    func gtidFilter() throws(CLIError) -> GTIDFilter? {
        try GTIDFilter(include: includeGtids, exclude: excludeGtids)
    }

    /// The datetimes given, read in `--timezone`.
    func datetimes() throws(CLIError) -> (start: DateTimeArgument?, stop: DateTimeArgument?) {
        let zone = try TimeZoneArgument(parsing: timezone)
        let start = try startDatetime.map { (text) throws(CLIError) in
            try DateTimeArgument(parsing: text, option: "--start-datetime", zone: zone)
        }
        let stop = try stopDatetime.map { (text) throws(CLIError) in
            try DateTimeArgument(parsing: text, option: "--stop-datetime", zone: zone)
        }
        return (start, stop)
    }
}
