// `binlog filter`: options only; the work is in FilterFrontend.
import ArgumentParser

struct Filter: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the selected events of binlogs as a new, valid binlog file.",
        discussion: """
            The output is a binlog: the magic number, the first input's Format_description, then the \
            selected events, each with its end position rewritten for the new file and its CRC32 \
            recomputed (or removed with --checksum none). Several inputs go into one file (their \
            Format_description, Gtid_list, Binlog_checkpoint and Previous_gtids events after the first \
            file's, and the Rotate and Stop events between them, are left out), or into one file each \
            with -o DIR/ (named as the inputs).

            Selection: positions and datetimes cut at transaction boundaries (a cut inside a transaction \
            moves back to its first event, as in dump); --include-gtids and --exclude-gtids keep whole \
            transactions; --server-id drops other servers' events; -d DB drops statements whose default \
            database is another (transaction control stays) and the Table_map and rows events of other \
            databases' tables, with their Intvar, Rand, User_var, Annotate_rows and Rows_query \
            companions. A transaction left with nothing but its GTID, BEGIN and COMMIT is dropped whole. \
            Inside MySQL compressed transactions the same selection and --rewrite-db apply; a changed \
            transaction is compressed again, one left with nothing is dropped with its GTID.

            A summary (events written and left out) is written to standard error unless --quiet. Exit \
            status: 0 success; 1 damaged input (the error names file, offset and event; the output is \
            then incomplete); 2 usage errors, unreadable inputs, an output that cannot be written.
            """
    )

    @OptionGroup var options: FilterOptions

    @Argument(help: ArgumentHelp("Binlog files or index files, in order.", valueName: "file"))
    var files: [String]

    func run() throws {
        let code = FilterFrontend(options: options, files: files).runToStandardOutput()
        if code != 0 { throw ExitCode(code) }
    }
}

enum ChecksumOutput: String, ExpressibleByArgument, CaseIterable {
    /// As the input: CRC32 when its Format_description says so.
    case keep
    /// No checksums.
    case none
}

struct FilterOptions: ParsableArguments {
    @OptionGroup(title: "Selection") var selection: SelectionOptions

    @Option(name: [.customShort("o"), .long],
            help: ArgumentHelp("The output file, or a directory (ending in /, or existing) for one output file per input.", valueName: "path"))
    var output: String

    @Option(help: ArgumentHelp("keep (the input's CRC32 or none) or none (written without checksums).", valueName: "keep|none"))
    var checksum: ChecksumOutput = .keep

    @Flag(name: [.customShort("q"), .long], help: "Write no summary and no notes on standard error.")
    var quiet = false
}
