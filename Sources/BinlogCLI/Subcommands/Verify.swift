// `binlog verify`: options only; the work is in VerifyFrontend.
import ArgumentParser

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check binlogs for everything a point-in-time recovery depends on, and report every problem.",
        discussion: """
            -R (--read-from-remote-server) checks the server's binlogs FILE names, streamed from the server \
            (see binlog dump --help), instead of local files.

            Checks the CRC32 of every event; event sizes and log positions; that each file starts with a \
            Format_description whose post-header lengths are sane; how each file ends (in use, truncated \
            event, zero-filled tail); that every transaction is closed; GTID continuity (gaps, duplicates, \
            out of order) and Previous_gtids / Gtid_list against the files before; that each Rotate names \
            the next file given and no file is missing; and timestamps that go back. Unlike \
            mysqlbinlog --verify-binlog-checksum it does not stop at the first problem.

            Each finding is one line: FILE: OFFSET: EVENT: SEVERITY: KIND: message. Then one line per file \
            and a total. Exit status: 0 when no finding is an error, 1 when one is, 2 when a file cannot \
            be read or is not a binlog.

            Severities: error (a restore would be wrong or stop there), warning (worth a look), info. \
            Kinds: checksum-mismatch, event-size, log-position, unframeable, truncated-event, zero-tail, \
            file-in-use, first-event, post-header-length, malformed-event, payload, unknown-event, encrypted, \
            unclosed-transaction, open-transaction, orphan-end, gtid-gap, gtid-duplicate, gtid-out-of-order, \
            previous-gtids-mismatch, gtid-list-mismatch, rotate-mismatch, missing-file, no-rotate, \
            timestamp-backwards, not-a-binlog, unreadable.

            --json writes one document: {"schema": 1, "findings": [{"severity", "kind", "file", "offset", \
            "event_type", "gtid", "message"}...], "files": [{"file", "bytes", "events", "checksum" (crc32, \
            none or unknown), "server_version", "errors", "warnings", "info"}...], "summary": {"files", \
            "events", "bytes", "errors", "warnings", "info", "ok"}}. offset, event_type, gtid and \
            server_version may be null. Findings are written as they are found.

            --start-position, --stop-position, --start-datetime, --stop-datetime (and --timezone) limit \
            the report to the range dump would read with them: the files are still read from their start, \
            so that the checks know what came before, but only findings inside the range are reported, \
            and reading ends at the stop. With transaction boundaries (the default) the range starts at \
            the first event of the transaction the start falls in, as dump's does. The other selection \
            options (GTID sets, --server-id, -d, the replica rules, --rewrite-db) are refused: a damaged \
            event stops a restore whatever they select, so verify checks every event of the range.
            """
    )

    @OptionGroup var options: VerifyOptions

    @Argument(help: ArgumentHelp("Binlog files, index files or - for standard input, in order.", valueName: "file"))
    var files: [String]

    #if !BINLOG_NO_NETWORK
    @OptionGroup(title: "Remote input") var remote: RemoteInputOptions
    #endif

    func run() throws {
        var frontend = VerifyFrontend(options: options, files: files)
        #if !BINLOG_NO_NETWORK
        frontend.remoteInputs = try remote.inputsOrExit(files: files, quiet: options.quiet)
        #endif
        let code = frontend.runToStandardOutput()
        if code != 0 { throw ExitCode(code) }
    }
}

struct VerifyOptions: ParsableArguments {
    @Flag(help: "Write the report as one JSON document (schema in the manual page).")
    var json = false

    @Option(help: ArgumentHelp("Report an event whose timestamp is more than this many seconds before an earlier event's (info).",
                               valueName: "seconds"))
    var backwardsTolerance: UInt32 = 60

    @Flag(name: [.customShort("q"), .long], help: "Show no progress on standard error.")
    var quiet = false

    @OptionGroup(title: "Selection (verify takes the range: positions and datetimes)")
    var selection: SelectionOptions
}
