// --rewrite-db outside the text (which DumpOracleTests compares with mariadb-binlog): jsonl, stats, filter, bad values.
import Foundation
import XCTest
@testable import BinlogCLI

final class DatabaseRewriteTests: XCTestCase {
    let file = CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path

    func testJSONLinesPrintTheNewNames() throws {
        let result = try dump(["--format", "jsonl", "--rewrite-db", "ddl_dml->newdb", file])
        XCTAssertEqual(result.exitCode, 0)
        var databases = Set<String>()
        var createDatabase: String?
        for line in result.output.split(separator: 10) {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            guard let database = object["database"] as? String else { continue }
            let query = object["query"] as? String
            if query?.hasPrefix("CREATE DATABASE ddl_dml") == true { createDatabase = database }
            // Table_maps, rows events and statements run with `use` (COMMIT and SAVEPOINT are
            // logged without it, and keep the name as logged).
            if query == nil || query?.hasPrefix("CREATE TABLE") == true || query?.hasPrefix("INSERT") == true { databases.insert(database) }
        }
        XCTAssertEqual(databases, ["newdb"])
        // Logged without `use` (LOG_EVENT_SUPPRESS_USE_F): kept, as mariadb-binlog keeps it.
        XCTAssertEqual(createDatabase, "ddl_dml")
        // -d looks at the names as logged.
        let selected = try dump(["--format", "jsonl", "--rewrite-db", "ddl_dml->newdb", "-d", "ddl_dml", file])
        XCTAssertTrue(String(decoding: selected.output, as: UTF8.self).contains(#""table":"all_types""#))
        let none = try dump(["--format", "jsonl", "--rewrite-db", "ddl_dml->newdb", "-d", "newdb", file])
        XCTAssertFalse(String(decoding: none.output, as: UTF8.self).contains(#""table":"all_types""#))
    }

    func testStatsReportsTheNewNames() throws {
        let plain = rowsByTable(try stats(["--json", file]).json())
        let renamed = rowsByTable(try stats(["--json", "--rewrite-db", "ddl_dml->newdb", file]).json())
        XCTAssertEqual(renamed["newdb.all_types"], plain["ddl_dml.all_types"])
        XCTAssertNil(renamed["ddl_dml.all_types"])
    }

    func testBadRewritesAreUsageErrors() throws {
        for (argument, message) in [("ddl_dml", "--rewrite-db: 'ddl_dml' is not FROM->TO"),
                                    ("->x", "--rewrite-db: '->x' needs a database name on each side of -> (at most 64 bytes)")] {
            let result = try dump(["--rewrite-db=" + argument, file])
            XCTAssertEqual(result.exitCode, 2)
            XCTAssertEqual(result.diagnostics, [message])
        }
    }

    /// A filtered file with renamed databases replays like `binlog dump --rewrite-db` (the new
    /// database made beforehand with ddl_dml's character set, as CREATE DATABASE ddl_dml is not renamed).
    func testFilterRenames() throws {
        guard CLIPaths.which("mariadbd") != nil, CLIPaths.which("mariadb") != nil, CLIPaths.which("mariadb-binlog") != nil else {
            throw XCTSkip("MariaDB server and client are not installed (Debian packages mariadb-server, mariadb-client); .ci/run installs them")
        }
        guard let binlog = CLIPaths.executable else { throw XCTSkip("the binlog executable was not built beside the tests") }
        let result = try runProcess(CLIPaths.scripts.appendingPathComponent("filter-check").path,
                                    ["--binlog", binlog.path, "--prepare", "CREATE DATABASE newdb CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
                                     "--rewrite-db", "ddl_dml->newdb", "--", file])
        XCTAssertEqual(result.status, 0, "\(result.error)\(String(decoding: result.output, as: UTF8.self))")
    }
}
