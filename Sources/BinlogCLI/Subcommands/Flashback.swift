// `binlog flashback`: options only; the work is in FlashbackFrontend.
import ArgumentParser

struct Flashback: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Undo the row changes of a selection: SQL or a binlog of inverted events, newest first.",
        discussion: """
            Reads the selected events (the selection options of dump; whole transactions by default) and \
            writes their undo: inserts become deletes, deletes inserts, updates are reversed; transactions \
            in reverse order, rows in reverse order within them, each transaction kept whole. Works for \
            files of either server, every column type, MariaDB compressed events and MySQL compressed \
            transactions. The undo is kept in a temporary file in TMPDIR past 8 MiB, so memory stays \
            bounded however large the range.

            --format sql (default) writes statements as dump --format sql writes them (WHERE on the primary \
            key when the Table_map names it, else every column; LIMIT 1). --format binlog -o FILE writes a \
            binlog: the first input's Format_description, then for each transaction BEGIN, each inverted \
            rows event after its Table_map, COMMIT; replay it with `mariadb-binlog FILE | mariadb` or \
            `binlog dump FILE | mariadb`.

            Events that cannot be undone are listed: statements (DDL, changes logged as statements, \
            LOAD DATA), incidents, unknown events, and rows events whose images lack what the undo needs \
            (binlog_row_image MINIMAL or NOBLOB: a delete without every column, an update whose before \
            image lacks a column it changed, an image with neither every column nor the primary key). \
            Then nothing is written and the exit status is 1, unless --skip-unsafe leaves them out.

            Exit status: 0 the undo was written; 1 events that cannot be undone (without --skip-unsafe), or \
            damaged data; 2 usage or input errors.
            """
    )

    @OptionGroup var options: FlashbackOptions

    @Argument(help: ArgumentHelp("Binlog files, index files or - for standard input, in order.", valueName: "file"))
    var files: [String]

    func run() throws {
        let code = FlashbackFrontend(options: options, files: files).runToStandardOutput()
        if code != 0 { throw ExitCode(code) }
    }
}

struct FlashbackOptions: ParsableArguments {
    @OptionGroup(title: "Selection") var selection: SelectionOptions

    @Option(help: ArgumentHelp("sql: statements (default); binlog: a binlog file of inverted rows events (needs -o).", valueName: "format"))
    var format: FlashbackFormat = .sql

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write to this file (standard output for sql when not given).", valueName: "file"))
    var output: String?

    @Flag(help: "Leave out the events that cannot be undone (listed on standard error) instead of refusing.")
    var skipUnsafe = false

    @Flag(name: .customLong("no-verify-checksum"), help: "Do not check the CRC32 of each event.")
    var noVerifyChecksum = false

    @Flag(name: [.customShort("q"), .long], help: "Print no warnings on standard error.")
    var quiet = false
}

extension FlashbackFormat: ExpressibleByArgument {
    init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}
