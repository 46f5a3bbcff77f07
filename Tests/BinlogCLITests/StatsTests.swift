// `binlog stats` against what mariadb-binlog -v shows of the same files: rows per table and
// operation, commits, rollbacks, XA prepares, GTIDs, DDL positions, changes logged as statements.
import Foundation
import XCTest
@testable import BinlogCLI

struct StatsResult {
    var output: String
    var diagnostics: [String]
    var exitCode: Int32

    /// The JSON report (the run must have used --json).
    func json(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8))
        return try XCTUnwrap(object as? [String: Any], "not a JSON object: \(output.prefix(200))", file: file, line: line)
    }
}

/// Runs `binlog stats ARGS` in-process.
func stats(_ arguments: [String]) throws -> StatsResult {
    useUTC()
    let command = try Stats.parseAsRoot(arguments) as! Stats
    let sink = OutputSink()
    var messages: [String] = []
    let code = StatsFrontend(options: command.options, files: command.files).run(out: sink, diagnostics: { messages.append($0) })
    return StatsResult(output: String(decoding: sink.buffer, as: UTF8.self), diagnostics: messages, exitCode: code)
}

/// Rows per table of a stats JSON report: "db.table" → [inserts, updates, deletes].
func rowsByTable(_ json: [String: Any]) -> [String: [Int]] {
    var rows: [String: [Int]] = [:]
    for table in json["tables"] as? [[String: Any]] ?? [] {
        rows["\(table["database"]!).\(table["table"]!)"] = [table["inserts"], table["updates"], table["deletes"]].map { ($0 as? Int) ?? -1 }
    }
    return rows
}

/// What mariadb-binlog's `-v --base64-output=decode-rows` text says, read with nothing of ours.
struct MariaDBBinlogTally: Equatable {
    /// "db.table" → [INSERT, UPDATE, DELETE] rows (the `###` statements).
    var rows: [String: [Int]] = [:]
    var gtids = 0
    /// Xid events (`COMMIT/*!*/;`) and COMMIT statements.
    var commits = 0
    var rollbacks = 0
    var xaPrepares = 0
    /// Positions (`# at`) of Query events whose statement is DDL.
    var ddl: [UInt64] = []
    /// Positions of Query and Execute_load_query events whose statement is DML.
    var statementChanges: [UInt64] = []

    init(_ text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lastAt: UInt64 = 0
        var index = 0
        let ddlWords = ["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE"]
        let dmlWords = ["INSERT", "UPDATE", "DELETE", "REPLACE", "LOAD DATA"]
        while index < lines.count {
            let line = lines[index]
            index += 1
            if line.hasPrefix("# at ") {
                lastAt = UInt64(line.dropFirst(5)) ?? 0
                continue
            }
            for (prefix, operation) in [("### INSERT INTO ", 0), ("### UPDATE ", 1), ("### DELETE FROM ", 2)] where line.hasPrefix(prefix) {
                let name = line.dropFirst(prefix.count).replacingOccurrences(of: "`", with: "")
                rows[name, default: [0, 0, 0]][operation] += 1
            }
            if line == "COMMIT/*!*/;" { commits += 1 }
            if line.hasPrefix("XA PREPARE ") { xaPrepares += 1 }
            if line.hasPrefix("#"), line.range(of: #"\tGTID [0-9]+-[0-9]+-[0-9]+"#, options: .regularExpression) != nil { gtids += 1 }
            guard line.hasPrefix("#"), line.contains("\tQuery\t") || line.contains("\tQuery_compressed\t")
                    || line.contains("\tExecute_load_query\t") else { continue }
            // The statement is the last piece of the event's text ended by /*!*/; (after SET and use lines).
            var block: [String] = []
            while index < lines.count && !lines[index].hasPrefix("# at ") {
                block.append(lines[index])
                index += 1
            }
            let pieces = block.joined(separator: "\n").components(separatedBy: "/*!*/;")
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            guard let statement = pieces.last(where: { !$0.hasPrefix("SET ") && !$0.hasPrefix("use ") && !$0.hasPrefix("/*!") && !$0.hasPrefix("#") })
            else { continue }
            let upper = statement.uppercased()
            if upper == "COMMIT" { commits += 1 }
            if upper == "ROLLBACK" { rollbacks += 1 }
            if ddlWords.contains(where: { upper.hasPrefix($0 + " ") }) { ddl.append(lastAt) }
            if dmlWords.contains(where: { upper.hasPrefix($0 + " ") }) { statementChanges.append(lastAt) }
        }
    }
}

final class StatsTests: XCTestCase {
    private func mariadbBinlog() throws -> String {
        guard let tool = CLIPaths.which("mariadb-binlog") else {
            throw XCTSkip("mariadb-binlog is not installed (Debian package mariadb-client); .ci/run installs it")
        }
        return tool
    }

    /// Every per-table count, the commits, rollbacks, XA prepares, transactions, DDL positions and
    /// statement-logged changes equal what mariadb-binlog -v shows, for every file in TestData
    /// (and the multi-file sets read as one stream), with and without a selection.
    func testCountsEqualWhatMariaDBBinlogShows() throws {
        let tool = try mariadbBinlog()
        let b = CLIPaths.binlogs.path
        var cases: [[String]] = try CLIPaths.allBinlogs().map { [$0.path] }
        cases += [
            ["\(b)/flush-logs.000001", "\(b)/flush-logs.000002", "\(b)/flush-logs.000003"],
            ["\(b)/gtid-domains.000001", "\(b)/gtid-domains.000002", "\(b)/gtid-domains.000003"],
            ["--start-position=990", "\(b)/stats.000001"],
            ["--stop-position=63650", "\(b)/stats.000001"],
            ["--server-id=2", "\(b)/timestamps.000001"],
            ["--start-datetime=2030-01-01 01:00:00", "--stop-datetime=2030-01-01 04:00:00", "\(b)/timestamps.000001"],
        ]
        var checked = 0
        for arguments in cases {
            let theirs = try runProcess(tool, ["--no-defaults", "-v", "--base64-output=decode-rows"] + arguments, environment: ["TZ": "UTC"])
            XCTAssertEqual(theirs.status, 0, "mariadb-binlog \(arguments): \(theirs.error)")
            let expected = MariaDBBinlogTally(String(decoding: theirs.output, as: UTF8.self))
            let ours = try stats(["--json"] + arguments)
            XCTAssertEqual(ours.exitCode, 0, "\(arguments): \(ours.diagnostics)")
            let json = try ours.json()
            XCTAssertEqual(rowsByTable(json).filter { $0.value != [0, 0, 0] }, expected.rows, "\(arguments): rows per table")
            let transactions = try XCTUnwrap(json["transactions"] as? [String: Any])
            XCTAssertEqual(transactions["committed"] as? Int, expected.commits, "\(arguments): commits")
            XCTAssertEqual(transactions["rolled_back"] as? Int, expected.rollbacks, "\(arguments): rollbacks")
            XCTAssertEqual(transactions["xa_prepared"] as? Int, expected.xaPrepares, "\(arguments): XA prepares")
            if expected.gtids > 0 && !arguments.contains(where: { $0.hasPrefix("--st") }) {
                // Every transaction of a MariaDB 10 binlog has its GTID.
                XCTAssertEqual(transactions["count"] as? Int, expected.gtids, "\(arguments): transactions")
            }
            let ddl = (json["ddl"] as? [[String: Any]] ?? []).compactMap { ($0["position"] as? NSNumber)?.uint64Value }
            XCTAssertEqual(ddl, expected.ddl, "\(arguments): DDL positions")
            let formats = try XCTUnwrap(json["formats"] as? [String: Any])
            XCTAssertEqual(formats["statement_changes"] as? Int, expected.statementChanges.count, "\(arguments): statement changes")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 30)
    }

    /// The workload made for stats: the facts it was built to show, from its SQL (Scripts/workloads/stats.sql).
    func testStatsWorkloadShowsWhatItWasMadeFor() throws {
        let json = try stats(["--json", CLIPaths.binlogs.appendingPathComponent("stats.000001").path]).json()
        let tables = try XCTUnwrap(json["tables"] as? [[String: Any]])
        let items = try XCTUnwrap(tables.first { $0["table"] as? String == "items" })
        // 3 + 200 (seq_1_to_200) + 1 (the long transaction); ids 111..210 doubled (the 2000 row is rolled back: not logged as rows).
        XCTAssertEqual(items["inserts"] as? Int, 204)
        XCTAssertEqual(items["updates"] as? Int, 100 + 1)
        XCTAssertEqual(items["deletes"] as? Int, 11)
        let other = try XCTUnwrap(tables.first { $0["database"] as? String == "other" })
        XCTAssertEqual(other["inserts"] as? Int, 2 + 48)
        XCTAssertEqual(other["updates"] as? Int, 19)
        XCTAssertEqual(other["deletes"] as? Int, 10)
        let transactions = try XCTUnwrap(json["transactions"] as? [String: Any])
        XCTAssertEqual(transactions["long_running_count"] as? Int, 1)
        let long = try XCTUnwrap((transactions["long_running"] as? [[String: Any]])?.first)
        XCTAssertEqual(long["duration_seconds"] as? Int, 100)
        XCTAssertEqual(long["first_timestamp"] as? Int, 1_893_456_000)
        XCTAssertEqual(transactions["rolled_back"] as? Int, 1)
        let formats = try XCTUnwrap(json["formats"] as? [String: Any])
        XCTAssertEqual(formats["seen"] as? [String], ["row", "statement"])
        XCTAssertEqual(formats["statement_changes_in_row_files"] as? Int, 4)
        XCTAssertEqual((json["files"] as? [[String: Any]])?.first?["format"] as? String, "mixed")
        let statementFile = try stats(["--json", CLIPaths.binlogs.appendingPathComponent("stmt-crc32.000001").path]).json()
        XCTAssertEqual((statementFile["files"] as? [[String: Any]])?.first?["format"] as? String, "statement")
        let rowFile = try stats(["--json", CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path]).json()
        XCTAssertEqual((rowFile["files"] as? [[String: Any]])?.first?["format"] as? String, "row")
        let compression = try XCTUnwrap(json["compression"] as? [String: Any])
        XCTAssertEqual(compression["mariadb_events"] as? Int, 6, "three compressed rows statements, each Table_map's rows in one event or two")
        let compressed = try XCTUnwrap((compression["mariadb_compressed_bytes"] as? NSNumber)?.intValue)
        let inflated = try XCTUnwrap((compression["mariadb_uncompressed_bytes"] as? NSNumber)?.intValue)
        // 48 rows of 500 'y' and 19 of 300 'z' (before and after images) compress to far less.
        XCTAssertGreaterThan(inflated, 48 * 500 + 19 * 300)
        XCTAssertLessThan(compressed, inflated / 10)
        let gtids = try XCTUnwrap((json["gtids"] as? [String: Any])?["mariadb"] as? [[String: Any]])
        XCTAssertEqual(gtids.count, 1)
        XCTAssertEqual(gtids.first?["first"] as? Int, 1)
        XCTAssertEqual(gtids.first?["last"] as? Int, transactions["count"] as? Int)
    }

    /// `-d` counts the rows of that database's tables and the statements run in it, and the
    /// transactions that have any; mariadb-binlog -d -v shows the same rows.
    func testDatabaseSelectionMatchesMariaDBBinlog() throws {
        let tool = try mariadbBinlog()
        let file = CLIPaths.binlogs.appendingPathComponent("stats.000001").path
        for database in ["other", "shop", "nosuch"] {
            let theirs = try runProcess(tool, ["--no-defaults", "-v", "--base64-output=decode-rows", "-d", database, file], environment: ["TZ": "UTC"])
            let expected = MariaDBBinlogTally(String(decoding: theirs.output, as: UTF8.self))
            let json = try stats(["--json", "-d", database, file]).json()
            XCTAssertEqual(rowsByTable(json), expected.rows, database)
            let ddl = (json["ddl"] as? [[String: Any]] ?? []).compactMap { ($0["position"] as? NSNumber)?.uint64Value }
            XCTAssertEqual(ddl, expected.ddl, database)
        }
        let other = try XCTUnwrap(try stats(["--json", "-d", "other", file]).json()["transactions"] as? [String: Any])
        // From the SQL: CREATE DATABASE other (logged with `other` as its database), the INSERT, and
        // the compressed INSERT, UPDATE and DELETE. CREATE TABLE other.t and DROP TABLE other.t ran
        // in `shop`, so -d other leaves them out, as mysqlbinlog -d does.
        XCTAssertEqual(other["count"] as? Int, 5)
    }

    /// MySQL 8's compressed transactions: the inner events count for their tables, the payload for the compression.
    func testCompressedMySQLTransactionIsCountedInside() throws {
        guard Corpus.isPresent else { throw XCTSkip("the shared corpus (../shared/corpus) is absent") }
        let file = Corpus.root.appendingPathComponent("rust_mysql_common/test-data/binlogs/transaction_compression.000001")
        guard FileManager.default.fileExists(atPath: file.path) else { throw XCTSkip("\(file.path) is not in this corpus") }
        let result = try stats(["--json", file.path])
        XCTAssertEqual(result.exitCode, 0, "\(result.diagnostics)")
        let json = try result.json()
        let compression = try XCTUnwrap(json["compression"] as? [String: Any])
        XCTAssertEqual(compression["transactions"] as? Int, 1)
        let transactions = try XCTUnwrap(json["transactions"] as? [String: Any])
        XCTAssertEqual(transactions["count"] as? Int, 1)
        XCTAssertEqual(transactions["committed"] as? Int, 1, "the Xid is inside the payload")
        // The rows our row decoder finds in the same file (dump --format jsonl), counted by the row counter.
        let lines = try dump(["--format", "jsonl", file.path]).output.split(separator: 10)
        var decodedRows = 0
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            decodedRows += (object?["rows"] as? [Any])?.count ?? 0
        }
        XCTAssertGreaterThan(decodedRows, 0)
        let rows = try XCTUnwrap(json["rows"] as? [String: Any])
        XCTAssertEqual(rows["inserts"] as? Int, decodedRows)
        let byType = try XCTUnwrap((json["events"] as? [String: Any])?["by_type"] as? [[String: Any]])
        XCTAssertEqual(byType.first { $0["type_code"] as? Int == 30 }?["in_compressed_transactions"] as? Int, 1)
    }

    /// The rows of every corpus binlog are counted as our row decoder reads them (two separate
    /// implementations: sizes only, and full values), wherever the decoder reads them all.
    func testRowCountsAgreeWithTheRowDecoderOnTheCorpus() throws {
        guard Corpus.isPresent else { throw XCTSkip("the shared corpus (../shared/corpus) is absent") }
        let failures = try Corpus.expectedFailures()
        var compared = 0
        var comparedFiles = Set<String>()
        for (relative, url) in try Corpus.binlogCandidates() where !failures.contains(relative) {
            let result = try stats(["--json", "--quiet", url.path])
            guard result.exitCode == 0 else { continue }
            let dumped = try dump(["--format", "jsonl", "--quiet", url.path])
            guard dumped.exitCode == 0 else { continue }
            var decoded = [0, 0, 0]
            var undecodable = false
            for line in dumped.output.split(separator: 10) {
                guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                      let rows = object["rows"] as? [[String: Any]] else { continue }
                if object["rows_error"] != nil { undecodable = true }
                let code = object["type_code"] as? Int ?? 0
                let operation = [23, 30, 166, 169, 20].contains(code) ? 0 : [24, 31, 167, 170, 21, 39].contains(code) ? 1 : 2
                decoded[operation] += rows.count
            }
            if undecodable { continue }
            let rows = try XCTUnwrap(try result.json()["rows"] as? [String: Any])
            XCTAssertEqual([rows["inserts"], rows["updates"], rows["deletes"]].map { $0 as? Int ?? -1 }, decoded, relative)
            compared += 1
            comparedFiles.insert(relative)
        }
        XCTAssertGreaterThan(compared, 10)
        // Its Update_rows_partial after images start with value options and a partial-JSON bitmap.
        XCTAssertTrue(comparedFiles.contains("rust_mysql_common/test-data/binlogs/json.binlog.000001"))
    }

    /// The text report: its tables are aligned (every row of a table as wide as its header).
    func testTextReportTablesAreAligned() throws {
        let result = try stats([CLIPaths.binlogs.appendingPathComponent("stats.000001").path])
        XCTAssertEqual(result.exitCode, 0)
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for header in ["  table           ", "  type  "] {
            guard let start = lines.firstIndex(where: { $0.hasPrefix(header) }) else {
                XCTFail("no table starting \(header.debugDescription) in\n\(result.output)")
                continue
            }
            // Right-aligned numbers: each column's last character is at the same place in every row.
            let headerEnd = lines[start].count
            var row = start + 1
            while row < lines.count && lines[row].hasPrefix("  ") && !lines[row].isEmpty {
                XCTAssertEqual(lines[row].count, headerEnd, "row \(lines[row].debugDescription) under \(lines[start].debugDescription)")
                row += 1
            }
            XCTAssertGreaterThan(row, start + 2)
        }
        XCTAssertTrue(result.output.contains("Long-running transactions (60 s or more): 1"))
        XCTAssertTrue(result.output.contains("`shop`.`items`      204      101       11"), result.output)
    }

    /// --top picks how many transactions are listed; 0 lists none (and counts them all the same).
    func testTopLimitsTheLists() throws {
        let file = CLIPaths.binlogs.appendingPathComponent("stats.000001").path
        for top in [0, 1, 3] {
            let json = try stats(["--json", "--top", "\(top)", "--long-transaction", "0", file]).json()
            let transactions = try XCTUnwrap(json["transactions"] as? [String: Any])
            let largest = try XCTUnwrap(transactions["largest"] as? [[String: Any]])
            XCTAssertEqual(largest.count, top)
            XCTAssertEqual((transactions["long_running"] as? [Any])?.count, top)
            XCTAssertEqual(transactions["long_running_count"] as? Int, transactions["count"] as? Int, "every transaction lasts 0 s or more")
            let sizes = largest.compactMap { $0["bytes"] as? Int }
            XCTAssertEqual(sizes, sizes.sorted(by: >))
            if top > 0 { XCTAssertEqual(sizes.first, transactions["max_bytes"] as? Int) }
        }
        XCTAssertEqual(try stats(["--top", "0", file]).exitCode, 0)
    }

    /// A stop position: the file is read up to the event that begins there; one past the end is said.
    func testStopPositionEndsTheFileThereAndAnUnreachedStopIsSaid() throws {
        let file = CLIPaths.binlogs.appendingPathComponent("stats.000001").path
        let stopped = try stats(["--json", "--stop-position", "990", file])
        XCTAssertEqual((try stopped.json()["files"] as? [[String: Any]])?.first?["bytes"] as? Int, 990)
        // 990 is where the transaction of GTID 0-1-4 begins (mariadb-binlog: "# at 990", "GTID 0-1-4 trans").
        XCTAssertEqual(stopped.diagnostics, ["note: the first transaction left out is the one at \(file):990 (GTID 0-1-4)"])
        let unreached = try stats(["--json", "--stop-position", "99999999", file])
        XCTAssertEqual(unreached.exitCode, 0)
        XCTAssertTrue(unreached.diagnostics.contains { $0.contains("did not reach stop position 99999999") }, "\(unreached.diagnostics)")
    }

    /// --include-gtids and --exclude-gtids split the transactions whole: what one keeps the other
    /// leaves, so the two together count every row, transaction and GTID of the files.
    func testGTIDSelectionSplitsTransactionsWhole() throws {
        let files = ["gtid-domains.000001", "gtid-domains.000002", "gtid-domains.000003"].map { CLIPaths.binlogs.appendingPathComponent($0).path }
        let all = try stats(["--json"] + files).json()
        let rows = rowsByTable
        func transactions(_ json: [String: Any]) -> Int { (json["transactions"] as? [String: Any])?["count"] as? Int ?? -1 }
        func gtids(_ json: [String: Any]) -> [[Int]] {
            ((json["gtids"] as? [String: Any])?["mariadb"] as? [[String: Any]] ?? []).map { entry in
                ["domain_id", "first", "last", "count"].map { entry[$0] as? Int ?? -1 }
            }
        }
        XCTAssertEqual(transactions(all), 10)
        for set in ["2-2-100", "0-1-3", "0-1-3,3-3-1", "9-9-9"] {
            let included = try stats(["--json", "--include-gtids", set] + files)
            let excluded = try stats(["--json", "--exclude-gtids", set] + files)
            XCTAssertEqual(included.exitCode, 0, "\(included.diagnostics)")
            let inc = try included.json()
            let exc = try excluded.json()
            XCTAssertEqual(transactions(inc) + transactions(exc), transactions(all), set)
            var sum = rows(inc)
            for (table, counts) in rows(exc) { sum[table] = zip(sum[table] ?? [0, 0, 0], counts).map { $0 + $1 } }
            XCTAssertEqual(sum.filter { $0.value != [0, 0, 0] }, rows(all).filter { $0.value != [0, 0, 0] }, set)
            // Kept GTIDs are those the positions reach: per domain, up to the listed sequence number.
            let limits = Dictionary(uniqueKeysWithValues: set.split(separator: ",").map { entry -> (Int, Int) in
                let parts = entry.split(separator: "-").map { Int($0)! }
                return (parts[0], parts[2])
            })
            for entry in gtids(inc) { XCTAssertLessThanOrEqual(entry[2], limits[entry[0]] ?? -1, "\(set): \(entry)") }
            for entry in gtids(exc) where limits[entry[0]] != nil { XCTAssertGreaterThan(entry[1], limits[entry[0]]!, "\(set): \(entry)") }
        }
        XCTAssertEqual(transactions(try stats(["--json", "--include-gtids", "2-2-100"] + files).json()), 3)

        // A MySQL file: the set's numbers are the transactions kept.
        guard Corpus.isPresent else { return }
        let mysql = Corpus.root.appendingPathComponent("mysql-server-8.0.40/mysql-test/std_data/binlog_56_gtid_reserved_word.000001").path
        guard FileManager.default.fileExists(atPath: mysql) else { return }
        let uuid = "11111111-1111-1111-1111-111111111111"
        let kept = try stats(["--json", "--include-gtids", "\(uuid):2-3", mysql]).json()
        XCTAssertEqual(transactions(kept), 2)
        XCTAssertEqual((kept["gtids"] as? [String: Any])?["mysql"] as? String, "\(uuid):2-3")
        let rest = try stats(["--json", "--exclude-gtids", "\(uuid):2-3", mysql]).json()
        XCTAssertEqual((rest["gtids"] as? [String: Any])?["mysql"] as? String, "\(uuid):1:4-6")
        XCTAssertEqual(transactions(rest), 4)
        XCTAssertEqual(try stats(["--include-gtids", "\(uuid):0", mysql]).exitCode, 2)
    }

    func testErrorsAndExitCodes() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let notABinlog = scratch.appendingPathComponent("not-a-binlog")
        try Data("hello".utf8).write(to: notABinlog)
        var result = try stats([notABinlog.path])
        XCTAssertEqual(result.exitCode, 2)
        XCTAssertTrue(result.output.isEmpty)
        XCTAssertTrue(result.diagnostics.joined().contains(notABinlog.path), "\(result.diagnostics)")

        // A flipped byte inside a rows event: the checksum names the file, offset and event; no report.
        var bytes = try Array(Data(contentsOf: CLIPaths.binlogs.appendingPathComponent("stats.000001")))
        bytes[1500] ^= 0x40
        let damaged = scratch.appendingPathComponent("damaged.000001")
        try Data(bytes).write(to: damaged)
        result = try stats([damaged.path])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertTrue(result.output.isEmpty)
        XCTAssertTrue(result.diagnostics.joined().contains("damaged.000001"), "\(result.diagnostics)")
        XCTAssertTrue(result.diagnostics.joined().lowercased().contains("checksum"), "\(result.diagnostics)")

        result = try stats(["--start-position=991", CLIPaths.binlogs.appendingPathComponent("stats.000001").path])
        XCTAssertEqual(result.exitCode, 2)
        XCTAssertTrue(result.diagnostics.joined().contains("not an event boundary"), "\(result.diagnostics)")
    }

    /// Rows that do not fit their Table_map are not counted, said on standard error, and exit 1
    /// with the report; the event's checksum is right (the damage is in the data).
    func testRowsThatDoNotFitAreReported() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var bytes = try Array(Data(contentsOf: CLIPaths.binlogs.appendingPathComponent("stats.000001")))
        // The first Write_rows event: grow its first VARCHAR length prefix past the event, and fix the CRC32.
        let (start, size) = try XCTUnwrap(Self.firstEvent(ofType: 23, in: bytes, after: 990))
        let rowsStart = start + 19 + 8 + 1 + 1 // header, post-header, column count, bitmap
        // Row 1: null bitmap (1 byte), id INT (4), then name VARCHAR(40) (1-byte length).
        bytes[rowsStart + 1 + 4] = 0xff
        let crc = Self.crc32(bytes[start..<(start + size - 4)])
        for i in 0..<4 { bytes[start + size - 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * i)) }
        let damaged = scratch.appendingPathComponent("rows.000001")
        try Data(bytes).write(to: damaged)
        let result = try stats(["--json", damaged.path])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertTrue(result.diagnostics.joined().contains("at \(start) do not fit"), "\(result.diagnostics)")
        let json = try result.json()
        XCTAssertEqual(json["warnings"] as? Int, 1)
    }

    /// A rows event whose images hold no column (columns-present bitmap all zero) has rows of no
    /// bytes: every reader of rows must stop instead of counting or printing the same row forever
    /// (found by a mutation fuzz run: stats, dump, dump -v and jsonl all hung).
    func testRowsOfNoBytesEndEveryReader() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var bytes = try Array(Data(contentsOf: CLIPaths.binlogs.appendingPathComponent("stats.000001")))
        let (start, size) = try XCTUnwrap(Self.firstEvent(ofType: 23, in: bytes, after: 990))
        // 19-byte header, 8-byte post-header, column count 8 (one byte), then the bitmap.
        XCTAssertEqual(bytes[start + 19 + 8], 8)
        bytes[start + 19 + 8 + 1] = 0
        let crc = Self.crc32(bytes[start..<(start + size - 4)])
        for i in 0..<4 { bytes[start + size - 4 + i] = UInt8(truncatingIfNeeded: crc >> (8 * i)) }
        let file = scratch.appendingPathComponent("no-columns.000001")
        try Data(bytes).write(to: file)

        let counted = try stats(["--json", file.path])
        XCTAssertEqual(counted.exitCode, 1)
        XCTAssertTrue(counted.diagnostics.joined().contains("at \(start) do not fit"), "\(counted.diagnostics)")
        for arguments in [[file.path], ["-v", file.path], ["--format", "jsonl", file.path]] {
            let dumped = try dump(arguments)
            XCTAssertTrue(dumped.exitCode == 0 || dumped.exitCode == 1, "\(arguments): \(dumped.diagnostics)")
        }
        let lines = try dump(["--format", "jsonl", file.path]).output.split(separator: 10).map { String(decoding: $0, as: UTF8.self) }
        XCTAssertTrue(lines.contains { $0.contains("\"position\":\(start),") && $0.contains("rows_error") }, "no rows_error at \(start)")
    }

    static func firstEvent(ofType type: UInt8, in bytes: [UInt8], after position: Int) -> (start: Int, size: Int)? {
        var offset = 4
        while offset + 19 <= bytes.count {
            let size = Int(bytes[offset + 9]) | Int(bytes[offset + 10]) << 8 | Int(bytes[offset + 11]) << 16 | Int(bytes[offset + 12]) << 24
            if bytes[offset + 4] == type && offset > position { return (offset, size) }
            offset += size
        }
        return nil
    }

    /// CRC32 (IEEE, reflected), bit by bit: independent of the table-driven one under test.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// A workload run now on a throwaway MariaDB (Scripts/mariadb-sandbox), its binlogs read by
/// `binlog stats` and by mariadb-binlog -v.
final class StatsLiveTests: XCTestCase {
    func testLiveWorkloadCountsEqualMariaDBBinlog() throws {
        guard CLIPaths.which("mariadbd") != nil, CLIPaths.which("mariadb") != nil,
              let tool = CLIPaths.which("mariadb-binlog") else {
            throw XCTSkip("MariaDB server and client are not installed (Debian packages mariadb-server, mariadb-client); .ci/run installs them")
        }
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let sandbox = CLIPaths.scripts.appendingPathComponent("mariadb-sandbox").path
        let server = scratch.appendingPathComponent("server").path
        XCTAssertEqual(try startSandbox(server, options: ["--binlog-format=MIXED"]), 0, "see \(server)/error.log")
        defer { _ = try? runProcess(sandbox, ["stop", server]) }
        // Two workloads with a rotation between them, so the files are read as one stream; MIXED
        // format logs the unsafe statements of mixed-unsafe.sql as rows and the rest as statements.
        var sql = ""
        for name in ["stats.sql", "ddl-dml.sql", "mixed-unsafe.sql"] {
            sql += try String(contentsOf: CLIPaths.scripts.appendingPathComponent("workloads/\(name)"), encoding: .utf8)
            sql += "\nFLUSH BINARY LOGS;\n"
        }
        let input = scratch.appendingPathComponent("workload.sql")
        try sql.write(to: input, atomically: true, encoding: .utf8)
        let ran = try runProcess("/bin/sh", ["-c", "\"$0\" sql \"$1\" < \"$2\"", sandbox, server, input.path])
        XCTAssertEqual(ran.status, 0, ran.error)
        XCTAssertEqual(try runProcess(sandbox, ["stop", server]).status, 0)
        let binlogDirectory = URL(fileURLWithPath: server).appendingPathComponent("binlog")
        let files = try FileManager.default.contentsOfDirectory(atPath: binlogDirectory.path)
            .filter { $0.range(of: #"^mysql-bin\.[0-9]+$"#, options: .regularExpression) != nil }.sorted()
            .map { binlogDirectory.appendingPathComponent($0).path }
        XCTAssertGreaterThanOrEqual(files.count, 3)

        let theirs = try runProcess(tool, ["--no-defaults", "-v", "--base64-output=decode-rows"] + files, environment: ["TZ": "UTC"])
        XCTAssertEqual(theirs.status, 0, theirs.error)
        let expected = MariaDBBinlogTally(String(decoding: theirs.output, as: UTF8.self))
        let result = try stats(["--json"] + files)
        XCTAssertEqual(result.exitCode, 0, "\(result.diagnostics)")
        let json = try result.json()
        let rows = rowsByTable(json)
        XCTAssertEqual(rows, expected.rows)
        XCTAssertGreaterThan(rows.count, 5)
        let transactions = try XCTUnwrap(json["transactions"] as? [String: Any])
        XCTAssertEqual(transactions["count"] as? Int, expected.gtids)
        XCTAssertEqual(transactions["committed"] as? Int, expected.commits)
        XCTAssertEqual(transactions["rolled_back"] as? Int, expected.rollbacks)
        let ddl = (json["ddl"] as? [[String: Any]] ?? []).map { ($0["position"] as? NSNumber)?.uint64Value ?? 0 }
        XCTAssertEqual(ddl, expected.ddl)
        XCTAssertGreaterThan(ddl.count, 10)
        let formats = try XCTUnwrap(json["formats"] as? [String: Any])
        XCTAssertEqual(formats["statement_changes"] as? Int, expected.statementChanges.count)
        XCTAssertEqual(formats["seen"] as? [String], ["row", "statement"])
    }
}
