// `binlog pull`: options only; the work is in PullFrontend.
import ArgumentParser

struct Pull: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy binlogs from a live server as a replica does: byte-identical files, optionally following forever.",
        discussion: """
            Registers as a replica (COM_REGISTER_SLAVE with --connection-server-id) and asks for the binlog \
            stream (COM_BINLOG_DUMP) from FILE at --start-position, or from the server's first binlog. Each \
            event is written whole to DIR under the server's file name; the server's artificial Rotate and \
            Format_description events, heartbeats and other events it marks as not part of the file are not \
            written, so a file copied from its start is byte-identical to the server's. A file is synced when \
            the server rotates to the next one, and at the end.

            By default only FILE is copied (to its end as the server has it now); --to-last-log goes on through \
            every later file to the end of the last one; --stop-never keeps following new events, reconnecting \
            with backoff (1 s doubling to 30 s) when the connection drops, from the last complete event.

            Started again without FILE, pull continues where the last run into DIR stopped (DIR/.binlog-pull \
            names the file): a last file cut short by a crash is first trimmed to its last complete event. \
            --start-gtid starts from GTIDs instead: after a MariaDB GTID position, or (MySQL, with \
            COM_BINLOG_DUMP_GTID) with every transaction not in a MySQL GTID set; the first file then starts \
            with the server's Format_description, not as the server's file does.

            Memory stays bounded whatever the server sends (events up to 1 GiB); a packet that is not an event \
            or an event whose length or position does not fit stops the run with an error.

            Exit status: 0 done; 1 a server error or a broken stream; 2 usage or output errors; 3 cannot \
            connect or log in.
            """
    )

    @OptionGroup var options: PullOptions

    @Argument(help: ArgumentHelp("The server's binlog to start with (default: where the last pull into DIR stopped, else the server's first).", valueName: "file"))
    var file: String?

    func run() throws {
        let code = PullFrontend(options: options, file: file).runToStandardOutput()
        if code != 0 { throw ExitCode(code) }
    }
}

struct PullOptions: ParsableArguments {
    @OptionGroup(title: "Connection") var connection: ConnectionOptions

    @Option(name: [.customShort("o"), .customLong("output-directory")], help: ArgumentHelp("Directory for the copies (created if missing).", valueName: "dir"))
    var outputDirectory: String

    @Flag(help: "Accepted for mysqlbinlog's spelling: pull always writes the raw binlog files.")
    var raw = false

    @Option(help: ArgumentHelp("Position in FILE to start at (default 4, the first event).", valueName: "n"))
    var startPosition: UInt32?

    @Option(help: ArgumentHelp("Start after these GTIDs: for MariaDB a position (domain-server-sequence, comma-separated per domain); for MySQL the set already had (uuid:1-5,...: every transaction not in it is sent, COM_BINLOG_DUMP_GTID).", valueName: "gtids"))
    var startGtid: String?

    @Flag(help: "Go on through every later binlog to the end of the server's last one.")
    var toLastLog = false

    @Flag(help: "Keep following new events (implies --to-last-log); reconnect when the connection drops.")
    var stopNever = false

    @Option(help: ArgumentHelp("Server id to register with (default: one derived from the process id, from 4000000000 up).", valueName: "id"))
    var connectionServerId: UInt32?

    @Option(help: ArgumentHelp("Seconds between the server's heartbeats while idle (default 15; 0: none).", valueName: "seconds"))
    var heartbeat: UInt32 = 15

    @Flag(name: [.customShort("q"), .long], help: "Print no notes or summary on standard error.")
    var quiet = false
}
