// What `binlog dump` asks of a text dialect, and how the dialect is chosen.
import MySQLBinlog

/// A printer of the mysqlbinlog script in one server family's dialect.
protocol TextPrinter: AnyObject {
    /// Warnings collected while printing, shown on standard error at the end.
    var warnings: [String] { get }
    /// Lines before the first file.
    func preamble()
    /// Start of each input file (session state starts afresh).
    func beginFile()
    /// The same, for printers that name the file in their output.
    func beginFile(named name: String)
    /// One event; `formatDescription` is the one in force for it.
    func print(_ event: BinlogEvent, formatDescription: FormatDescriptionEvent) throws
    /// End of each input file that was read to its end or to the stop position.
    func endFile()
    /// Lines after the last file.
    func trailer()
    /// Lines after a fatal error (the script as far as it got is already out).
    func finishAfterError()
    /// Whether the Format_description met before `--start-position` is printed whatever the
    /// `--base64-output` mode (mysqlbinlog), or only in AUTO mode (mariadb-binlog).
    var printsFormatDescriptionBeforeStartInEveryMode: Bool { get }
    /// Base64 text (with its final newline) of the next event, computed on the reading thread;
    /// printers that use it set it aside for the next ``print(_:formatDescription:)``.
    func usePrecomputedBase64(_ text: ArraySlice<UInt8>?)
}

extension TextPrinter {
    /// Start of an input file, with its name as given.
    func beginFile(named name: String) { beginFile() }
    /// mariadb-binlog stops where the error is: nothing follows.
    func finishAfterError() {}
    func usePrecomputedBase64(_ text: ArraySlice<UInt8>?) {}
    var printsFormatDescriptionBeforeStartInEveryMode: Bool { false }
}

/// The server family whose tool's output `binlog dump` reproduces.
enum TextDialect {
    /// mariadb-binlog 10.11.
    case mariaDB
    /// mysqlbinlog 8.4.
    case mySQL

    /// The dialect of the server that wrote a file, from its first event.
    init(firstEvent: BinlogEvent?) {
        switch firstEvent?.payload {
        case .formatDescription(let description):
            self = description.isMariaDB ? .mariaDB : .mySQL
        case .startV3:
            self = .mySQL
        default:
            self = .mariaDB
        }
    }

    func makePrinter(out: OutputSink, options: TextOutputOptions) -> any TextPrinter {
        switch self {
        case .mariaDB: return MariaDBTextPrinter(out: out, options: options)
        case .mySQL: return MySQLTextPrinter(out: out, options: options)
        }
    }
}

extension MariaDBTextPrinter: TextPrinter {}

extension MySQLTextPrinter: TextPrinter {
    var printsFormatDescriptionBeforeStartInEveryMode: Bool { true }
}
