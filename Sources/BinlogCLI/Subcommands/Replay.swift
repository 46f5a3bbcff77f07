// `binlog replay`: options only; the work is in ReplayFrontend.
import ArgumentParser

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the selected events to a server: one session, transaction by transaction, with a checkpoint.",
        discussion: """
            Sends the script binlog dump prints for the selection (statements with their session settings, \
            rows as BINLOG statements, which need the BINLOG ADMIN or SUPER privilege) to the server over one \
            session, a transaction per round trip (its statements in one multi-statement query), so \
            temporary tables and session variables live across files. \
            LOAD DATA events are sent as LOAD DATA LOCAL INFILE from files this run writes (and only those). \
            With --rows-as sql the script is the one binlog dump --format sql prints: rows as INSERT, UPDATE \
            and DELETE statements, which need no special privilege and work across MySQL and MariaDB; the \
            transactions then get GTIDs of the target's own.

            -R (--read-from-remote-server) reads FILE from another server instead of local files: the one \
            --source-defaults-file describes ([client] group: host, port or socket, user, password, ssl-mode, \
            ssl-ca...), as binlog dump -R does; with --to-last-log every binlog from FILE to the source's last. \
            With --checkpoint and --resume this copies a source's new transactions to the target, run after run.

            Transactions whose GTID the target has already (MariaDB: at or below its gtid_binlog_pos in \
            their domain; MySQL: in its gtid_executed) are reported and skipped, unless --skip-gtids.

            --checkpoint FILE records, after each transaction the server committed, its file, end position \
            and GTID (written to FILE.tmp, synced, renamed). --resume starts right after it. On a server \
            error the replay stops: the file, offset, GTID, the statement (shortened) and the server's code, \
            state and message are printed, an open transaction is rolled back, the checkpoint stays at the \
            last committed transaction, and the exit status is 1. --dry-run prints what would be sent and \
            connects to nothing. --force rolls a failing transaction back, goes on with the next one and \
            lists every transaction left out at the end (exit status 1); the checkpoint moves past them.

            TLS: --ssl-mode preferred (the default) uses it over TCP when the server offers it; required, \
            verify-ca and verify-identity insist on it (verify-ca checks the certificate against --ssl-ca, \
            verify-identity also the host name or IP address). A connection to another machine without TLS \
            gets a warning. On a terminal a progress line shows bytes, transactions per second and the time \
            left; a summary follows at the end.

            Exit status: 0 done; 1 a server error or damaged data; 2 usage or input errors; 3 cannot connect \
            or log in.
            """
    )

    @OptionGroup var options: ReplayOptions

    @Argument(help: ArgumentHelp("Binlog files, index files or - for standard input, in order.", valueName: "file"))
    var files: [String]

    @OptionGroup(title: "Remote input") var remote: RemoteSourceOptions

    func run() throws {
        var frontend = ReplayFrontend(options: options, files: files)
        frontend.remoteInputs = try remote.inputsOrExit(files: files, quiet: options.quiet)
        let code = frontend.runToStandardOutput()
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

    @Option(help: ArgumentHelp("Rows events as binlog (BINLOG statements: exact, need BINLOG ADMIN or SUPER) or sql (INSERT, UPDATE, DELETE: no special privilege; the target gives GTIDs).", valueName: "form"))
    var rowsAs: RowsForm = .binlog

    @Flag(help: "On a server error, roll the transaction back and go on with the next; list every transaction left out.")
    var force = false

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

enum RowsForm: String, ExpressibleByArgument, CaseIterable {
    case binlog
    case sql
}
