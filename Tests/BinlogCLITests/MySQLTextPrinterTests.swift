// `binlog dump` in the mysqlbinlog 8.4 dialect, against mysqlbinlog's own outputs for the shared corpus.
import Foundation
import XCTest
@testable import BinlogCLI
@testable import MySQLBinlog

final class MySQLTextPrinterTests: XCTestCase {
    /// `../shared/corpus` beside the package: read in place, never copied.
    static let corpus = CLIPaths.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")

    override func tearDown() {
        // Header times print in the local zone: leave the process in UTC, as the other tests expect.
        useUTC()
        super.tearDown()
    }

    private func corpusPath(_ path: String) throws -> String {
        let url = Self.corpus.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("the shared corpus is not at \(Self.corpus.path) (../shared/corpus from the package root): \(path) not checked")
        }
        return url.path
    }

    private func corpusText(_ path: String, utf16: Bool = false) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: try corpusPath(path)))
        guard utf16 else { return String(decoding: data, as: UTF8.self) }
        // Windows output: UTF-16LE with a byte-order mark and CRLF line ends.
        let text = String(data: data, encoding: .utf16LittleEndian) ?? ""
        return text.replacingOccurrences(of: "\u{feff}", with: "").replacingOccurrences(of: "\r\n", with: "\n")
    }

    private struct Result {
        var text: String
        var bytes: [UInt8]
        var code: Int32
        var diagnostics: [String]
    }

    /// `binlog dump ARGUMENTS` in-process, with the local time zone set to `zone`.
    private func dump(_ arguments: [String], zone: String = "UTC") throws -> Result {
        setenv("TZ", zone, 1)
        tzset()
        defer { useUTC() }
        let scratch = try makeScratchDirectory()
        setenv("TMPDIR", scratch.path, 1)
        defer {
            unsetenv("TMPDIR")
            try? FileManager.default.removeItem(at: scratch)
        }
        let options = try DumpOptions.parse(arguments.filter { $0.hasPrefix("-") })
        let files = arguments.filter { !$0.hasPrefix("-") }
        let sink = OutputSink()
        var messages: [String] = []
        let code = DumpFrontend(options: options, files: files).run(out: sink, diagnostics: { messages.append($0) })
        return Result(text: sink.text, bytes: sink.buffer, code: code, diagnostics: messages)
    }

    /// The text of `result` from the line after `marker` up to and including the line `end`.
    private func section(_ result: String, after marker: String, through end: String = "/*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=0*/;\n",
                         occurrence: Int = 1) throws -> String {
        var rest = Substring(result)
        for _ in 0..<occurrence {
            guard let found = rest.range(of: marker) else {
                XCTFail("the oracle has no \(marker.debugDescription)")
                throw CancellationError()
            }
            rest = rest[found.upperBound...]
        }
        guard let stop = rest.range(of: end) else {
            XCTFail("the oracle section after \(marker.debugDescription) has no end")
            throw CancellationError()
        }
        return String(rest[..<stop.upperBound])
    }

    /// Applies mysqltest `replace_regex` rules to each line.
    private func masked(_ text: String, _ rules: [(String, String)]) -> String {
        let compiled = rules.map { (try! NSRegularExpression(pattern: $0.0), $0.1) }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var line = String(line)
            for (regex, template) in compiled {
                line = regex.stringByReplacingMatches(in: line, range: NSRange(line.startIndex..., in: line), withTemplate: template)
            }
            return line
        }.joined(separator: "\n")
    }

    /// The masks of mysql-test/include/mysqlbinlog.inc (MySQL 8.0.40).
    private let mysqlbinlogIncludeMasks: [(String, String)] = [
        ("TIMESTAMP=[0-9]*", "TIMESTAMP=#"),
        ("#[0-9]*[ ]*[0-9]*:[0-9]*:[0-9]* server id [0-9]*", "# # server id #"),
        ("exec_time=[0-9]*", "exec_time=#"),
        ("last_committed=[0-9]*", "last_committed=#"),
        ("sequence_number=[0-9]*", "sequence_number=#"),
        ("original_committed_timestamp=[0-9]*.immediate_commit_timestamp=[0-9]*", "original_committed_timestamp=#   immediate_commit_timestamp=#"),
        ("transaction_length=[0-9]*", "transaction_length=#"),
        ("end_log_pos [0-9]*", "end_log_pos #"),
        ("# at [0-9]*", "# at #"),
        ("Xid = [0-9]*", "Xid = #"),
        ("thread_id=[0-9]*", "thread_id=#"),
        ("table id [0-9]*", "table id #"),
        ("mapped to number [0-9]*", "mapped to number #"),
        ("server v [^ ]*", "server v #"),
        ("Start: binlog v [0-9]*", "Start: binlog v #"),
        ("created [0-9]*[ ]*[0-9]*:[0-9]*:[0-9]* at startup", "created # at startup"),
        ("# immediate_commit_timestamp=[0-9]* \\([0-9]*-[0-9]*-[0-9]* [0-9]*:[0-9]*:[0-9]*.[0-9]* GMT\\)",
         "# immediate_commit_timestamp= MICROSECONDS-FROM-EPOCH (YYYY-MM-DD HOURS:MINUTES:SECONDS TZ)"),
        ("# original_commit_timestamp=[0-9]* \\([0-9]*-[0-9]*-[0-9]* [0-9]*:[0-9]*:[0-9]*.[0-9]* GMT\\)",
         "# original_commit_timestamp= MICROSECONDS-FROM-EPOCH (YYYY-MM-DD HOURS:MINUTES:SECONDS TZ)"),
        ("SET @@session.original_commit_timestamp=[0-9]*", "SET @@session.original_commit_timestamp= MICROSECONDS-FROM-EPOCH"),
        ("SET @@session.original_server_version=[0-9]*", "SET @@session.original_server_version= ORIGINAL_SERVER_VERSION"),
        ("SET @@session.immediate_server_version=[0-9]*", "SET @@session.immediate_server_version= IMMEDIATE_SERVER_VERSION"),
        ("SET @@SESSION.GTID_NEXT= '.*'", "SET @@SESSION.GTID_NEXT= '#'"),
        ("CRC32 0x[0-9a-f]{8}", "CRC32 #"),
        ("# [a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}:", "# #:"),
    ]

    private func assertSame(_ expected: String, _ actual: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(expected == actual, "\(what): \(firstDifference(Array(expected.utf8), Array(actual.utf8)))", file: file, line: line)
    }

    // MARK: mysql-test results (mysqlbinlog 8.0.40)

    /// r/mysqlbinlog.result, "reading stdin": `--short-form`, then `--short-form --start-position=123`.
    func testShortFormOfAn802FileMatchesMysqlbinlogResult() throws {
        let binlog = try corpusPath("mysql-server-8.0.40/mysql-test/std_data/master-bin.000001")
        let result = try corpusText("mysql-server-8.0.40/mysql-test/r/mysqlbinlog.result")
        let stdin = try section(result, after: "--- reading stdin --\n", through: "drop table t1,t2;\n")
        let whole = try section(stdin, after: "include/mysqlbinlog.inc\n")
        let fromPosition = try section(stdin, after: "include/mysqlbinlog.inc\n", occurrence: 2)
        let ours = try dump(["--short-form", binlog], zone: "GMT-3")
        XCTAssertEqual(ours.code, 0, "\(ours.diagnostics)")
        assertSame(whole, masked(ours.text, mysqlbinlogIncludeMasks), "--short-form")
        let started = try dump(["--short-form", "--start-position=123", binlog], zone: "GMT-3")
        XCTAssertEqual(started.code, 0, "\(started.diagnostics)")
        assertSame(fromPosition, masked(started.text, mysqlbinlogIncludeMasks), "--short-form --start-position=123")
    }

    /// r/mysqlbinlog.result, Bug#12688860: the full script of the same file, masked.
    func testFullDumpOfAn802FileMatchesMaskedMysqlbinlogResult() throws {
        let binlog = try corpusPath("mysql-server-8.0.40/mysql-test/std_data/master-bin.000001")
        let result = try corpusText("mysql-server-8.0.40/mysql-test/r/mysqlbinlog.result")
        let expected = try section(result, after: "mysqlbinlog: [Warning] Using a password on the command line interface can be insecure.\n")
        let ours = try dump([binlog], zone: "GMT-3")
        XCTAssertEqual(ours.code, 0, "\(ours.diagnostics)")
        assertSame(expected, masked(ours.text, mysqlbinlogIncludeMasks), "master-bin.000001")
    }

    /// r/mysqlbinlog_hexdump.result: `--hexdump` of a 5.6.4 file, byte for byte (mysql-test runs in GMT-3).
    func testHexdumpMatchesMysqlbinlogHexdumpResult() throws {
        let binlog = try corpusPath("mysql-server-8.0.40/mysql-test/suite/binlog/std_data/bug11747887-bin.000003")
        let expected = try corpusText("mysql-server-8.0.40/mysql-test/r/mysqlbinlog_hexdump.result")
        let ours = try dump(["--hexdump", binlog], zone: "GMT-3")
        XCTAssertEqual(ours.code, 0, "\(ours.diagnostics)")
        assertSame(expected, masked(ours.text, [("\tXid = [0-9]*", "\tXid = <number>")]), "bug11747887-bin.000003 --hexdump")
    }

    /// r/mysqlbinlog_base64_flag.result: `--base64-output=never` stops at the first rows event, and
    /// mysqlbinlog still closes the script (the open transaction rolled back).
    func testBase64NeverStopsAtTheFirstRowsEventAndClosesTheScript() throws {
        let binlog = try corpusPath("mysql-server-8.0.40/mysql-test/suite/binlog/std_data/bug32407.001")
        let result = try corpusText("mysql-server-8.0.40/mysql-test/r/mysqlbinlog_base64_flag.result")
        let expected = try section(result, after: "==== Test --base64-output=never on a binlog with row events ====\n")
        let ours = try dump(["--base64-output=never", binlog])
        XCTAssertEqual(ours.code, 1)
        XCTAssertEqual(ours.diagnostics, ["--base64-output=never specified, but binlog contains a Write_rows event which must be printed in base64."])
        let masks = [("#[0-9][0-9][0-9][0-9][0-9][0-9] .*", "<#>"), ("SET \\@\\@session.pseudo_thread_id.*", "<#>")]
        assertSame(expected, masked(ours.text, masks), "bug32407.001 --base64-output=never")
    }

    /// suite/rpl_nogtid/r/rpl_binlog_sql_mode.result: `--short-form` of a 5.7 file whose sql_mode
    /// values include modes removed in 8.0 (masked with `/*!80005 &~0x1003ff00*/`).
    func testShortFormOfA57FileMatchesRplBinlogSqlModeResult() throws {
        let binlog = try corpusPath("mysql-server-8.0.40/mysql-test/std_data/bug27213339-bin.000001")
        let result = try corpusText("mysql-server-8.0.40/mysql-test/suite/rpl_nogtid/r/rpl_binlog_sql_mode.result")
        let expected = try section(result, after: "include/mysqlbinlog.inc\n")
        let ours = try dump(["--short-form", binlog], zone: "GMT-3")
        XCTAssertEqual(ours.code, 0, "\(ours.diagnostics)")
        assertSame(expected, masked(ours.text, mysqlbinlogIncludeMasks), "bug27213339-bin.000001 --short-form")
    }

    /// r/mysqlbinlog.result, "Test if the 'BEGIN', 'ROLLBACK' and 'COMMIT' are output if the
    /// database specified exists / does not exist" and the same for 'SAVEPOINT' and 'ROLLBACK TO':
    /// `--short-form --database=…` of two statement-based files (5.0.86 and 5.1.43).
    func testDatabaseOptionMatchesMysqlbinlogResult() throws {
        let result = try corpusText("mysql-server-8.0.40/mysql-test/r/mysqlbinlog.result")
        let transaction = try corpusPath("mysql-server-8.0.40/mysql-test/std_data/binlog_transaction.000001")
        let savepoint = try corpusPath("mysql-server-8.0.40/mysql-test/std_data/binlog_savepoint.000001")
        let cases: [(title: String, database: String, file: String)] = [
            ("'BEGIN', 'ROLLBACK' and 'COMMIT' are output if the database specified exists", "test", transaction),
            ("'BEGIN', 'ROLLBACK' and 'COMMIT' are output if the database specified does not exist", "not_exist", transaction),
            ("'SAVEPOINT', 'ROLLBACK TO' are output if the database specified exists", "db1", savepoint),
            ("'SAVEPOINT', 'ROLLBACK TO' are output if the database specified does not exist", "not_exist", savepoint),
        ]
        for (title, database, file) in cases {
            let expected = try section(result, after: "# Test if the \(title)\ninclude/mysqlbinlog.inc\n")
            let ours = try dump(["--short-form", "--database=\(database)", file], zone: "GMT-3")
            XCTAssertEqual(ours.code, 0, "\(ours.diagnostics)")
            assertSame(expected, masked(ours.text, mysqlbinlogIncludeMasks), "--database=\(database) \((file as NSString).lastPathComponent)")
        }
    }

    /// `-d` on a MySQL 8.0.29 row-based file with GTIDs (replicated-bin.000001: an insert into
    /// mtr.test_suppressions, CREATE TABLE test.t1, three inserts into test.t1). The expected
    /// lines follow mysqlbinlog 8.0.40's process_event: a left-out Table_map and its rows event
    /// print nothing, and their `# at` lines go out when the statement ends; a left-out DDL
    /// statement after its GTID gets `COMMIT /* added by mysqlbinlog */` written at once, ahead
    /// of its own pending `# at` line; the GTIDs stay, with the warning mysqlbinlog gives.
    func testDatabaseOptionOnRowEventsFollowsMysqlbinlog() throws {
        let binlog = try corpusPath("mysql-server-8.0.40/mysql-test/std_data/replicated-bin.000001")
        let mtr = try dump(["--database=mtr", binlog])
        XCTAssertEqual(mtr.code, 0)
        XCTAssertEqual(mtr.diagnostics, ["warning: The option --database has been used. It may filter parts of transactions, but will include the GTIDs in any case. If you want to exclude or include transactions, you should use the options --exclude-gtids or --include-gtids, respectively, instead."])
        XCTAssertTrue(mtr.text.contains("SET @@SESSION.GTID_NEXT= '2d6e8214-9918-11ec-ac13-0010e0dc39c0:2'/*!*/;\nCOMMIT /* added by mysqlbinlog *//*!*/;\n# at 641\n# at 751\n#220301  4:29:32 server id 1  end_log_pos 830 "), mtr.text)
        XCTAssertTrue(mtr.text.contains("BEGIN\n/*!*/;\n# at 1451\n# at 1499\n# at 1539\n#220301  4:29:32 server id 1  end_log_pos 1570 CRC32 0x8f0faae3 \tXid = 15\nCOMMIT/*!*/;\n"), mtr.text)
        XCTAssertFalse(mtr.text.contains("create table t1"))
        XCTAssertFalse(mtr.text.contains("`test`.`t1`"))
        XCTAssertEqual(mtr.text.components(separatedBy: "BINLOG '").count - 1, 2, "the Format_description and mtr's insert")
        XCTAssertEqual(mtr.text.components(separatedBy: "SET @@SESSION.GTID_NEXT= '2d6e8214").count - 1, 5, "every GTID stays")

        // -d test: the whole dump but the first transaction's Table_map and rows event, whose
        // `# at` lines stay (the BINLOG statement of the first insert goes).
        let whole = try dump([binlog])
        let test = try dump(["--database=test", "--skip-gtids", binlog])
        XCTAssertEqual(test.diagnostics, [], "no GTID warning with --skip-gtids")
        let kept = try dump(["--database=test", binlog])
        guard let first = whole.text.range(of: "# at 310\n"), let end = whole.text.range(of: "# at 533\n") else { return XCTFail("no first insert") }
        let expected = String(whole.text[..<first.lowerBound]) + "# at 310\n# at 376\n" + String(whole.text[end.lowerBound...])
        assertSame(expected, kept.text, "-d test")
    }

    /// `--rewrite-db` on a MySQL file renames as mysqlbinlog: the `use` line and the Table_map,
    /// whose bytes (size, name) change and whose CRC32 is computed again, in the header and in
    /// the BINLOG statement; -d then looks at the new name.
    func testRewriteDatabaseOnAMySQLFile() throws {
        let binlog = try corpusPath("mysql-server-8.0.40/mysql-test/std_data/replicated-bin.000001")
        let renamed = try dump(["--rewrite-db=test->renamed_db", binlog])
        XCTAssertEqual(renamed.code, 0, "\(renamed.diagnostics)")
        XCTAssertTrue(renamed.text.contains("use `renamed_db`/*!*/;\nSET TIMESTAMP=1646108972/*!*/;\n/*!80013 SET @@session.sql_require_primary_key=0*//*!*/;\ncreate table t1(i int)\n"))
        XCTAssertFalse(renamed.text.contains("`test`"))
        // The Table_map at 905: its BINLOG line decodes to the renamed event with a right CRC32.
        let header = try XCTUnwrap(renamed.text.components(separatedBy: "\n").first { $0.hasPrefix("#220301  4:29:32 server id 1  end_log_pos 953 ") })
        XCTAssertTrue(header.hasSuffix("Table_map: `renamed_db`.`t1` mapped to number 112"), header)
        let lines = renamed.text.components(separatedBy: "\n")
        let at = try XCTUnwrap(lines.firstIndex(of: "# at 905"))
        let binlogLine = try XCTUnwrap(lines[at...].firstIndex(of: "BINLOG '"))
        let event = try XCTUnwrap(Data(base64Encoded: lines[binlogLine + 1])).map { $0 }
        XCTAssertEqual(event[4], 19)
        XCTAssertEqual(Int(event[9]) | Int(event[10]) << 8, event.count)
        XCTAssertEqual(event.count, 48 + 6, "renamed_db is 6 bytes longer than test")
        XCTAssertEqual(Array(event[19 + 8 + 1 ..< 19 + 8 + 11]), Array("renamed_db".utf8))
        let stored = UInt32(event[event.count - 4]) | UInt32(event[event.count - 3]) << 8 | UInt32(event[event.count - 2]) << 16 | UInt32(event[event.count - 1]) << 24
        XCTAssertEqual(stored, CRC32.checksum(event[..<(event.count - 4)]))
        XCTAssertTrue(header.contains("CRC32 0x" + String(stored, radix: 16).leftPadded(8)), header)
        XCTAssertFalse(header.contains("CRC32 0xd5f62916"), "the logged checksum of the old bytes")
        // mysqlbinlog renames first, then -d looks at the new name.
        let kept = try dump(["--rewrite-db=test->renamed_db", "--database=renamed_db", binlog])
        XCTAssertEqual(kept.text.components(separatedBy: "Table_map: `renamed_db`").count - 1, 3)
        let gone = try dump(["--rewrite-db=test->renamed_db", "--database=test", binlog])
        XCTAssertFalse(gone.text.contains("Table_map"))

        // Inside a compressed transaction too (mysqlbinlog renames the inner events and runs
        // them through process_event).
        let compressed = try corpusPath("rust_mysql_common/test-data/binlogs/transaction_compression.000001")
        let inner = try dump(["--rewrite-db=test->zz", compressed])
        XCTAssertTrue(inner.text.contains("Table_map: `zz`.`tb1` mapped to number 88"), inner.text)
        XCTAssertFalse(inner.text.contains("`test`"))
        XCTAssertTrue(try dump([compressed]).text.contains("Table_map: `test`.`tb1`"))
        XCTAssertFalse(try dump(["--database=other", compressed]).text.contains("Table_map"))
    }

    // MARK: Full mysqlbinlog outputs from other projects

    /// Lines only `-v` prints (`###`), and blank lines (the dumps' authors added some).
    private func withoutBlankLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: true).joined(separator: "\n")
    }

    /// mysql-cdc-rs: `mysqlbinlog -H -vvvvvv` of MySQL 8.0.x/8.2 files, on a Windows machine in
    /// China Standard Time (the zone's name printed in Chinese). Compared whole, the `###` lines
    /// of `-vv` included (TINYINT, SHORTINT, MEDIUMINT, INT, LONGINT, signed and unsigned).
    func testMySQL80VerboseHexdumpsMatch() throws {
        let cases = [
            ("02_query", "binlog.000001"),
            ("19_30_Table_map_event_Write_rows_log_event", "binlog.000018"),
            ("31_update_rows_v2", "binlog.000001"),
            ("32_delete_rows_v2", "binlog.000001"),
        ]
        let zoneName = try NSRegularExpression(pattern: "\\(([0-9-]+ [0-9:.]+) [^)]*\\)$", options: .anchorsMatchLines)
        func normalised(_ text: String) -> String {
            let lines = withoutBlankLines(text)
            return zoneName.stringByReplacingMatches(in: lines, range: NSRange(lines.startIndex..., in: lines), withTemplate: "($1 TZ)")
        }
        for (directory, file) in cases {
            let base = "mysql-cdc-rs/tests/events/8.0/\(directory)/"
            let expected = try corpusText(base + "dump.txt", utf16: true)
            let ours = try dump(["-H", "-vvvvvv", try corpusPath(base + file)], zone: "CST-8")
            XCTAssertEqual(ours.code, 0, "\(directory): \(ours.diagnostics)")
            assertSame(normalised(expected), normalised(ours.text), directory)
        }
    }

    /// What mysqlbinlog 5.7 printed without the lines and fields 8.0 added: the result can be
    /// compared with 5.7's outputs (every position, checksum, statement and BINLOG block).
    private func asMySQL57WouldPrint(_ text: String) -> String {
        let rules: [(String, String)] = [
            ("\toriginal_committed_timestamp=[0-9]+\timmediate_commit_timestamp=[0-9]+\ttransaction_length=[0-9]+$", ""),
            ("/\\*!80005 &~0x1003ff00\\*/", ""),
            ("^/\\*!\\\\C utf8mb3 ", "/*!\\\\C utf8 "),
            ("generated by the replica thread\\.$", "generated by the slave thread."),
        ]
        let dropped = ["# The proper term is pseudo_replica_mode", "# to make the statement usable on server versions 8.0.24",
                       "# original_commit_timestamp=", "# immediate_commit_timestamp=", "/*!80001 SET @@session.", "/*!80014 SET @@session."]
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            !dropped.contains { line.hasPrefix($0) }
        }.joined(separator: "\n")
        return masked(kept, rules)
    }

    /// kingbus: `mysqlbinlog -vv` (5.7.23) of 5.7 binlogs and relay logs, made in China Standard Time.
    func testMySQL57OutputsMatchAfterTheVersionDrift() throws {
        let cases = [
            ("binlog/mysql_bin.000011", "binlog/11.txt"),
            ("binlog/mysql_bin.000012", "binlog/12.txt"),
            ("binlog/mysql_bin.000013", "binlog/13.txt"),
            ("relaylog/flikedev1-c8pyy-relay-bin.000284", "relaylog/284.txt"),
            ("relaylog/flikedev1-c8pyy-relay-bin.000286", "relaylog/286.txt"),
            ("relaylog/flikedev1-c8pyy-relay-bin.000288", "relaylog/288.txt"),
        ]
        for (file, oracle) in cases {
            let base = "kingbus/tools/test_data/"
            let expected = try corpusText(base + oracle)
            let ours = try dump(["-vv", try corpusPath(base + file)], zone: "CST-8")
            XCTAssertEqual(ours.code, 0, "\(file): \(ours.diagnostics)")
            XCTAssertEqual(expected.components(separatedBy: "\n###").count - 1, 240, file)
            assertSame(withoutBlankLines(expected), withoutBlankLines(asMySQL57WouldPrint(ours.text)), file)
        }
    }

    /// suite/binlog/r/binlog_row_mysqlbinlog_verbose.result: the `###` lines of `mysqlbinlog
    /// --verbose` for four MySQL Cluster 5.1 files with full and partial row images (v1 rows
    /// events, columns missing from the bitmaps).
    func testVerboseRowsMatchBinlogRowMysqlbinlogVerboseResult() throws {
        let result = try corpusText("mysql-server-8.0.40/mysql-test/suite/binlog/r/binlog_row_mysqlbinlog_verbose.result")
        for name in ["write-partial-row", "write-full-row", "update-partial-row", "update-full-row"] {
            let expected = try section(result, after: "Verbose statements from : \(name).binlog\nselect replace(txt,'\\r', '') as stmt from raw_binlog_rows where txt like '###%';\nstmt\n",
                                       through: "drop table raw_binlog_rows;\n")
            let ours = try dump(["--verbose", try corpusPath("mysql-server-8.0.40/mysql-test/suite/binlog/std_data/\(name).binlog")])
            XCTAssertEqual(ours.code, 0, "\(ours.diagnostics)")
            let rows = ours.text.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.hasPrefix("###") }.map { $0 + "\n" }.joined()
            assertSame(expected, rows + "drop table raw_binlog_rows;\n", name)
        }
    }

    /// mysql-cdc-rs 5.7.30 files with `-vvvvvv` outputs that hold `###` lines: every such line.
    func testVerboseRowsOfMySQL57FilesMatch() throws {
        var compared = 0
        for directory in ["19_table_map", "29_row_query", "30_write_rows_v2", "32_delete_rows_v2", "33_35_gtid_prev_gtid", "34_anonymous_gtid"] {
            let base = "mysql-cdc-rs/tests/events/5.7/\(directory)/"
            let expected = try corpusText(base + "dump.txt").replacingOccurrences(of: "\r", with: "")
                .split(separator: "\n").filter { $0.hasPrefix("###") }
            let ours = try dump(["-vvvvvv", try corpusPath(base + "log.bin")])
            XCTAssertEqual(ours.code, 0)
            XCTAssertEqual(ours.text.split(separator: "\n").filter { $0.hasPrefix("###") }, expected, directory)
            compared += expected.count
        }
        XCTAssertGreaterThan(compared, 20)
    }

    /// MySQL JSON columns: the document as text in quotes, and a partial update's after image as
    /// nested JSON_* calls (`print_json_diff`). json.binlog.000001 (rust_mysql_common) updates
    /// `$.age` of each row with JSON_REPLACE; the values follow the bytes at 3787 (26 for Joe).
    func testVerboseJSONAndPartialJSONUpdates() throws {
        let ours = try dump(["-vv", try corpusPath("rust_mysql_common/test-data/binlogs/json.binlog.000001")])
        XCTAssertEqual(ours.code, 0, "\(ours.diagnostics)")
        XCTAssertTrue(ours.text.contains("""
            ### INSERT INTO `mysql`.`t`
            ### SET
            ###   @1=1 /* INT meta=0 nullable=0 is_null=0 */
            ###   @2='{"age": 24, "data": "xxxxxxxxxx", "name": "Joe"}' /* JSON meta=4 nullable=1 is_null=0 */
            ###   @3='Joe' /* VARSTRING(400) meta=400 nullable=1 is_null=0 */
            ###   @4=24 /* INT meta=0 nullable=1 is_null=0 */

            """), ours.text)
        XCTAssertTrue(ours.text.contains("""
            ### SET
            ###   @2=JSON_REPLACE(@2, '$.age', 26) /* JSON meta=4 nullable=1 is_null=0 */
            ###   @3='Joe' /* VARSTRING(400) meta=400 nullable=1 is_null=0 */
            ###   @4=26 /* INT meta=0 nullable=1 is_null=0 */

            """), ours.text)
    }

    /// print_json_diff's layout for several operations: function names in reverse order, runs of
    /// one function merged, each path and value on its own `###      ` line (the MySQL manual's
    /// example for binlog_row_value_options: JSON_INSERT(JSON_REPLACE(@2, '$.b', 2), '$.c', 'ccc')).
    func testJSONDiffLayout() {
        // Replace $.b with 2, then insert $.c = "ccc": operation, path (lenenc), value (lenenc, binary JSON).
        let diff: [UInt8] = [0, 3] + Array("$.b".utf8) + [3, 0x05, 0x02, 0x00]
            + [1, 3] + Array("$.c".utf8) + [5, 0x0c, 3] + Array("ccc".utf8)
        var out: [UInt8] = []
        XCTAssertNil(MariaDBVerboseRows.appendJSONDiff(diff[...], column: 1, to: &out))
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "JSON_INSERT(\n###      JSON_REPLACE(@2, '$.b', 2),\n###      '$.c', 'ccc')")
        // An object value prints as CAST(… AS JSON); a removal has no value.
        let object: [UInt8] = [0x00, 1, 0, 12, 0, 11, 0, 1, 0, 0x05, 7, 0] + Array("k".utf8)
        let more: [UInt8] = [0, 3] + Array("$.o".utf8) + [UInt8(object.count)] + object + [2, 3] + Array("$.x".utf8)
        out = []
        XCTAssertNil(MariaDBVerboseRows.appendJSONDiff(more[...], column: 0, to: &out))
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "JSON_REMOVE(\n###      JSON_REPLACE(@1, '$.o', CAST('{\"k\": 7}' AS JSON)),\n###      '$.x')")
    }

    /// A v2 rows event's extra row info prints before its rows, as `print_verbose` does: the
    /// NDB info (format, length, data in upper-case hex) and the partition. The Write_rows at 953
    /// of replicated-bin.000001 is given both, by hand (type 0: length 5 with itself and the
    /// format byte 7, data AB CD EF; type 1: partition 3).
    func testExtraRowInfoPrintsBeforeTheRows() throws {
        let data = Array(try Data(contentsOf: URL(fileURLWithPath: try corpusPath("mysql-server-8.0.40/mysql-test/std_data/replicated-bin.000001"))))
        let events = VerifyFrontendTests.walk(data)
        func bytes(_ offset: Int) throws -> [UInt8] { try XCTUnwrap(events.first { $0.offset == offset }).bytes }
        var decoder = BinlogDecoder()
        _ = try decoder.decode(try bytes(4)[...], at: 4)
        let mapEvent = try decoder.decode(try bytes(905)[...], at: 905)
        var rows = try bytes(953)
        let at = 19 + 8
        XCTAssertEqual(rows[at], 2, "no extra row info as logged")
        let extra: [UInt8] = [0, 5, 7, 0xab, 0xcd, 0xef, 1, 3, 0]
        rows.insert(contentsOf: extra, at: at + 2)
        rows[at] = UInt8(2 + extra.count)
        VerifyFrontendTests.put32(UInt32(rows.count), into: &rows, at: 9)
        VerifyFrontendTests.put32(CRC32.checksum(rows.dropLast(4)), into: &rows, at: rows.count - 4)
        let event = try decoder.decode(rows[...], at: 953)
        guard case .rows(let decoded) = event.payload, case .tableMap(let map) = mapEvent.payload else { return XCTFail("not decoded") }
        let table = MariaDBVerboseRows.Table(database: map.database.owned(), table: map.table.owned(), types: map.columnTypes,
                                             metadata: map.columnMetadata, nullable: (0..<map.columnCount).map(map.isNullable))
        var out: [UInt8] = []
        _ = MariaDBVerboseRows(verbosity: 1, mysql: true).append(decoded, table: table, to: &out)
        let text = String(decoding: out, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("### Extra row ndb info: data_format: 7, len: 3, data: 0xABCDEF\n### Extra row info for partitioning: partition: 3\n### INSERT INTO `test`.`t1`\n### SET\n###   @1="), text)
        // mariadb-binlog prints none of it.
        out = []
        _ = MariaDBVerboseRows(verbosity: 1).append(decoded, table: table, to: &out)
        XCTAssertTrue(String(decoding: out, as: UTF8.self).hasPrefix("### INSERT INTO `test`.`t1`\n"))
    }

    /// suite/binlog/t/binlog_mysqlbinlog_source_gipk_info.test (MySQL 8.0.40): its grep assertions
    /// (how many output lines match) on `mysqlbinlog [--print-table-metadata] --force-if-open`
    /// of the four rpl_binlog_with_*gipk* files, written out here as the test states them.
    func testGeneratedInvisiblePrimaryKeyAssertionsOfMysqlTest() throws {
        let base = "mysql-server-8.0.40/mysql-test/std_data/"
        let cases: [(file: String, metadata: Bool, pattern: String, count: Int)] = [
            ("rpl_binlog_with_no_gipk_info.000001", false, "# has_generated_invisible_primary_key=0", 0),
            ("rpl_binlog_with_no_gipk_info.000001", false, "# has_generated_invisible_primary_key=1", 0),
            ("rpl_binlog_with_gipk_info_no_gipk.000001", false, "# has_generated_invisible_primary_key=0", 1),
            ("rpl_binlog_with_gipk_info_with_gipk.000001", false, "# has_generated_invisible_primary_key=1", 1),
            ("rpl_binlog_with_gipk_info_minimal_metadata.000001", true, "# Columns\\(`my_row_id` BIGINT UNSIGNED NOT NULL INVISIBLE AUTO_INCREMENT", 1),
            ("rpl_binlog_with_gipk_info_minimal_metadata.000001", true, "# Primary Key\\(my_row_id\\)", 1),
            ("rpl_binlog_with_gipk_info_minimal_metadata.000001", true, "really_unique_column_name", 1),
            ("rpl_binlog_with_gipk_info_minimal_metadata.000001", true, "# Primary Key\\(c1\\)", 0),
            ("rpl_binlog_with_gipk_info_full_metadata.000001", true, "# Columns\\(`my_row_id` BIGINT UNSIGNED NOT NULL INVISIBLE AUTO_INCREMENT", 1),
            ("rpl_binlog_with_gipk_info_full_metadata.000001", true, "# Primary Key\\(my_row_id\\)", 1),
            ("rpl_binlog_with_gipk_info_full_metadata.000001", true, "really_unique_column_name", 2),
            ("rpl_binlog_with_gipk_info_full_metadata.000001", true, "# Primary Key\\(c1\\)", 1),
        ]
        for (file, metadata, pattern, count) in cases {
            let ours = try dump((metadata ? ["--print-table-metadata"] : []) + [try corpusPath(base + file)])
            XCTAssertEqual(ours.code, 0, "\(file): \(ours.diagnostics)")
            let regex = try NSRegularExpression(pattern: pattern)
            let matching = ours.text.split(separator: "\n").filter { line in
                let text = String(line)
                return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            }
            XCTAssertEqual(matching.count, count, "\(file) \(pattern)")
        }
        // The whole block for the full-metadata file, as print_columns and print_primary_key build it.
        let full = try dump(["--print-table-metadata", try corpusPath(base + "rpl_binlog_with_gipk_info_full_metadata.000001")])
        XCTAssertTrue(full.text.contains("""
            # has_generated_invisible_primary_key=0
            # Columns(`c1` BIGINT NOT NULL,
            #         `c2` TEXT CHARSET utf8mb4 COLLATE utf8mb4_0900_ai_ci)
            # Primary Key(c1)

            """), full.text)
        XCTAssertTrue(full.text.contains("""
            # has_generated_invisible_primary_key=1
            # Columns(`my_row_id` BIGINT UNSIGNED NOT NULL INVISIBLE AUTO_INCREMENT,
            #         `f1` INT,
            #         `really_unique_column_name` INT)
            # Primary Key(my_row_id)

            """), full.text)
        // ENUM and SET members and their character set (8.0.28, FULL metadata), against the
        // CREATE TABLE in the same file: t(f1 CHAR(128), f2 VARCHAR(300), f3 ENUM('var1',
        // 'variant2', 'foo'), f4 SET('one', 'two', 'three', 'four'), f5 TEXT).
        let members = try dump(["--print-table-metadata", try corpusPath("rust_mysql_common/test-data/binlogs/mysql-enum-string-set.000001")])
        XCTAssertTrue(members.text.contains("""
            \tTable_map: `mysql`.`t` mapped to number 124
            # Columns(`f1` CHAR(128) CHARSET utf8mb4 COLLATE utf8mb4_0900_ai_ci,
            #         `f2` VARCHAR(300) CHARSET utf8mb4 COLLATE utf8mb4_0900_ai_ci,
            #         `f3` ENUM('var1', 'variant2', 'foo') CHARSET utf8mb4 COLLATE utf8mb4_0900_ai_ci,
            #         `f4` SET('one', 'two', 'three', 'four') CHARSET utf8mb4 COLLATE utf8mb4_0900_ai_ci,
            #         `f5` TEXT CHARSET utf8mb4 COLLATE utf8mb4_0900_ai_ci)
            # at 1077

            """), members.text)
    }

    // MARK: 8.4 and 9.x events

    func testTaggedGTIDsPrintTheTagInPreviousGTIDsAndGTIDNext() throws {
        let binlog = try corpusPath("rust_mysql_common/test-data/binlogs/binlog_transaction_with_GTID_TAG.000001")
        let ours = try dump([binlog])
        XCTAssertEqual(ours.code, 0, "\(ours.diagnostics)")
        let expected = """
            # at 127
            #260206  9:04:27 server id 1  end_log_pos 245 CRC32 0x176454d2 \tPrevious-GTIDs
            # 55778904-0299-11f1-b1b8-4ef0c4956feb:1-13:mytag:1-2
            # at 245
            #260206  9:04:47 server id 1  end_log_pos 328 CRC32 0x08ad7278 \tGTID\tlast_committed=0\tsequence_number=1\trbr_only=yes\toriginal_committed_timestamp=1770368687207196\timmediate_commit_timestamp=1770368687207196\ttransaction_length=296
            /*!50718 SET TRANSACTION ISOLATION LEVEL READ COMMITTED*//*!*/;
            # original_commit_timestamp=1770368687207196 (2026-02-06 09:04:47.207196 UTC)
            # immediate_commit_timestamp=1770368687207196 (2026-02-06 09:04:47.207196 UTC)
            /*!80001 SET @@session.original_commit_timestamp=1770368687207196*//*!*/;
            /*!80014 SET @@session.original_server_version=90600*//*!*/;
            /*!80014 SET @@session.immediate_server_version=90600*//*!*/;
            SET @@SESSION.GTID_NEXT= '55778904-0299-11f1-b1b8-4ef0c4956feb:mytag:3'/*!*/;

            """
        XCTAssertTrue(ours.text.contains(expected), ours.text)
        // A 9.6 server: Table_map says whether the primary key was generated.
        XCTAssertTrue(ours.text.contains("\tTable_map: `test`.`orders` mapped to number 90\n# has_generated_invisible_primary_key=0\n"))
    }

    /// rust_mysql_common asserts that this payload holds Query, Table_map, Write_rows and Xid.
    func testCompressedTransactionIsPrintedBetweenItsMarkers() throws {
        let binlog = try corpusPath("rust_mysql_common/test-data/binlogs/transaction_compression.000001")
        let ours = try dump([binlog])
        XCTAssertEqual(ours.code, 0, "\(ours.diagnostics)")
        let lines = ours.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "# Start of compressed events."),
              let end = lines.firstIndex(of: "# End of compressed events.") else {
            return XCTFail("no compressed-events markers:\n\(ours.text)")
        }
        XCTAssertEqual(lines[start - 1], "#230919 21:31:49 server id 1  end_log_pos 431 CRC32 0xcc960379 \tTransaction_Payload\t\tpayload_size=124\tcompression_type=ZSTD\tuncompressed_size=179")
        let inner = Array(lines[(start + 1)..<end])
        // Every inner event is shown at the payload's end position.
        XCTAssertEqual(inner.filter { $0.hasPrefix("# at ") }, ["# at 431", "# at 431", "# at 431", "# at 431"])
        let headers = inner.filter { $0.hasPrefix("#230919") }.map { $0.components(separatedBy: " \t").last ?? "" }
        XCTAssertEqual(headers, ["Query\tthread_id=107\texec_time=0\terror_code=0", "Table_map: `test`.`tb1` mapped to number 88",
                                 "Write_rows: table id 88 flags: STMT_END_F", "Xid = 462"])
        XCTAssertTrue(inner.allSatisfy { !$0.hasPrefix("#230919") || $0.contains("end_log_pos 431 CRC32 0x") })
        XCTAssertEqual(inner.last, "COMMIT/*!*/;")
        // The BINLOG statement holds the inner events with their checksums restored, as the server takes them.
        let binlogStart = inner.firstIndex(of: "BINLOG '")
        XCTAssertNotNil(binlogStart)
        if let binlogStart {
            XCTAssertEqual(Array(inner[(binlogStart + 1)...(binlogStart + 3)]), [
                "RRMKZRMBAAAAMQAAAAAAAAAAAFgAAAAAAAEABHRlc3QAA3RiMQABAwABAQEA4vD44g==",
                "RRMKZR4BAAAAKAAAAAAAAAAAAFgAAAAAAAEAAgAB/wABAAAAhZrQrA==",
                "'/*!*/;",
            ])
        }
    }

    /// The inflated payload is capped by its declared size and by DecodingOptions.
    func testTransactionPayloadReaderKeepsToTheDeclaredSizes() throws {
        let path = try corpusPath("rust_mysql_common/test-data/binlogs/transaction_compression.000001")
        var reader = BinlogEventReader(source: try FileDescriptorSource(path: path), name: path)
        try reader.readMagic()
        var formatDescription = FormatDescriptionEvent.bootstrap
        var payloadEvent: (BinlogEvent, TransactionPayloadEvent)?
        while let event = try reader.next() {
            if case .formatDescription(let description) = event.payload { formatDescription = description }
            if case .transactionPayload(let payload) = event.payload { payloadEvent = (event, payload) }
        }
        guard let (event, payload) = payloadEvent else { return XCTFail("no Transaction_payload") }
        var inner = try TransactionPayloadReader(payload, in: event, formatDescription: formatDescription)
        var types: [BinlogEventType] = []
        while let next = try inner.next() {
            types.append(next.header.type)
            XCTAssertNotNil(next.checksum, "a CRC32 file's inner events get their checksum back")
        }
        XCTAssertEqual(types, [.query, .tableMap, .writeRows, .xid])

        var small = DecodingOptions()
        small.maximumDecompressedSize = 100
        XCTAssertThrowsError(try TransactionPayloadReader(payload, in: event, formatDescription: formatDescription, options: small)) { error in
            guard case .limitExceeded = (error as? BinlogDecodingError)?.reason else { return XCTFail("\(error)") }
        }
        var understated = payload
        understated.uncompressedSize = 150
        var capped = try TransactionPayloadReader(understated, in: event, formatDescription: formatDescription)
        XCTAssertThrowsError(try { while try capped.next() != nil {} }()) { error in
            guard case .decompressionFailed = (error as? BinlogDecodingError)?.reason else { return XCTFail("\(error)") }
        }
        var overstated = payload
        overstated.uncompressedSize = 500
        var short = try TransactionPayloadReader(overstated, in: event, formatDescription: formatDescription)
        XCTAssertThrowsError(try { while try short.next() != nil {} }())
    }

    /// With `-vv` a Rows_query event prints its statement and joins the BINLOG statement
    /// (mysql-cdc-rs 5.7/29_row_query: `mysqlbinlog -H -vvvvvv`, 5.7).
    func testRowsQueryTextAtVerbosityTwo() throws {
        let path = try corpusPath("mysql-cdc-rs/tests/events/5.7/29_row_query/log.bin")
        let oracle = try corpusText("mysql-cdc-rs/tests/events/5.7/29_row_query/dump.txt")
        let sink = OutputSink()
        var options = TextOutputOptions()
        options.verbose = 2
        let printer = MySQLTextPrinter(out: sink, options: options)
        var reader = BinlogEventReader(source: try FileDescriptorSource(path: path), name: path)
        try reader.readMagic()
        var formatDescription = FormatDescriptionEvent.bootstrap
        printer.preamble()
        while let event = try reader.next() {
            if case .formatDescription(let description) = event.payload { formatDescription = description }
            try printer.print(event, formatDescription: formatDescription)
        }
        printer.trailer()
        let ours = sink.text
        XCTAssertTrue(ours.contains("\tRows_query\n# INSERT INTO `boxercrab` (`title`) VALUES ('hahhhhhhhhh')\n# at 882\n"), ours)
        let block = try section(oracle, after: "# \tWrite_rows: table id 109 flags: STMT_END_F\n", through: "'/*!*/;\n")
        XCTAssertTrue(ours.contains("\tWrite_rows: table id 109 flags: STMT_END_F\n" + block), ours)
    }

    // MARK: Script framing

    /// One DELIMITER for all files; each later binlog is closed with GTID_NEXT AUTOMATIC before its
    /// Format_description, and the session lines are not repeated (mysqlbinlog keeps one state).
    func testSeveralFilesShareOneScript() throws {
        let first = try corpusPath("mysql-server-8.0.40/mysql-test/std_data/replicated-bin.000001")
        let second = try corpusPath("mysql-server-8.0.40/mysql-test/std_data/replicated-bin.000002")
        let ours = try dump([first, second])
        XCTAssertEqual(ours.code, 0, "\(ours.diagnostics)")
        let text = ours.text
        XCTAssertEqual(text.components(separatedBy: "DELIMITER /*!*/;\n").count, 2)
        XCTAssertEqual(text.components(separatedBy: "DELIMITER ;\n").count, 2)
        XCTAssertEqual(text.components(separatedBy: "SET @@session.pseudo_thread_id=").count, 2, "pseudo_thread_id printed once: the thread does not change")
        let closing = "SET @@SESSION.GTID_NEXT= 'AUTOMATIC' /* added by mysqlbinlog */ /*!*/;\n"
        XCTAssertEqual(text.components(separatedBy: closing).count, 3)
        XCTAssertTrue(text.contains(closing + "# at 4\n"), "the first binlog is closed before the second one's Format_description")
        XCTAssertTrue(text.hasSuffix(closing + """
            DELIMITER ;
            # End of log file
            /*!50003 SET COMPLETION_TYPE=@OLD_COMPLETION_TYPE*/;
            /*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=0*/;

            """))
    }

    func testOptionsAddTheirLines() throws {
        let binlog = try corpusPath("mysql-server-8.0.40/mysql-test/std_data/replicated-bin.000001")
        let ours = try dump(["-D", "-i", "--skip-gtids", binlog])
        XCTAssertEqual(ours.code, 0, "\(ours.diagnostics)")
        XCTAssertTrue(ours.text.hasPrefix("""
            # The proper term is pseudo_replica_mode, but we use this compatibility alias
            # to make the statement usable on server versions 8.0.24 and older.
            /*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=1*/;
            /*!32316 SET @OLD_SQL_LOG_BIN=@@SQL_LOG_BIN, SQL_LOG_BIN=0*/;
            /*!50003 SET @OLD_COMPLETION_TYPE=@@COMPLETION_TYPE,COMPLETION_TYPE=0*/;
            /*!50700 SET @@SESSION.RBR_EXEC_MODE=IDEMPOTENT*/;

            DELIMITER /*!*/;

            """))
        XCTAssertTrue(ours.text.hasSuffix("""
            DELIMITER ;
            # End of log file
            /*!50003 SET COMPLETION_TYPE=@OLD_COMPLETION_TYPE*/;
            /*!32316 SET SQL_LOG_BIN=@OLD_SQL_LOG_BIN*/;
            /*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=0*/;
            /*!50700 SET @@SESSION.RBR_EXEC_MODE=STRICT*/;

            """))
        // --skip-gtids: no GTID or Previous_gtids text; their `# at` lines go out with the next event, as in mysqlbinlog.
        XCTAssertFalse(ours.text.contains("GTID_NEXT= '"))
        XCTAssertFalse(ours.text.contains("Previous-GTIDs"))
        XCTAssertTrue(ours.text.contains("'/*!*/;\n/*!50616 SET @@SESSION.GTID_NEXT='AUTOMATIC'*//*!*/;\n"))
        XCTAssertTrue(ours.text.contains("# at 126\n# at 157\n# at 236\n#"), ours.text)
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
