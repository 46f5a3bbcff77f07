// The replica filter rules: the manual's evaluation order, wildcards, and their use in dump, stats and filter.
import Foundation
import XCTest
@testable import BinlogCLI

final class SchemaFilterTests: XCTestCase {
    func rules(_ arguments: [String]) throws -> SchemaFilter {
        try XCTUnwrap(try SelectionOptions.parse(arguments).schemaFilter())
    }

    func keeps(_ filter: SchemaFilter, _ table: String) -> Bool {
        let parts = table.split(separator: ".", maxSplits: 1).map { Array($0.utf8)[...] }
        return filter.keepsTable(database: parts[0], table: parts[1])
    }

    func testDatabaseStage() throws {
        let doDB = try rules(["--do-db", "shop", "--do-db", "crm", "--ignore-db", "shop"])
        // With --do-db, only the databases named pass; --ignore-db is not looked at.
        XCTAssertTrue(doDB.keepsStatement(database: Array("shop".utf8)[...]))
        XCTAssertTrue(doDB.keepsStatement(database: Array("crm".utf8)[...]))
        XCTAssertFalse(doDB.keepsStatement(database: Array("other".utf8)[...]))
        XCTAssertFalse(keeps(doDB, "other.t"))
        let ignoreDB = try rules(["--ignore-db", "logs"])
        XCTAssertFalse(ignoreDB.keepsStatement(database: Array("logs".utf8)[...]))
        XCTAssertTrue(ignoreDB.keepsStatement(database: Array("shop".utf8)[...]))
        XCTAssertTrue(keeps(ignoreDB, "shop.orders"))
        XCTAssertFalse(keeps(ignoreDB, "logs.x"))
        // Names compare exactly.
        XCTAssertTrue(ignoreDB.keepsStatement(database: Array("Logs".utf8)[...]))
    }

    /// The table stage in the manual's order: do-table, ignore-table, wild-do-table,
    /// wild-ignore-table, then "any do rule? left out : kept".
    func testTableStageOrder() throws {
        let filter = try rules(["--do-table", "shop.orders", "--ignore-table", "shop.orders", "--ignore-table", "shop.audit",
                                "--wild-do-table", "shop.a%", "--wild-ignore-table", "shop.%"])
        XCTAssertTrue(keeps(filter, "shop.orders"), "do-table is looked at before ignore-table")
        XCTAssertFalse(keeps(filter, "shop.audit"), "ignore-table before wild-do-table")
        XCTAssertTrue(keeps(filter, "shop.accounts"), "wild-do-table before wild-ignore-table")
        XCTAssertFalse(keeps(filter, "shop.items"), "wild-ignore-table")
        XCTAssertFalse(keeps(filter, "crm.people"), "a do rule exists and none matched")
        // Statements are judged by the database stage only.
        XCTAssertTrue(filter.keepsStatement(database: Array("crm".utf8)[...]))
        let ignoreOnly = try rules(["--ignore-table", "shop.audit", "--wild-ignore-table", "tmp%.%"])
        XCTAssertTrue(keeps(ignoreOnly, "crm.people"), "no do rule: kept")
        XCTAssertFalse(keeps(ignoreOnly, "tmp_2030.x"))
        XCTAssertFalse(keeps(ignoreOnly, "shop.audit"))
    }

    func testWildcards() {
        func like(_ text: String, _ pattern: String) -> Bool { SchemaFilter.like(Array(text.utf8)[...], Array(pattern.utf8)) }
        XCTAssertTrue(like("orders_2030", "orders%"))
        XCTAssertTrue(like("orders", "orders%"))
        XCTAssertTrue(like("ab", "a_"))
        XCTAssertFalse(like("abc", "a_"))
        XCTAssertTrue(like("café", "caf_"), "_ is one character, not one byte")
        XCTAssertTrue(like("a_b", "a\\_b"))
        XCTAssertFalse(like("axb", "a\\_b"), "an escaped _ is itself")
        XCTAssertTrue(like("50%", "50\\%"))
        XCTAssertTrue(like("", "%"))
        XCTAssertTrue(like("xyz", "%y%"))
        XCTAssertFalse(like("xyz", "%q%"))
        // Many % do not take exponential time.
        XCTAssertFalse(like(String(repeating: "a", count: 200), String(repeating: "%a", count: 50) + "b"))
    }

    func testBadRulesAreUsageErrors() throws {
        let result = try dump(["--do-table", "nodot", CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path])
        XCTAssertEqual(result.exitCode, 2)
        XCTAssertEqual(result.diagnostics, ["--do-table: 'nodot' is not db.table"])
    }

    /// --do-db DB and -d DB are the same for one database: the same bytes (and -d is byte for
    /// byte mariadb-binlog's, DumpOracleTests).
    func testDoDBPrintsAsDatabase() throws {
        for file in ["row-crc32.000001", "stmt-crc32.000001", "mixed-crc32.000001"] {
            let path = CLIPaths.binlogs.appendingPathComponent(file).path
            let viaRule = try dump(["--do-db", "ddl_dml", path])
            XCTAssertEqual(viaRule.exitCode, 0)
            XCTAssertTrue(viaRule.output == (try dump(["-d", "ddl_dml", path])).output, file)
        }
    }

    /// stats and jsonl with table rules: rows of the left-out tables are not counted or printed.
    func testTableRulesInStatsAndJSONLines() throws {
        let path = CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path
        let all = rowsByTable(try stats(["--json", path]).json())
        let ignored = rowsByTable(try stats(["--json", "--ignore-table", "ddl_dml.all_types", path]).json())
        XCTAssertGreaterThan(all["ddl_dml.all_types"]?.reduce(0, +) ?? 0, 0)
        XCTAssertEqual(ignored["ddl_dml.all_types"]?.reduce(0, +) ?? 0, 0)
        for (table, counts) in all where table != "ddl_dml.all_types" {
            XCTAssertEqual(ignored[table], counts, table)
        }
        let only = try dump(["--format", "jsonl", "--wild-do-table", "ddl_dml.all%", path])
        var tables = Set<String>()
        for line in only.output.split(separator: 10) {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            if object["rows"] != nil, let table = object["table"] as? String { tables.insert(table) }
        }
        XCTAssertEqual(tables, ["all_types"])
    }

    /// Scripts/filter-check with table rules: the filtered file replays like the dump with the same rules.
    func testFilterWithReplicaRules() throws {
        guard CLIPaths.which("mariadbd") != nil, CLIPaths.which("mariadb") != nil, CLIPaths.which("mariadb-binlog") != nil else {
            throw XCTSkip("MariaDB server and client are not installed (Debian packages mariadb-server, mariadb-client); .ci/run installs them")
        }
        guard let binlog = CLIPaths.executable else {
            throw XCTSkip("the binlog executable was not built beside the tests")
        }
        let b = CLIPaths.binlogs.path
        for arguments in [
            ["--ignore-table", "ddl_dml.all_types", "--", "\(b)/row-crc32.000001"],
            ["--wild-do-table", "ddl_dml.inn%", "--", "\(b)/row-crc32.000001"],
            ["--prepare", "CREATE DATABASE scratch", "--do-db", "ddl_dml", "--", "\(b)/row-crc32.000001"],
            ["--ignore-table", "gtid_domains.t3", "--", "\(b)/gtid-domains.000001", "\(b)/gtid-domains.000002", "\(b)/gtid-domains.000003"],
        ] {
            let result = try runProcess(CLIPaths.scripts.appendingPathComponent("filter-check").path, ["--binlog", binlog.path] + arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.error)\(String(decoding: result.output, as: UTF8.self))")
        }
    }
}
