// Position and time cuts move to transaction boundaries: the output is mariadb-binlog's for the
// cut moved to the first event of the transaction it falls in.
import Foundation
import XCTest
@testable import BinlogCLI

final class TransactionCutsTests: XCTestCase {
    // row-crc32.000001, as mariadb-binlog lists it: the transaction of GTID 0-1-4 is the GTID at
    // 5765, Annotate_rows at 5807, Table_map at 6129, Write_rows at 6293 and the Xid at 6451,
    // ending at 6482; the next (GTID 0-1-5) begins there.
    let file = CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path

    func mariaDBBinlog(_ arguments: [String]) throws -> [UInt8] {
        guard let tool = CLIPaths.which("mariadb-binlog") else {
            throw XCTSkip("mariadb-binlog is not installed (Debian package mariadb-client); .ci/run installs it")
        }
        let result = try runProcess(tool, ["--no-defaults"] + arguments, environment: ["TZ": "UTC"])
        XCTAssertEqual(result.status, 0, "mariadb-binlog \(arguments): \(result.error)")
        return result.output
    }

    func testAStopInsideATransactionLeavesItOutWhole() throws {
        let expected = try mariaDBBinlog(["--stop-position=5765", file])
        for stop in [5807, 6129, 6293, 6451] {
            let ours = try dump(["--stop-position=\(stop)", file])
            XCTAssertEqual(ours.exitCode, 0)
            XCTAssertTrue(ours.output == expected, "\(stop): \(firstDifference(expected, ours.output))")
            XCTAssertEqual(ours.diagnostics, ["note: the stop falls inside the transaction at \(file):5765 (GTID 0-1-4); it is left out whole, and everything after it"])
        }
        // At the transaction's first event nothing moves; the transaction left out is named.
        let atStart = try dump(["--stop-position=5765", file])
        XCTAssertTrue(atStart.output == expected)
        XCTAssertEqual(atStart.diagnostics, ["note: the first transaction left out is the one at \(file):5765 (GTID 0-1-4)"])
        // mysqlbinlog's cut, on request: the same bytes as mariadb-binlog's.
        let eventLevel = try dump(["--no-transaction-boundaries", "--stop-position=6293", file])
        XCTAssertTrue(eventLevel.output == (try mariaDBBinlog(["--stop-position=6293", file])))
        XCTAssertEqual(eventLevel.diagnostics, ["warning: The range of printed events ends with a row event or a table map event that does not have the STMT_END_F flag set: the events of that partial statement were not printed."])
    }

    func testAStartInsideATransactionKeepsItWhole() throws {
        let expected = try mariaDBBinlog(["--start-position=5765", file])
        for start in [5807, 6293] {
            let ours = try dump(["--start-position=\(start)", file])
            XCTAssertEqual(ours.exitCode, 0)
            XCTAssertTrue(ours.output == expected, "\(start): \(firstDifference(expected, ours.output))")
            XCTAssertEqual(ours.diagnostics, ["note: the start falls inside the transaction at \(file):5765 (GTID 0-1-4); it is kept whole, from there"])
        }
        let eventLevel = try dump(["--no-transaction-boundaries", "--start-position=6293", file])
        XCTAssertTrue(eventLevel.output == (try mariaDBBinlog(["--start-position=6293", file])))
        // A position inside an event is still an error naming the boundaries around it.
        let inside = try dump(["--start-position=5800", file])
        XCTAssertEqual(inside.exitCode, 2)
        XCTAssertEqual(inside.diagnostics, ["\(file): --start-position 5800 is not an event boundary: the nearest are 5765 and 5807"])
    }

    /// Times inside a transaction: row-crc32.000001 with its event times rewritten, everything
    /// before the transaction of 0-1-4 at 1000 (epoch seconds), its GTID at 2000, the rest of it
    /// at 3000, everything after at 4000. The first event at or after 2500 is then the
    /// Annotate_rows at 5807, inside the transaction.
    func testATimeInsideATransactionMovesToItsStart() throws {
        var events = VerifyFrontendTests.walk(Array(try Data(contentsOf: URL(fileURLWithPath: file)))).map { ($0.offset, $0.bytes) }
        for index in events.indices {
            let offset = events[index].0
            let time: UInt32 = offset < 5765 ? 1000 : offset == 5765 ? 2000 : offset < 6482 ? 3000 : 4000
            VerifyFrontendTests.put32(time, into: &events[index].1, at: 0)
            if events[index].1[4] == 15 { VerifyFrontendTests.fixChecksum(&events[index].1) }
        }
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("times.000001").path
        try Data(VerifyFrontendTests.rebuild(events.map(\.1))).write(to: URL(fileURLWithPath: path))
        let t = "1970-01-01 00:41:40"  // 2500

        let stopped = try dump(["--timezone", "UTC", "--stop-datetime", t, path])
        XCTAssertEqual(stopped.exitCode, 0)
        let beforeIt = try mariaDBBinlog(["--stop-position=5765", path])
        XCTAssertTrue(stopped.output == beforeIt, firstDifference(beforeIt, stopped.output))
        XCTAssertEqual(stopped.diagnostics, ["note: the stop falls inside the transaction at \(path):5765 (GTID 0-1-4); it is left out whole, and everything after it"])

        let started = try dump(["--timezone", "UTC", "--start-datetime", t, path])
        let fromIt = try mariaDBBinlog(["--start-position=5765", path])
        XCTAssertTrue(started.output == fromIt, firstDifference(fromIt, started.output))
        XCTAssertEqual(started.diagnostics, ["note: the start falls inside the transaction at \(path):5765 (GTID 0-1-4); it is kept whole, from there"])

        // Event-level, the cut is at 5807, as mariadb-binlog's.
        let eventLevel = try dump(["--no-transaction-boundaries", "--timezone", "UTC", "--stop-datetime", t, path])
        XCTAssertTrue(eventLevel.output == (try mariaDBBinlog(["--stop-datetime=\(t)", path])))

        // stats counts the same transactions as dump prints.
        let counted = try stats(["--json", "--timezone", "UTC", "--stop-datetime", t, path])
        let byPosition = try stats(["--json", "--no-transaction-boundaries", "--stop-position", "5765", path])
        XCTAssertEqual(counted.output, byPosition.output)
    }

    func testStatsCutsAtTransactionBoundaries() throws {
        let cut = try stats(["--json", "--stop-position", "6293", file])
        let atBoundary = try stats(["--json", "--no-transaction-boundaries", "--stop-position", "5765", file])
        XCTAssertEqual(cut.exitCode, 0)
        XCTAssertEqual(cut.output, atBoundary.output)
        XCTAssertEqual(cut.diagnostics, ["note: the stop falls inside the transaction at \(file):5765 (GTID 0-1-4); it is left out whole, and everything after it"])
        // Event-level, the open transaction's Table_map is counted and the transaction is open.
        let eventLevel = try stats(["--json", "--no-transaction-boundaries", "--stop-position", "6293", file])
        XCTAssertNotEqual(eventLevel.output, atBoundary.output)
    }

    /// Standard input is copied to a temporary file for the first reading pass: the same output
    /// as from the file, the note naming `-`, and no copy left behind.
    func testCutsOnStandardInput() throws {
        guard let binlog = CLIPaths.executable else { throw XCTSkip("the binlog executable was not built beside the tests") }
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let piped = try runProcess("/bin/sh", ["-c", "TMPDIR='\(scratch.path)' '\(binlog.path)' dump --stop-position 6293 - < '\(file)'"])
        XCTAssertEqual(piped.status, 0, piped.error)
        XCTAssertTrue(piped.output == (try dump(["--stop-position", "6293", file])).output)
        XCTAssertEqual(piped.error, "binlog: note: the stop falls inside the transaction at -:5765 (GTID 0-1-4); it is left out whole, and everything after it\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }
}
