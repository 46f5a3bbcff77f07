// TestData/malformed: each damaged or hostile file gives exactly the error it should, at the
// offset it should, in dump, stats and verify; and none of them crashes the fuzz harness.
//
// The files are made by Scripts/make-malformed (see its comments and TestData/README.md). The
// offsets below are worked out from how each file is built, not read off our output: the base
// MariaDB file is magic (4) + Format_description (252) + Gtid_list (29) + Binlog_checkpoint (43)
// = 328 bytes of header events, then the transaction of row-crc32.000001 at 5765: GTID (42, at
// 328), Annotate_rows (322, at 370), Table_map (164, at 692), Write_rows_v1 (158, at 856), Xid
// (31, at 1014), ending at 1045. The MySQL files are magic + a Format_description of
// 19 + 57 + 41 + 1 + 4 = 122 bytes, so their Transaction_payload starts at 126.
import Foundation
import XCTest
@testable import BinlogCLI

final class MalformedCorpusTests: XCTestCase {
    static let directory = CLIPaths.packageRoot.appendingPathComponent("TestData/malformed")

    /// What each command must do with a file.
    struct Expectation {
        /// Exit code of `binlog dump FILE` and `binlog stats FILE`.
        var dumpCode: Int32
        /// The diagnostics `dump` writes, each exactly; `%F` stands for the file's path.
        var dumpDiagnostics: [String]
        var statsCode: Int32
        /// Exit code of `binlog verify FILE`, and the findings as `OFFSET: EVENT: SEVERITY: KIND`.
        var verifyCode: Int32
        var verifyFindings: [String]
    }

    static let expectations: [String: Expectation] = [
        "event-size-below-header.bin": Expectation(
            dumpCode: 1,
            dumpDiagnostics: ["%F: at offset 337 in Query event starting at 328, field event_size: event size 10 is smaller than the 19-byte header"],
            statsCode: 1, verifyCode: 1, verifyFindings: ["328: Query: error: unframeable"]),
        "query-status-vars-past-event.bin": Expectation(
            // status_vars starts after the 19-byte header and 13-byte post-header: 328 + 32 = 360;
            // the event has 142 - 19 - 13 - 4 (CRC32) = 106 bytes left for it.
            dumpCode: 1,
            dumpDiagnostics: ["%F: at offset 360 in Query event starting at 328, field status_vars: truncated: needed 65520 bytes, 106 available"],
            statsCode: 1, verifyCode: 1, verifyFindings: ["328: Query: error: malformed-event"]),
        "fde-short-post-header-table.bin": Expectation(
            // The shortened Format_description is 19 + 57 + 5 + 1 + 4 = 86 bytes: the Gtid_list is
            // at 90, the checkpoint at 119, the GTID at 162, Annotate_rows at 204, Table_map at 526,
            // Write_rows at 690 and the Xid at 848.
            dumpCode: 0,
            dumpDiagnostics: [
                (163, "Gtid_list", 90), (161, "Binlog_checkpoint", 119), (162, "Gtid", 162), (160, "Annotate_rows", 204),
                (19, "Table_map", 526), (23, "Write_rows_v1", 690), (16, "Xid", 848),
            ].map { type, name, offset in
                "warning: %F: the Format_description lists no post-header length for \(name) events (type \(type)), first at \(offset); they are read with the length the servers use for them"
            },
            statsCode: 0, verifyCode: 0,
            verifyFindings: ["162: Gtid: warning: post-header-length", "526: Table_map: warning: post-header-length",
                             "690: Write_rows_v1: warning: post-header-length"]),
        "unknown-event-type.bin": Expectation(
            dumpCode: 0,
            dumpDiagnostics: ["warning: %F: event at 328 has type 250 (Unknown(250)), which is not decoded; it is printed as the reference tool prints it"],
            statsCode: 0, verifyCode: 0, verifyFindings: ["328: Unknown(250): warning: unknown-event"]),
        "table-map-metadata-inflated.bin": Expectation(
            // The block is only read when something prints from it (see testDamagedOptionalMetadataIsSaid).
            dumpCode: 0, dumpDiagnostics: [], statsCode: 0, verifyCode: 0, verifyFindings: []),
        "mariadb-compressed-huge-declared.bin": Expectation(
            // GTID at 328 (42 bytes), the Query_compressed at 370; its compressed query text starts
            // at 445 (after header, post-header, status variables and the database name).
            dumpCode: 1,
            dumpDiagnostics: ["%F: at offset 445 in Query_compressed event starting at 370, field query: declared uncompressed size 2147483632 exceeds the cap of 1073741824 bytes"],
            statsCode: 1, verifyCode: 1, verifyFindings: ["370: Query_compressed: error: malformed-event", "328: error: open-transaction"]),
        "mariadb-compressed-impossible-ratio.bin": Expectation(
            dumpCode: 1,
            dumpDiagnostics: ["%F: at offset 445 in Query_compressed event starting at 370, field query: declared uncompressed size 900000000 is more than 16 bytes of zlib data can inflate to"],
            statsCode: 1, verifyCode: 1, verifyFindings: ["370: Query_compressed: error: malformed-event", "328: error: open-transaction"]),
        "mariadb-compressed-bomb.bin": Expectation(
            dumpCode: 1,
            dumpDiagnostics: ["%F: at offset 445 in Query_compressed event starting at 370, field query: the zlib data inflates beyond the 64 bytes its header declares"],
            statsCode: 1, verifyCode: 1, verifyFindings: ["370: Query_compressed: error: payload", "328: error: open-transaction"]),
        "truncated-last-event.bin": Expectation(
            dumpCode: 1,
            dumpDiagnostics: ["%F: at offset 692 in Table_map event, field header: truncated: needed 13 bytes, 10 available"],
            statsCode: 1, verifyCode: 1, verifyFindings: ["692: Table_map: error: truncated-event", "328: error: open-transaction"]),
        "zero-filled-tail.bin": Expectation(
            dumpCode: 1,
            dumpDiagnostics: ["%F: at offset 1045, field event_size: zero-filled bytes from here (4096 read so far): not an event"],
            statsCode: 1, verifyCode: 1, verifyFindings: ["1045: error: zero-tail"]),
        "in-use-partial-last-event.bin": Expectation(
            // In use: read up to the last complete event (as mysqlbinlog), said on stderr. The
            // second GTID starts at 1045; 22 of its 42 bytes are there.
            dumpCode: 0,
            dumpDiagnostics: ["warning: %F is marked in use and ends inside an event: %F: at offset 1045 in Gtid event, field event: truncated: needed 42 bytes, 22 available"],
            statsCode: 0, verifyCode: 1,
            verifyFindings: ["4: Format_desc: warning: file-in-use", "1045: Gtid: error: truncated-event"]),
        "mysql-payload-huge-declared.bin": Expectation(
            dumpCode: 1,
            dumpDiagnostics: ["%F: at offset 126 in Transaction_payload event, field payload: declared uncompressed size 1099511627776 exceeds the cap of 1073741824 bytes"],
            statsCode: 1, verifyCode: 1, verifyFindings: ["126: Transaction_payload: error: payload"]),
        "mysql-payload-bomb.bin": Expectation(
            // The inner events: BEGIN (19 + 13 + 5 + 5 = 42), the INSERT (61) and an Xid (27): 130.
            dumpCode: 1,
            dumpDiagnostics: ["%F: at offset 126 in Transaction_payload event, field payload: payload inflates beyond the 130 bytes its header declares"],
            statsCode: 1, verifyCode: 1, verifyFindings: ["126: Transaction_payload: error: payload"]),
        "mysql-payload-inner-crosses-end.bin": Expectation(
            dumpCode: 1,
            dumpDiagnostics: ["%F: at offset 126 in Transaction_payload event, field inner_event: truncated: needed 60 bytes, 27 available"],
            statsCode: 1, verifyCode: 1, verifyFindings: ["126: Transaction_payload: error: payload"]),
        // The JSON values are only converted when something prints them (see testJSONLimits).
        "json-too-deep.bin": Expectation(dumpCode: 0, dumpDiagnostics: [], statsCode: 0, verifyCode: 0, verifyFindings: []),
        "json-dag-bomb.bin": Expectation(dumpCode: 0, dumpDiagnostics: [], statsCode: 0, verifyCode: 0, verifyFindings: []),
        "fuzz-short-format-description.bin": Expectation(
            // Found by Scripts/fuzz (a trap framing it, and a peek's error then passing for the end
            // of input): the first event, at 4, is a Format_description whose size field (at 13)
            // says 18, under the 19-byte header; before a Format_description framing accepts 13.
            dumpCode: 1,
            dumpDiagnostics: ["%F: at offset 13 in Format_desc event starting at 4, field event_size: event size 18 is smaller than the 19-byte header"],
            statsCode: 1, verifyCode: 1,
            verifyFindings: ["4: Format_desc: error: malformed-event", "22: Unknown(100): error: unframeable"]),
        "fuzz-float-metadata.bin": Expectation(
            // Found by Scripts/fuzz: a Table_map (at 3799) giving a DOUBLE column the metadata 10
            // instead of its pack length 8 made the row decoder read a value of 8 bytes from a
            // field sized 10... or a FLOAT of 4 from one sized 1: out of bounds. The file also ends
            // inside an event at 6433 (an event of type 107 claiming 7936 bytes), which is what
            // every command stops at; the rows error itself is checked in testFuzzFloatMetadataRows.
            dumpCode: 1,
            dumpDiagnostics: ["%F: at offset 6433 in Unknown(107) event, field event: truncated: needed 7936 bytes, 4902 available"],
            statsCode: 1, verifyCode: 1,
            verifyFindings: ["6433: Unknown(107): error: truncated-event", "5765: error: open-transaction"]),
    ]

    static func files() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "bin" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func testEveryFileHasItsExpectation() throws {
        let names = Set(try Self.files().map(\.lastPathComponent))
        XCTAssertEqual(names, Set(Self.expectations.keys),
                       "each file of TestData/malformed needs an expectation here, and each expectation its file (Scripts/make-malformed)")
    }

    func testDumpGivesTheExactError() throws {
        for file in try Self.files() {
            guard let expected = Self.expectations[file.lastPathComponent] else { continue }
            let result = try dump([file.path])
            XCTAssertEqual(result.exitCode, expected.dumpCode, file.lastPathComponent)
            XCTAssertEqual(result.diagnostics, expected.dumpDiagnostics.map { $0.replacingOccurrences(of: "%F", with: file.path) },
                           file.lastPathComponent)
        }
    }

    func testStatsExitCodes() throws {
        for file in try Self.files() {
            guard let expected = Self.expectations[file.lastPathComponent] else { continue }
            let result = try stats([file.path])
            XCTAssertEqual(result.exitCode, expected.statsCode, "\(file.lastPathComponent): \(result.diagnostics)")
            if expected.statsCode == 1, let error = expected.dumpDiagnostics.last {
                // The same error as dump's, naming the file (a damaged compressed transaction is
                // counted as damage and the report still written, so it comes as a warning).
                let text = error.replacingOccurrences(of: "%F: ", with: "")
                XCTAssertTrue(result.diagnostics.contains { $0.hasPrefix(file.path + ": ") && $0.hasSuffix(text) }
                              || result.diagnostics.contains { $0.hasPrefix("warning: " + file.path + ": ") && $0.hasSuffix(text) },
                              "\(file.lastPathComponent): \(result.diagnostics)")
            }
        }
    }

    func testVerifyFindings() throws {
        for file in try Self.files() {
            guard let expected = Self.expectations[file.lastPathComponent] else { continue }
            let sink = OutputSink()
            var diagnostics: [String] = []
            let frontend = VerifyFrontend(options: try VerifyOptions.parse([]), files: [file.path])
            let code = frontend.run(out: sink, diagnostics: { diagnostics.append($0) })
            let lines = String(decoding: sink.buffer, as: UTF8.self).split(separator: "\n").map(String.init)
            let findings = lines.filter { !$0.contains(" events, ") && !$0.hasPrefix("total: ") }
                .map { line -> String in
                    // FILE: OFFSET: EVENT: SEVERITY: KIND: message → OFFSET: EVENT: SEVERITY: KIND
                    let rest = line.dropFirst(file.path.count + 2)
                    let fields = rest.components(separatedBy: ": ")
                    let kindIndex = fields.firstIndex { ["error", "warning", "info"].contains($0) }.map { $0 + 1 } ?? fields.count - 1
                    return fields[...kindIndex].joined(separator: ": ")
                }
            XCTAssertEqual(code, expected.verifyCode, "\(file.lastPathComponent): \(lines)")
            XCTAssertEqual(findings, expected.verifyFindings, file.lastPathComponent)
        }
    }

    /// The damaged TLV of table-map-metadata-inflated.bin is said where the block is used. The
    /// Table_map is at 2261 (328 + GTID 42 + Annotate_rows 1891); Scripts/make-malformed puts the
    /// damaged field (the primary key, type 8) at byte 715 of the event: 2261 + 715 = 2976.
    func testDamagedOptionalMetadataIsSaid() throws {
        let file = Self.directory.appendingPathComponent("table-map-metadata-inflated.bin")
        let result = try dump(["--print-table-metadata", file.path])
        XCTAssertEqual(result.exitCode, 0)
        XCTAssertEqual(result.diagnostics, [
            "warning: the optional metadata of the Table_map at 2261 is damaged at offset 2976: field type 8 claims 201 bytes, 1 remain in the event; the fields from there on are not printed",
        ])
    }

    /// A start position inside an event names the two boundaries around it (the checkpoint event
    /// of row-crc32.000001 spans 285–328).
    func testStartPositionInsideAnEvent() throws {
        let file = CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path
        for arguments in [["dump"], ["stats"]] {
            let message = "\(file): --start-position 300 is not an event boundary: the nearest are 285 and 328"
            if arguments == ["dump"] {
                let result = try dump(["--start-position", "300", file])
                XCTAssertEqual(result.exitCode, 2)
                XCTAssertEqual(result.diagnostics, [message])
            } else {
                let result = try stats(["--start-position", "300", file])
                XCTAssertEqual(result.exitCode, 2)
                XCTAssertEqual(result.diagnostics, [message])
            }
        }
    }

    /// The fuzz target's body on every malformed file and every fixture: it returns, with exit
    /// codes 0–2 only, and the valid fixtures dump without error.
    func testFuzzHarnessOnTheCorpus() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("input.bin").path
        // The fixtures up to 64 KiB (libFuzzer's inputs are 64 KiB at most).
        let fixtures = try CLIPaths.allBinlogs().filter { ((try? $0.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) <= 1 << 16 }
        for file in try Self.files() + fixtures {
            let bytes = try [UInt8](Data(contentsOf: file))
            let codes = bytes.withUnsafeBytes { FuzzHarness.exercise($0, scratchPath: path) }
            XCTAssertEqual(codes.count, FuzzHarness.commandLines.count)
            XCTAssertTrue(codes.allSatisfy { (0...2).contains($0) }, "\(file.lastPathComponent): \(codes)")
            if file.deletingLastPathComponent().lastPathComponent == "binlogs" {
                XCTAssertEqual(codes[0], 0, "\(file.lastPathComponent): plain dump")
                for (index, line) in FuzzHarness.commandLines.enumerated() where line[0] == "filter" {
                    XCTAssertEqual(codes[index], 0, "\(file.lastPathComponent): \(line)")
                }
            }
        }
    }

    /// The harness's GTID-set property on texts worth trying: each parses back to itself.
    func testGTIDSetTextsRoundTripInTheHarness() {
        for text in ["3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7:9-20", "3E11FA47-71CA-11E1-9E33-C80AA9429562:tag_1:3-4,3e11fa47-71ca-11e1-9e33-c80aa9429562:1",
                     "0-1-100,1-2-5", "", "garbage", "0-1-18446744073709551615"] {
            Array(text.utf8).withUnsafeBytes { FuzzHarness.checkGTIDSetText($0) }
        }
    }

    /// The JSON files in JSON lines: the row is named (Scripts/make-malformed: the Write_rows at
    /// 217, its row at 248) and the place in the value (worked out in MySQLJSONTests: 701 for the
    /// 101st array; 589, the 5th null of the innermost array, for the bomb, whose 625 bytes may
    /// print 16 × 625 + 1024 bytes); the event is kept with `rows: null`.
    func testJSONLimits() throws {
        for (name, detail) in [
            ("json-too-deep.bin", "at byte 701 of the value: nested deeper than 100 levels (DecodingOptions.maximumJSONDepth)"),
            ("json-dag-bomb.bin", "at byte 589 of the value: its text grows past 11024 bytes (16 times the value's size plus 1 KiB): its values share bytes"),
        ] {
            let file = Self.directory.appendingPathComponent(name)
            let result = try dump(["--format", "jsonl", file.path])
            XCTAssertEqual(result.exitCode, 0, name)
            let message = "\(file.path): at offset 248 in Write_rows event starting at 217, field row image: column 1 holds JSON that cannot be printed, " + detail
            XCTAssertEqual(result.diagnostics, ["warning: " + message])
            let lines = result.output.split(separator: 10)
            XCTAssertEqual(lines.count, 5, name)
            let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lines[3])) as? [String: Any])
            XCTAssertTrue(rows["rows"] is NSNull, name)
            XCTAssertEqual(rows["rows_error"] as? String, message)
        }
    }

    /// The rows of fuzz-float-metadata.bin: the damaged column is named, not read out of bounds.
    func testFuzzFloatMetadataRows() throws {
        let file = Self.directory.appendingPathComponent("fuzz-float-metadata.bin")
        let result = try dump(["--format", "jsonl", file.path])
        XCTAssertEqual(result.exitCode, 1)
        let text = String(decoding: result.output, as: UTF8.self)
        XCTAssertTrue(text.contains("in Write_rows_v1 event starting at 3963, field row image: column 12 (type 5, metadata 10): its size does not follow from the type and metadata"), text)
    }
}
