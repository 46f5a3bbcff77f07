// `binlog dump --format sql`: statement terminators, exact literals, and the rows of a known workload.
import Foundation
import XCTest
@testable import BinlogCLI

final class SQLPrinterTests: XCTestCase {
    private func terminated(_ statement: String) -> String {
        var text: [UInt8] = []
        SQLPrinter.appendTerminated(Array(statement.utf8)[...], to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    func testStatementTerminators() {
        XCTAssertEqual(terminated("INSERT INTO t VALUES (1)"), "INSERT INTO t VALUES (1);\n")
        // `;` inside quotes, identifiers and comments does not end the statement for the client.
        XCTAssertEqual(terminated("INSERT INTO `a;b` VALUES ('x;y', \"p;q\") /* c;d */"),
                       "INSERT INTO `a;b` VALUES ('x;y', \"p;q\") /* c;d */;\n")
        XCTAssertEqual(terminated("INSERT INTO t VALUES ('it''s;', 'back\\\\;slash\\';')"),
                       "INSERT INTO t VALUES ('it''s;', 'back\\\\;slash\\';');\n")
        // A trailing line comment would swallow the `;`: it goes on the next line.
        XCTAssertEqual(terminated("DELETE FROM t -- all of it"), "DELETE FROM t -- all of it\n;\n")
        XCTAssertEqual(terminated("DELETE FROM t # all of it"), "DELETE FROM t # all of it\n;\n")
        // `--` without a space after it is not a comment (1--1 is arithmetic).
        XCTAssertEqual(terminated("SELECT 1--1"), "SELECT 1--1;\n")
        // A statement that already ends with `;` gets no second one.
        XCTAssertEqual(terminated("INSERT INTO t VALUES (1);"), "INSERT INTO t VALUES (1);\n")
        // A stored program's body has `;` of its own: a DELIMITER block.
        let procedure = "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END"
        XCTAssertEqual(terminated(procedure), "DELIMITER $$\n\(procedure)$$\nDELIMITER ;\n")
        XCTAssertEqual(terminated("CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1; -- note"),
                       "DELIMITER $$\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1; -- note\n$$\nDELIMITER ;\n")
    }

    func testFloatingPointLiteralsReadBackAsTheSameValue() {
        for value in [0.1, -1.5, 2.718281828459045, 1e300, -2.2250738585072014e-308, 5e-324, 123456789012345680.0, 0.0] {
            let text = SQLPrinter.doubleLiteral(value)
            XCTAssertTrue(text.contains("e"), "\(text): without an exponent the server would read a DECIMAL")
            XCTAssertEqual(Double(text), value, text)
        }
        // A FLOAT column's value is compared as the double it widens to.
        for value: Float in [1.1, -3.4e38, 1e-45, 16777217] {
            XCTAssertEqual(Double(SQLPrinter.doubleLiteral(Double(value))).map(Float.init), value)
        }
    }

    func testSQLModeNamesFollowTheWriter() {
        // STRICT_TRANS_TABLES (1<<21), ERROR_FOR_DIVISION_BY_ZERO (1<<26), NO_AUTO_CREATE_USER (1<<28),
        // NO_ENGINE_SUBSTITUTION (1<<30): MariaDB 10.11's default, 1411383296.
        XCTAssertEqual(SQLPrinter.sqlModeNames(1_411_383_296, mariaDB: true),
                       "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION")
        // MySQL 8 dropped NO_AUTO_CREATE_USER (its servers ignore the bit); bit 32 differs.
        XCTAssertEqual(SQLPrinter.sqlModeNames(1_411_383_296, mariaDB: false),
                       "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION")
        XCTAssertEqual(SQLPrinter.sqlModeNames(1 << 32, mariaDB: false), "TIME_TRUNCATE_FRACTIONAL")
        XCTAssertEqual(SQLPrinter.sqlModeNames(1 << 32, mariaDB: true), "EMPTY_STRING_IS_NULL")
        XCTAssertEqual(SQLPrinter.sqlModeNames(0, mariaDB: true), "")
    }

    private func sql(_ arguments: [String]) throws -> (text: String, result: DumpResult) {
        let result = try dump(["--format", "sql"] + arguments)
        XCTAssertEqual(result.exitCode, 0, "\(result.diagnostics)")
        return (String(decoding: result.output, as: UTF8.self), result)
    }

    /// The first INSERT of row-metadata-full (TestData/README.md gives its SQL) as it must be
    /// written: every value of the statement, exact.
    func testTheRowsOfAKnownWorkload() throws {
        let (text, _) = try sql([CLIPaths.binlogs.appendingPathComponent("row-metadata-full.000001").path])
        XCTAssertFalse(text.contains("BINLOG"))
        let insert = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("INSERT INTO `ddl_dml`.`all_types` (`id`, `c_tinyint`") })
        let expectedFirstRow = [
            "VALUES (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295",
            "-9223372036854775808, 18446744073709551615, -1.5e0, 2.718281828459045e0",
            "-12345678.91, 12345678901234567890123456789012345.123456789012345678901234567890, -999999999999999999",
            "b'1', b'10101010101010101', b'1111111111111111111111111111111111111111111111111111111111111111'",
            // TIME(6), DATETIME(3) with their digits; TIMESTAMPs in UTC.
            "'1000-01-01', '-838:59:59', '12:34:56.789012', '9999-12-31 23:59:59', '2024-02-29 12:00:00.123'",
            "'1970-01-01 00:00:01', '2038-01-19 03:14:07.999999', 1901",
            "'char', 'abcde', 'varchar value'",
            // BINARY(4) and VARBINARY as bytes; ENUM and SET by member names (FULL metadata).
            "X'00010203', X'DEADBEEF', 'tiny text', 'text', 'medium text', 'long text', X'01', X'0203', X'040506', X'0708090A'",
            "'green', 'a,c', '{\"k\": [1, 2.5, \"s\", null, true], \"nested\": {\"a\": {}}}'",
            // POINT(1.5 -2.25) with SRID 0: 4 bytes of SRID, then WKB (little-endian, type 1, x, y).
            "X'000000000101000000000000000000F83F00000000000002C0'",
            // INET4 192.0.2.1, INET6 2001:db8::ff00:42:8329, UUID.
            "X'C0000201', X'20010DB8000000000000FF0000428329', X'123E4567E89B12D3A456426614174000'),",
        ]
        var rest = Substring(insert)
        for piece in expectedFirstRow {
            guard let range = rest.range(of: piece) else {
                XCTFail("not found in order: \(piece)\nin: \(insert.prefix(3000))")
                return
            }
            rest = rest[range.upperBound...]
        }
        // The second row: zero dates, a negative zero-hour TIME, empty strings; BINARY(4) of '' is four NULs.
        XCTAssertTrue(insert.contains("'0000-00-00', '00:00:00', '-00:00:00.000001', '0000-00-00 00:00:00', '1999-12-31 23:59:59.999', NULL, NULL, 2155, '', '', '', '', X'00000000'"),
                      String(insert.prefix(4000)))
        // The primary key from the FULL metadata is the WHERE.
        XCTAssertTrue(text.contains("DELETE FROM `ddl_dml`.`all_types` WHERE `id` = 6 LIMIT 1;\n"))
        XCTAssertTrue(text.contains("\nSET @@session.sql_mode='NO_AUTO_VALUE_ON_ZERO', @@session.time_zone='+00:00'"))
        XCTAssertFalse(text.contains("PREPARE"), "column names are in the binlog: no lookup needed")
    }

    /// column-compression.sql (Scripts/workloads): the values of MariaDB's compressed columns,
    /// inflated (deflate data and values stored as is), as the statement wrote them.
    func testCompressedColumnsAreWrittenInflated() throws {
        let (text, _) = try sql([CLIPaths.binlogs.appendingPathComponent("column-compression.000001").path])
        func repeated(_ bytes: [UInt8], _ count: Int) -> [UInt8] { Array((0..<count).map { _ in bytes }.joined()) }
        // The file has no column metadata (binlog_row_metadata=NO_LOG): the CHAR column makes the
        // statement one the target completes, so the values are inside a CONCAT, as hex.
        func digits(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined() }
        // (1, REPEAT('abc', 100), 'é', REPEAT(X'00FF', 500), 'short', REPEAT('text ', 200),
        //  REPEAT(X'DEADBEEF', 4000), REPEAT('😀 naïve ', 3000), 'ab')
        let first = "X''" + digits(repeated(Array("abc".utf8), 100)) + "'', X''C3A9'', X''" + digits(repeated([0x00, 0xFF], 500))
            + "'', X''" + digits(Array("short".utf8)) + "'', X''" + digits(repeated(Array("text ".utf8), 200))
            + "'', X''" + digits(repeated([0xDE, 0xAD, 0xBE, 0xEF], 4000)) + "'', X''" + digits(repeated(Array("😀 naïve ".utf8), 3000)) + "''"
        XCTAssertTrue(text.contains("'INSERT INTO `compression`.`c` VALUES (1, " + first), String(text.prefix(3000)))
        // (2, 'x', '', X'', '', NULL, X'00', 'ü', NULL): short values are stored uncompressed, empty ones empty.
        XCTAssertTrue(text.contains("(2, X''78'', X'''', X'''', X'''', NULL, X''00'', X''C3BC'', NULL)"), text)
    }

    func testWithoutColumnNamesTheTargetNamesThem() throws {
        let (text, _) = try sql([CLIPaths.binlogs.appendingPathComponent("row-metadata-minimal.000001").path])
        XCTAssertTrue(text.contains("SET @binlog_c1 := (SELECT CONCAT('`', REPLACE(COLUMN_NAME, '`', '``'), '`') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'ddl_dml' AND TABLE_NAME = 'all_types' AND ORDINAL_POSITION = 1)"), text)
        XCTAssertTrue(text.contains("\nPREPARE binlog_stmt FROM @binlog_sql;\nEXECUTE binlog_stmt;\n"))
        XCTAssertTrue(text.hasSuffix("DEALLOCATE PREPARE binlog_stmt;\n"))
        // Byte comparisons for strings without a key (a case-insensitive collation would match 'A' for 'a').
        XCTAssertTrue(text.contains("CAST(', @binlog_c"), text)
    }

    func testTextOptionsAreRefused() throws {
        for option in ["-v", "--hexdump", "--print-table-metadata", "--short-form", "--base64-output=never"] {
            let result = try dump(["--format", "sql", option, CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path])
            XCTAssertEqual(result.exitCode, 2, option)
            XCTAssertTrue(result.diagnostics.joined().contains("is for the text output"), "\(option): \(result.diagnostics)")
            XCTAssertTrue(result.output.isEmpty)
        }
    }

    func testSelectionAppliesToTheStatements() throws {
        let file = CLIPaths.binlogs.appendingPathComponent("row-metadata-full.000001").path
        let (renamed, _) = try sql(["--rewrite-db", "ddl_dml->copy", file])
        XCTAssertTrue(renamed.contains("USE `copy`;\n"))
        XCTAssertTrue(renamed.contains("INSERT INTO `copy`.`all_types`"))
        XCTAssertFalse(renamed.contains("`ddl_dml`."))
        let (other, _) = try sql(["-d", "other", file])
        XCTAssertFalse(other.contains("INSERT INTO"))
        XCTAssertFalse(other.contains("CREATE TABLE"))
    }
}
