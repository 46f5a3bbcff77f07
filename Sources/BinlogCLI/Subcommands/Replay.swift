// `binlog replay`: options only; the work is in ReplayFrontend.
import ArgumentParser

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the selected events to a server: one session, transaction by transaction, with a checkpoint.",
        discussion: """
            Sends the script binlog dump prints for the selection (statements with their session settings, \
            rows as BINLOG statements, which need the BINLOG ADMIN or SUPER privilege) to the server over one \
            session, statement by statement, so temporary tables and session variables live across files. \
            LOAD DATA events are sent as LOAD DATA LOCAL INFILE from files this run writes (and only those).

            --checkpoint FILE records, after each transaction the server committed, its file, end position \
            and GTID (written to FILE.tmp, synced, renamed). --resume starts right after it. On a server \
            error the replay stops: the file, offset, GTID, the statement (shortened) and the server's code, \
            state and message are printed, an open transaction is rolled back, the checkpoint stays at the \
            last committed transaction, and the exit status is 1. --dry-run prints what would be sent and \
            connects to nothing.

            Not yet: TLS, --rows-as sql, comparing GTIDs with the target's before applying, --force, progress.

            Exit status: 0 done; 1 a server error or damaged data; 2 usage or input errors; 3 cannot connect \
            or log in.
            """
    )

    @OptionGroup var options: ReplayOptions

    @Argument(help: ArgumentHelp("Binlog files, index files or - for standard input, in order.", valueName: "file"))
    var files: [String]

    func run() throws {
        let code = ReplayFrontend(options: options, files: files).runToStandardOutput()
        if code != 0 { throw ExitCode(code) }
    }
}

struct ReplayOptions: ParsableArguments {
    @OptionGroup(title: "Selection") var selection: SelectionOptions
    @OptionGroup(title: "Connection") var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Record the last committed transaction here (file, end position, GTID).", valueName: "file"))
    var checkpoint: String?

    @Flag(help: "Start right after the transaction --checkpoint records.")
    var resume = false

    @Flag(help: "Print what would be sent; connect to nothing.")
    var dryRun = false

    @Flag(help: "Send no GTID assignments: the target gives the transactions GTIDs of its own.")
    var skipGtids = false

    @Flag(name: [.customShort("i"), .long], help: "Ignore duplicate-key and missing-row errors (MySQL files only: RBR_EXEC_MODE=IDEMPOTENT).")
    var idempotent = false

    @Flag(name: .customLong("no-verify-checksum"), help: "Do not check the CRC32 of each event.")
    var noVerifyChecksum = false

    @Flag(name: [.customShort("q"), .long], help: "Print no warnings, notes or summary on standard error.")
    var quiet = false
}
