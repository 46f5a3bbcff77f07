// `binlog stats`: options only; the work is in StatsFrontend.
import ArgumentParser

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise what is in binlogs: events, transactions, rows per table, DDL, GTIDs.",
        discussion: """
            -R (--read-from-remote-server) reads the server's binlogs FILE names, streamed from the server \
            (see binlog dump --help), instead of local files.

            Reads the selected events of every file (rows are counted, never decoded) and reports: the time \
            range; events by type; server ids; transactions (count, outcome, sizes, the largest with their \
            position, GTID and duration, and the long-running ones); rows inserted, updated and deleted and \
            the bytes of rows events per table; DDL statements with their positions; changes logged as \
            statements (and where a file also has row events, which is where they surprise); the GTIDs seen; \
            and how much compressed transactions and events save.

            The default is an aligned report for a terminal. --json writes one JSON document instead \
            (schema 1: keys are never renamed or removed; new keys may be added): schema; files [{file, \
            bytes, events, server_version, checksum, format (row, statement, mixed or null: what its changes show)}]; time_range {first, last, first_utc, last_utc, \
            seconds} or null; events {count, bytes, by_type [{type, type_code, count, bytes, \
            in_compressed_transactions}]}; server_ids [{server_id, events}]; transactions {count, \
            committed, rolled_back, xa_prepared, statement, unterminated, bytes, min_bytes, max_bytes, \
            mean_bytes, largest [T], long_running_seconds, long_running_count, long_running [T]} where T is \
            {file, position, gtid, bytes, events, first_timestamp, last_timestamp, duration_seconds, \
            outcome}; rows {inserts, updates, deletes, events}; tables [{database, table, inserts, updates, \
            deletes, bytes, events}]; ddl [S]; formats {seen, row_events, statement_changes, \
            statement_changes_in_row_files, statement_changes_listed [S]} where S is {file, position, gtid, \
            database, timestamp, statement}; gtids {mysql, mariadb [{domain_id, server_id, first, last, \
            count}]}; compression {transactions, share, compressed_bytes, uncompressed_bytes, ratio, \
            mariadb_events, mariadb_compressed_bytes, mariadb_uncompressed_bytes, mariadb_ratio}; warnings.

            Exit status: 0 success; 1 damaged data: a checksum mismatch or an event that cannot be read \
            stops the run with an error naming the file, offset and event, and no report; rows that do \
            not fit their table's Table_map are left out of the counts, said on standard error, and the \
            report is still written; 2 usage errors, unreadable files, files that are not binlogs.
            """
    )

    @OptionGroup var options: StatsOptions

    @Argument(help: ArgumentHelp("Binlog files, index files or - for standard input, in order.", valueName: "file"))
    var files: [String]

    #if !BINLOG_NO_NETWORK
    @OptionGroup(title: "Remote input") var remote: RemoteInputOptions
    #endif

    func run() throws {
        var frontend = StatsFrontend(options: options, files: files)
        #if !BINLOG_NO_NETWORK
        frontend.remoteInputs = try remote.inputsOrExit(files: files, quiet: options.quiet)
        #endif
        let code = frontend.runToStandardOutput()
        if code != 0 { throw ExitCode(code) }
    }
}

struct StatsOptions: ParsableArguments {
    @OptionGroup(title: "Selection") var selection: SelectionOptions

    @Flag(help: "Write the report as one JSON document (schema in the manual page).")
    var json = false

    @Option(help: ArgumentHelp("How many of the largest and of the long-running transactions to list.", valueName: "n"))
    var top: Int = 10

    @Option(help: ArgumentHelp("A transaction whose events span at least this many seconds is long-running.", valueName: "seconds"))
    var longTransaction: UInt32 = 60

    @Flag(name: .customLong("no-verify-checksum"), help: "Do not check the CRC32 of each event.")
    var noVerifyChecksum = false

    @Flag(name: [.customShort("q"), .long], help: "Print no warnings or progress on standard error.")
    var quiet = false

    func validate() throws {
        guard top >= 0 else { throw ValidationError("--top must be 0 or more") }
    }
}
