// `binlog filter`: a valid binlog of the selected events, read by mariadb-binlog, clean for
// verify, and replaying to the same tables as `binlog dump` with the same selection.
import Foundation
import XCTest
@testable import BinlogCLI
import MySQLBinlog

/// Runs `binlog filter ARGS` in-process: exit code and standard error lines.
func filter(_ arguments: [String]) throws -> (exitCode: Int32, diagnostics: [String]) {
    useUTC()
    let command = try Filter.parseAsRoot(arguments) as! Filter
    var messages: [String] = []
    let code = FilterFrontend(options: command.options, files: command.files).run(diagnostics: { messages.append($0) })
    return (code, messages)
}

final class FilterTests: XCTestCase {
    /// With nothing selected away, the output is the input, byte for byte: every event kept, its
    /// end position and checksum rewritten to what they were.
    func testNoSelectionGivesTheSameBytes() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var compared = 0
        for url in try CLIPaths.allBinlogs() where url.lastPathComponent != "in-use.000001" {
            let out = scratch.appendingPathComponent(url.lastPathComponent).path
            let result = try filter(["--quiet", "-o", out, url.path])
            XCTAssertEqual(result.exitCode, 0, "\(url.lastPathComponent): \(result.diagnostics)")
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), try Data(contentsOf: url), url.lastPathComponent)
            compared += 1
        }
        XCTAssertGreaterThan(compared, 20)
        // One file per input with -o DIR/.
        let directory = scratch.appendingPathComponent("each")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files = ["flush-logs.000001", "flush-logs.000002", "flush-logs.000003"].map { CLIPaths.binlogs.appendingPathComponent($0) }
        XCTAssertEqual(try filter(["--quiet", "-o", directory.path + "/"] + files.map(\.path)).exitCode, 0)
        for file in files {
            XCTAssertEqual(try Data(contentsOf: directory.appendingPathComponent(file.lastPathComponent)), try Data(contentsOf: file))
        }
    }

    /// Several inputs into one file: one Format_description, Gtid_list and checkpoint (the first
    /// file's), no Rotate or Stop between the files; positions continuous (verify is clean).
    func testSeveralInputsMakeOneFile() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("all.bin").path
        let files = ["flush-logs.000001", "flush-logs.000002", "flush-logs.000003"].map { CLIPaths.binlogs.appendingPathComponent($0).path }
        let result = try filter(["-o", out] + files)
        XCTAssertEqual(result.exitCode, 0)
        let types = VerifyFrontendTests.walk(Array(try Data(contentsOf: URL(fileURLWithPath: out)))).map(\.type)
        XCTAssertEqual(types.filter { $0 == 15 }.count, 1)
        XCTAssertEqual(types.filter { $0 == 163 }.count, 1)
        XCTAssertEqual(types.filter { $0 == 4 }.count, 0, "Rotate between the files")
        let inputs = files.map { VerifyFrontendTests.walk(Array((try? Data(contentsOf: URL(fileURLWithPath: $0))) ?? Data())) }
        // Everything but the later files' header events and the Rotates that end the first two.
        let headerEvents = inputs.dropFirst().map { $0.filter { [15, 163, 161].contains($0.type) }.count }.reduce(0, +)
        let rotates = inputs.dropLast().map { $0.filter { $0.type == 4 || $0.type == 3 }.count }.reduce(0, +)
        XCTAssertEqual(types.count, inputs.map(\.count).reduce(0, +) - headerEvents - rotates)
        XCTAssertEqual(result.diagnostics, ["\(types.count - 1) events written to \(out), \(headerEvents + rotates) left out"])
        let sink = OutputSink()
        let code = VerifyFrontend(options: try VerifyOptions.parse([]), files: [out]).run(out: sink, diagnostics: { _ in })
        XCTAssertEqual(code, 0, String(decoding: sink.buffer, as: UTF8.self))
    }

    func testTransactionsLeftEmptyAreDroppedWhole() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("none.bin").path
        let result = try filter(["-d", "nosuch", "-o", out, CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path])
        XCTAssertEqual(result.exitCode, 0)
        // Format_description, Gtid_list, Binlog_checkpoint and the closing Stop; no GTID, no BEGIN, no COMMIT.
        XCTAssertEqual(VerifyFrontendTests.walk(Array(try Data(contentsOf: URL(fileURLWithPath: out)))).map(\.type), [15, 163, 161, 3])
    }

    func testChecksumsCanBeRemoved() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path
        let out = scratch.appendingPathComponent("plain.bin").path
        XCTAssertEqual(try filter(["--quiet", "--checksum", "none", "-o", out, input]).exitCode, 0)
        let original = VerifyFrontendTests.walk(Array(try Data(contentsOf: URL(fileURLWithPath: input))))
        let plain = VerifyFrontendTests.walk(Array(try Data(contentsOf: URL(fileURLWithPath: out))))
        XCTAssertEqual(plain.map(\.type), original.map(\.type))
        // Every event 4 bytes shorter, but the Format_description, which keeps its CRC32 field
        // after the checksum-algorithm byte (now 0, NONE), as the servers write it.
        XCTAssertEqual(plain.map(\.bytes.count), original.map { $0.type == 15 ? $0.bytes.count : $0.bytes.count - 4 })
        XCTAssertEqual(plain[0].bytes[plain[0].bytes.count - 5], 0)
        let sink = OutputSink()
        let code = VerifyFrontend(options: try VerifyOptions.parse(["--json"]), files: [out]).run(out: sink, diagnostics: { _ in })
        XCTAssertEqual(code, 0)
        XCTAssertTrue(String(decoding: sink.buffer, as: UTF8.self).contains(#""checksum":"none""#))
        // The same rows, read back.
        let rows = { (path: String) throws -> [String] in
            // Each rows event's rows, as JSON text (positions differ, rows do not).
            try dump(["--format", "jsonl", path]).output.split(separator: 10).map { String(decoding: $0, as: UTF8.self) }
                .compactMap { line in line.range(of: #""rows":"#).map { String(line[$0.lowerBound...]) } }
        }
        XCTAssertEqual(try rows(out), try rows(input))
        XCTAssertGreaterThan(try rows(input).count, 5)
        if let tool = CLIPaths.which("mariadb-binlog") {
            let read = try runProcess(tool, ["--no-defaults", out])
            XCTAssertEqual(read.status, 0)
            XCTAssertEqual(read.error, "")
        }
    }

    func testEventLevelCutsAreRefused() throws {
        let result = try filter(["--no-transaction-boundaries", "--stop-position", "5807", "-o", "/dev/null",
                                 CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path])
        XCTAssertEqual(result.exitCode, 2)
        XCTAssertEqual(result.diagnostics, ["binlog filter always cuts at transaction boundaries (a binlog file must not hold part of a transaction): leave out --no-transaction-boundaries"])
    }

    /// Scripts/filter-check on a live MariaDB: read by mariadb-binlog without a word, clean for
    /// verify, and replaying to the tables `binlog dump` with the same selection gives.
    func testFilteredBinlogsReplayLikeTheSelection() throws {
        guard CLIPaths.which("mariadbd") != nil, CLIPaths.which("mariadb") != nil, CLIPaths.which("mariadb-binlog") != nil else {
            throw XCTSkip("MariaDB server and client are not installed (Debian packages mariadb-server, mariadb-client); .ci/run installs them")
        }
        guard let binlog = CLIPaths.executable else {
            throw XCTSkip("the binlog executable was not built beside the tests")
        }
        let b = CLIPaths.binlogs.path
        // ddl-dml.sql creates scratch.t from ddl_dml and CREATE DATABASE scratch is logged in
        // scratch: -d ddl_dml keeps the one and not the other, as mysqlbinlog -d does.
        let cases: [[String]] = [
            ["--prepare", "CREATE DATABASE scratch", "-d", "ddl_dml", "--", "\(b)/row-crc32.000001"],
            ["--prepare", "CREATE DATABASE scratch", "-d", "ddl_dml", "--", "\(b)/stmt-crc32.000001"],
            ["--prepare", "CREATE DATABASE scratch", "-d", "ddl_dml", "--", "\(b)/compressed-row.000001"],
            ["--stop-datetime", "2030-01-01 02:30:00", "--", "\(b)/timestamps.000001"],
            ["--start-datetime", "2030-01-01 01:00:00", "--prepare", "CREATE DATABASE times; CREATE TABLE times.t (id INT PRIMARY KEY, note VARCHAR(40)) ENGINE=InnoDB; INSERT INTO times.t VALUES (1, 'midnight')", "--", "\(b)/timestamps.000001"],
            ["--server-id", "1", "--", "\(b)/timestamps.000001"],
            ["--exclude-gtids", "2-2-100", "--", "\(b)/gtid-domains.000001", "\(b)/gtid-domains.000002", "\(b)/gtid-domains.000003"],
            ["-d", "flush_logs", "--", "\(b)/flush-logs.000001", "\(b)/flush-logs.000002", "\(b)/flush-logs.000003"],
        ]
        for arguments in cases {
            let result = try runProcess(CLIPaths.scripts.appendingPathComponent("filter-check").path, ["--binlog", binlog.path] + arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.error)\(String(decoding: result.output, as: UTF8.self))")
        }
    }
}

/// `binlog filter` inside MySQL compressed transactions: -d, the replica rules and --rewrite-db
/// select and rename the events a Transaction_payload holds, which is then compressed again.
final class CompressedTransactionFilterTests: XCTestCase {
    /// A MySQL 8.0.29 file made from replicated-bin.000001's events (corpus): its
    /// Format_description and Previous_gtids, the first GTID, then one zstd Transaction_payload
    /// holding BEGIN, an insert into mtr.test_suppressions (Table_map 310, Write_rows 376), an
    /// insert into test.t1 (Table_map 905, Write_rows 953) and the Xid (533). The inner events
    /// lose their checksums, as in a real payload.
    private func makeTwoDatabaseCompressedFile(in scratch: URL) throws -> String {
        let source = CLIPaths.packageRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/corpus/mysql-server-8.0.40/mysql-test/std_data/replicated-bin.000001")
        guard FileManager.default.fileExists(atPath: source.path) else { throw XCTSkip("the shared corpus (../shared/corpus) is absent") }
        let events = VerifyFrontendTests.walk(Array(try Data(contentsOf: source)))
        func event(at offset: Int) throws -> [UInt8] { try XCTUnwrap(events.first { $0.offset == offset }).bytes }
        let inner = try [236, 310, 376, 905, 953, 533].map { offset -> [UInt8] in
            var bytes = Array(try event(at: offset).dropLast(4))
            VerifyFrontendTests.put32(UInt32(bytes.count), into: &bytes, at: 9)
            return bytes
        }
        var payload = Array(try event(at: 157).prefix(19))
        payload[4] = 40
        payload += try TransactionPayloadEvent.encodeBody(events: inner, compressionType: 0) + [0, 0, 0, 0]
        var file: [UInt8] = [0xfe, 0x62, 0x69, 0x6e]
        for var bytes in [try event(at: 4), try event(at: 126), try event(at: 157), payload] {
            VerifyFrontendTests.put32(UInt32(bytes.count), into: &bytes, at: 9)
            VerifyFrontendTests.put32(UInt32(file.count + bytes.count), into: &bytes, at: 13)
            let crc = CRC32.checksum(bytes.dropLast(4))
            VerifyFrontendTests.put32(crc, into: &bytes, at: bytes.count - 4)
            file += bytes
        }
        let path = scratch.appendingPathComponent("compressed-two-databases.000001").path
        try Data(file).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `binlog dump --format jsonl` of a file: the events as JSON objects.
    private func events(_ path: String, _ extra: [String] = []) throws -> [[String: Any]] {
        let sink = OutputSink()
        let code = DumpFrontend(options: try DumpOptions.parse(["--format", "jsonl"] + extra), files: [path]).run(out: sink, diagnostics: { _ in })
        XCTAssertEqual(code, 0)
        return try String(decoding: sink.buffer, as: UTF8.self).split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    private func assertVerifiesClean(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let sink = OutputSink()
        let code = VerifyFrontend(options: try VerifyOptions.parse([]), files: [path]).run(out: sink, diagnostics: { _ in })
        XCTAssertEqual(code, 0, String(decoding: sink.buffer, as: UTF8.self), file: file, line: line)
        XCTAssertTrue(String(decoding: sink.buffer, as: UTF8.self).contains("0 errors, 0 warnings"), String(decoding: sink.buffer, as: UTF8.self), file: file, line: line)
    }

    /// The events inside the payload: type, and the table a Table_map names.
    private func inside(_ objects: [[String: Any]]) -> [String] {
        objects.filter { $0["payload_index"] != nil }.map { object in
            let type = object["type"] as? String ?? "?"
            guard type == "Table_map" else { return type }
            return "Table_map \(object["database"] as? String ?? "?").\(object["table"] as? String ?? "?")"
        }
    }

    func testDatabaseSelectionAndRenamingInsideACompressedTransaction() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = try makeTwoDatabaseCompressedFile(in: scratch)
        let all = try events(input)
        XCTAssertEqual(inside(all), ["Query", "Table_map mtr.test_suppressions", "Write_rows", "Table_map test.t1", "Write_rows", "Xid"])
        let rowsOf: ([[String: Any]]) -> [String] = { objects in
            objects.filter { $0["type"] as? String == "Write_rows" }.map { "\($0["rows"] ?? "")" }
        }

        // -d test: the mtr insert is left out of the payload, the rest kept as it was.
        let test = scratch.appendingPathComponent("test.bin").path
        XCTAssertEqual(try filter(["--quiet", "-d", "test", "-o", test, input]).exitCode, 0)
        let kept = try events(test)
        XCTAssertEqual(inside(kept), ["Query", "Table_map test.t1", "Write_rows", "Xid"])
        XCTAssertEqual(kept.filter { $0["type"] as? String == "Gtid" }.count, 1)
        XCTAssertEqual(rowsOf(kept), [rowsOf(all)[1]])
        // The same as dump -d on the input shows, and the new payload is smaller.
        XCTAssertEqual(inside(try events(input, ["-d", "test"])), inside(kept))
        try assertVerifiesClean(test)
        XCTAssertLessThan(try Data(contentsOf: URL(fileURLWithPath: test)).count, try Data(contentsOf: URL(fileURLWithPath: input)).count)

        // A table rule the same way.
        let ignore = scratch.appendingPathComponent("ignore.bin").path
        XCTAssertEqual(try filter(["--quiet", "--ignore-table", "test.t1", "-o", ignore, input]).exitCode, 0)
        XCTAssertEqual(inside(try events(ignore)), ["Query", "Table_map mtr.test_suppressions", "Write_rows", "Xid"])

        // Nothing of it selected: the transaction goes whole, GTID too.
        let none = scratch.appendingPathComponent("none.bin").path
        XCTAssertEqual(try filter(["--quiet", "-d", "other", "-o", none, input]).exitCode, 0)
        let left = try events(none)
        XCTAssertEqual(left.map { $0["type"] as? String ?? "" }, ["Format_desc", "Previous_gtids"])

        // Everything selected: the payload is not touched (the file is the input, byte for byte).
        let both = scratch.appendingPathComponent("both.bin").path
        XCTAssertEqual(try filter(["--quiet", "--do-db", "test", "--do-db", "mtr", "-o", both, input]).exitCode, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: both)), try Data(contentsOf: URL(fileURLWithPath: input)))

        // --rewrite-db renames inside, and the rows are the same.
        let renamed = scratch.appendingPathComponent("renamed.bin").path
        XCTAssertEqual(try filter(["--quiet", "--rewrite-db", "test->zz", "-o", renamed, input]).exitCode, 0)
        let renamedEvents = try events(renamed)
        XCTAssertEqual(inside(renamedEvents), ["Query", "Table_map mtr.test_suppressions", "Write_rows", "Table_map zz.t1", "Write_rows", "Xid"])
        XCTAssertEqual(rowsOf(renamedEvents), rowsOf(all))
        try assertVerifiesClean(renamed)
    }
}
