// `binlog dump`: options only; the work is in DumpFrontend.
import ArgumentParser

struct Dump: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print binlog events as the mysqlbinlog script.",
        discussion: """
            The text is the script mariadb-binlog (for MariaDB-written files) or mysqlbinlog prints, \
            so `binlog dump FILE | mariadb` replays it. FILE may be a binlog or relay log, `-` for standard \
            input, an index file (it stands for the files it lists), or a gzip or zstd compressed copy. \
            Several files are read in order as one stream.

            -R (--read-from-remote-server) reads FILE from a server instead, as a replica (COM_BINLOG_DUMP, \
            non-blocking, one session per file, the connection options below): each binlog named, or with \
            --to-last-log every binlog from FILE to the end of the server's last. The bytes are those of the \
            server's files (its artificial Rotate and Format_description events and heartbeats are left out), \
            so the text is what the files give locally, and what mariadb-binlog -R prints for the files named; \
            with --to-last-log mariadb-binlog also prints the artificial Rotate events and no DELIMITER lines \
            between files, which binlog dump does not. The file the server is writing reads as not in use.

            --format sql prints plain SQL instead: statements as logged, each after the session settings \
            it needs (USE, SET TIMESTAMP, sql_mode by name, character sets, user variables, INSERT_ID, RAND \
            seeds), rows events as INSERT, UPDATE … LIMIT 1 and DELETE … LIMIT 1 with exact values (WHERE on \
            the primary key when the metadata names it, else on every column of the before image), no \
            BINLOG statements. Without column names in the binlog (binlog_row_metadata MINIMAL or NO_LOG) \
            the statements look the names up in the target's information_schema and run with \
            PREPARE/EXECUTE.

            --format jsonl prints one JSON object per event instead. Keys of every object: type, type_code, \
            file, position, end_position, timestamp, server_id, gtid. Query adds database, query, thread_id, \
            exec_time, error_code; Xid xid; Rotate next_file, next_position; Table_map table_id, database, \
            table, columns, column_types; rows events table_id, database, table, columns and rows, a list of \
            {"before": {...}, "after": {...}} images keyed by column name (or @N). Values: integers and \
            FLOAT/DOUBLE as numbers, DECIMAL as an exact string, temporal types as strings (TIMESTAMP in \
            UTC), strings as JSON strings when UTF-8, else {"base64": ...}, MySQL JSON columns as JSON \
            (the text the server prints for them), partial JSON updates as {"json_diff": [...]}.
            """
    )

    @OptionGroup var options: DumpOptions

    @Argument(help: ArgumentHelp("Binlog files, index files or - for standard input.", valueName: "file"))
    var files: [String]

    #if !BINLOG_NO_NETWORK
    @OptionGroup(title: "Remote input") var remote: RemoteInputOptions
    #endif

    func run() throws {
        var frontend = DumpFrontend(options: options, files: files)
        #if !BINLOG_NO_NETWORK
        frontend.remoteInputs = try remote.inputsOrExit(files: files, quiet: options.quiet)
        #endif
        let code = frontend.runToStandardOutput()
        if code != 0 { throw ExitCode(code) }
    }
}

/// The options of `binlog dump`, spelled as mysqlbinlog spells them.
struct DumpOptions: ParsableArguments {
    @OptionGroup(title: "Selection") var selection: SelectionOptions

    @Option(help: ArgumentHelp("text: the mysqlbinlog script (default); sql: plain SQL, row events as INSERT/UPDATE/DELETE; jsonl: one JSON object per event, row values typed (keys in the manual).",
                               valueName: "format"))
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("When to print BINLOG statements: auto, never or decode-rows.", valueName: "mode"))
    var base64Output: Base64OutputMode = .auto

    @Flag(name: [.customShort("v"), .long],
          help: "Print row events as ### pseudo-SQL comments, in the dialect of the server that wrote the file; -vv adds each column's type.")
    var verbose: Int

    @Flag(help: "Print the columns (names, types, charsets, primary key) under each Table_map, in the dialect of the server that wrote the file (text output).")
    var printTableMetadata = false

    @Flag(name: [.customShort("H"), .long], help: "Add a hex dump of each event in comments.")
    var hexdump = false

    @Flag(name: [.customShort("s"), .long], help: "Print only the statements, without event headers or row events.")
    var shortForm = false

    @Option(name: [.customShort("r"), .long], help: ArgumentHelp("Write the output to this file instead of standard output.", valueName: "file"))
    var resultFile: String?

    @Flag(name: [.customShort("D"), .long], help: "Disable binary logging on the server the output is replayed on.")
    var disableLogBin = false

    @Flag(help: "Print no GTID assignments (SET gtid_seq_no, GTID_NEXT): the replayed transactions get new GTIDs.")
    var skipGtids = false

    @Flag(name: [.customShort("i"), .long], help: "Make the replay ignore duplicate-key and missing-row errors (MySQL files only: RBR_EXEC_MODE=IDEMPOTENT).")
    var idempotent = false

    @Flag(name: [.customShort("F"), .long], inversion: .prefixedNo,
          help: "Read files that are still open or were not closed properly (a warning instead of an error).")
    var forceIfOpen = true

    @Flag(name: .customLong("no-verify-checksum"), help: "Do not check the CRC32 of each event.")
    var noVerifyChecksum = false

    @Flag(name: [.customShort("q"), .long], help: "Print no warnings or progress on standard error.")
    var quiet = false
}

extension DumpOptions {
    /// The options for reading a selection as dump reads it (flashback, replay).
    static func reading(_ selection: SelectionOptions, noVerifyChecksum: Bool, quiet: Bool) throws -> DumpOptions {
        var options = try DumpOptions.parse([])
        options.selection = selection
        options.noVerifyChecksum = noVerifyChecksum
        options.quiet = quiet
        return options
    }
}

enum Base64OutputMode: String, ExpressibleByArgument, CaseIterable {
    case auto
    case never
    case decodeRows = "decode-rows"

    init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case sql
    case jsonl
}
