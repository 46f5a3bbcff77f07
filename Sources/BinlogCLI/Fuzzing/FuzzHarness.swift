// One fuzz input through every reader and printer: the body of the libFuzzer target, and of a test.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLBinlog

/// Runs an arbitrary byte string through the subcommands as a binlog file.
///
/// The libFuzzer target (`Fuzz/BinlogFuzz`, built by `Scripts/fuzz`) calls ``exercise(_:scratchPath:)``
/// for each input; the test suite calls it on every file of `TestData/` so the harness is built and
/// run on every CI run. Whatever the bytes, it must return: a crash, a trap, an out-of-bounds read
/// (under AddressSanitizer), a hang or an allocation past libFuzzer's limits is a bug.
public enum FuzzHarness {
    /// The command lines each input goes through (the file name is appended).
    public static let commandLines: [[String]] = [
        ["dump"],
        ["dump", "-vv", "--print-table-metadata"],
        ["dump", "--hexdump", "--base64-output", "never"],
        ["dump", "--format", "jsonl"],
        ["dump", "--format", "jsonl", "--database", "test", "--include-gtids", "0-1-1,1-1-5"],
        ["dump", "--short-form", "--skip-gtids", "--idempotent"],
        ["dump", "--format", "sql", "--disable-log-bin"],
        ["dump", "--format", "sql", "--rewrite-db", "test->t2", "--ignore-table", "test.x"],
        // Cuts moved to transaction boundaries (a first reading pass), renamed databases, replica rules.
        ["dump", "--stop-position", "2000", "--start-datetime", "2030-01-01 00:00:00", "--timezone", "UTC",
         "--rewrite-db", "test->t2", "--wild-ignore-table", "test.x%", "-v"],
        ["dump", "--format", "jsonl", "--rewrite-db", "test->t2", "--do-table", "test.t", "--start-position", "4"],
        // -d and renaming in the text without -v, which MySQL-written inputs also reach (mysqlbinlog's rules).
        ["dump", "--database", "t2", "--rewrite-db", "test->t2", "--hexdump"],
        ["stats", "--json"],
        ["stats", "--database", "test", "--stop-datetime", "2031-01-01", "--timezone", "UTC"],
        ["verify", "--json"],
        ["verify", "--start-position", "4", "--stop-datetime", "2031-01-01", "--timezone", "UTC"],
        // The output goes next to the input (FILE.out).
        ["filter", "--quiet", "-o", "-", "--stop-datetime", "2031-01-01", "--timezone", "UTC", "--rewrite-db", "test->t2", "--ignore-db", "mysql"],
        ["filter", "--quiet", "-o", "-", "--checksum", "none", "-d", "test"],
    ]

    /// Writes `bytes` to `scratchPath` and runs every command line of ``commandLines`` on it, output
    /// discarded. Returns the exit code of each run (0, 1 or 2; anything else is a harness bug).
    @discardableResult
    public static func exercise(_ bytes: UnsafeRawBufferPointer, scratchPath: String) -> [Int32] {
        let fd = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { fatalError("fuzz harness: cannot create \(scratchPath)") }
        var written = 0
        while written < bytes.count {
            let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
            guard n > 0 else { fatalError("fuzz harness: cannot write \(scratchPath)") }
            written += n
        }
        close(fd)
        checkGTIDSetText(bytes)
        return runs.indices.map { run($0, path: scratchPath) }
    }

    /// The same bytes as the text of a GTID set (what users type after --include-gtids): parsing
    /// never traps, and what parses prints to a text that parses back to the same set.
    static func checkGTIDSetText(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count <= 4096 else { return }
        let text = String(decoding: bytes, as: UTF8.self)
        if let set = try? MySQLGTIDSet(parsing: text) {
            guard let again = try? MySQLGTIDSet(parsing: set.description), again == set else {
                fatalError("MySQL GTID set \(set) does not parse back to itself")
            }
        }
        if let list = try? MariaDBGTIDList(parsing: text) {
            guard let again = try? MariaDBGTIDList(parsing: list.description), again == list else {
                fatalError("MariaDB GTID list \(list) does not parse back to itself")
            }
        }
    }

    /// The command lines parsed once: argument parsing costs more than decoding a small input.
    nonisolated(unsafe) private static let runs: [(OutputSink, String) -> Int32] = commandLines.map { arguments in
        let rest = Array(arguments.dropFirst())
        do {
            switch arguments[0] {
            case "dump":
                let options = try DumpOptions.parse(rest)
                return { sink, path in DumpFrontend(options: options, files: [path]).run(out: sink, diagnostics: { _ in }) }
            case "stats":
                let options = try StatsOptions.parse(rest)
                return { sink, path in StatsFrontend(options: options, files: [path]).run(out: sink, diagnostics: { _ in }) }
            case "verify":
                let options = try VerifyOptions.parse(rest)
                return { sink, path in VerifyFrontend(options: options, files: [path]).run(out: sink, diagnostics: { _ in }) }
            case "filter":
                let options = try FilterOptions.parse(rest)
                return { _, path in
                    var perInput = options
                    perInput.output = path + ".out"
                    return FilterFrontend(options: perInput, files: [path]).run(diagnostics: { _ in })
                }
            default:
                fatalError("fuzz harness: unknown command \(arguments[0])")
            }
        } catch {
            fatalError("fuzz harness: bad command line \(arguments): \(error)")
        }
    }

    private static func run(_ index: Int, path: String) -> Int32 {
        let null = open("/dev/null", O_WRONLY)
        defer { close(null) }
        let sink = OutputSink(fd: null)
        defer { sink.finish() }
        return runs[index](sink, path)
    }
}
