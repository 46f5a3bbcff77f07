// `binlog dump` against mariadb-binlog: the stored oracle outputs, and the live tool when installed.
import Foundation
import XCTest
@testable import BinlogCLI

final class DumpOracleTests: XCTestCase {
    /// Every TestData file against the output mariadb-binlog 10.11 gave for it (stored by make-testdata).
    func testEveryFileMatchesTheStoredMariaDBBinlogOutput() throws {
        try compareWithStoredOutputs(options: [], suffix: "")
    }

    /// `-vv` against `mariadb-binlog -vv`: the `###` lines of every row, with column types.
    func testEveryFileMatchesTheStoredMariaDBBinlogVVOutput() throws {
        try compareWithStoredOutputs(options: ["-vv"], suffix: "-vv")
    }

    /// `-vv --print-table-metadata` against the stored outputs of the binlog_row_metadata workloads.
    func testTableMetadataMatchesTheStoredMariaDBBinlogOutput() throws {
        try compareWithStoredOutputs(options: ["-vv", "--print-table-metadata"], suffix: "-vv-table-metadata", onlyWhereStored: true)
    }

    private func compareWithStoredOutputs(options: [String], suffix: String, onlyWhereStored: Bool = false) throws {
        var compared = 0
        defer { XCTAssertGreaterThan(compared, onlyWhereStored ? 2 : 20) }
        for url in try CLIPaths.allBinlogs() {
            if onlyWhereStored,
               !FileManager.default.fileExists(atPath: CLIPaths.expected.appendingPathComponent("\(url.lastPathComponent).mariadb-binlog\(suffix).txt").path) {
                continue
            }
            compared += 1
            let name = url.lastPathComponent
            let scratch = try makeScratchDirectory()
            defer { try? FileManager.default.removeItem(at: scratch) }
            let result = try dump(options + [url.path], tmpdir: scratch)
            XCTAssertEqual(result.exitCode, 0, "\(name): \(result.diagnostics)")
            // LOAD DATA files are named in TMPDIR; the oracle was normalised to /tmp/.
            let output = replacing(result.output, Array((scratch.path + "/").utf8), with: Array("/tmp/".utf8))
            let text = CLIPaths.expected.appendingPathComponent("\(name).mariadb-binlog\(suffix).txt")
            let digest = CLIPaths.expected.appendingPathComponent("\(name).mariadb-binlog\(suffix).txt.sha256")
            if FileManager.default.fileExists(atPath: text.path) {
                let expected = Array(try Data(contentsOf: text))
                XCTAssertTrue(output == expected, "\(name) differs from mariadb-binlog: \(firstDifference(expected, output))")
            } else if FileManager.default.fileExists(atPath: digest.path) {
                let expected = String(decoding: try Data(contentsOf: digest), as: UTF8.self).prefix(64)
                XCTAssertEqual(try sha256(output), String(expected), "\(name) differs from mariadb-binlog")
            } else {
                XCTFail("\(name) has no stored oracle output")
            }
        }
    }

    /// The same comparison with the installed mariadb-binlog, over single files, file sets and options.
    func testLiveMariaDBBinlogGivesTheSameBytes() throws {
        guard let tool = CLIPaths.which("mariadb-binlog") else {
            throw XCTSkip("mariadb-binlog is not installed (Debian package mariadb-client); .ci/run installs it")
        }
        let b = CLIPaths.binlogs.path
        var cases: [[String]] = []
        for url in try CLIPaths.allBinlogs() where !url.lastPathComponent.hasPrefix("big-row") {
            cases.append([url.path])
        }
        cases += [
            ["\(b)/flush-logs.000001", "\(b)/flush-logs.000002", "\(b)/flush-logs.000003"],
            ["\(b)/gtid-domains.000001", "\(b)/gtid-domains.000002", "\(b)/gtid-domains.000003"],
            ["--short-form", "\(b)/row-crc32.000001"],
            ["-s", "\(b)/load-data.000001"],
            ["--hexdump", "\(b)/row-crc32.000001"],
            ["-H", "\(b)/compressed-row.000001"],
            ["-H", "\(b)/user-vars.000001"],
            ["--base64-output=decode-rows", "\(b)/row-crc32.000001"],
            ["--base64-output=never", "\(b)/mixed-crc32.000001"],
            ["-D", "\(b)/xa-row.000001"],
            ["--start-position=5807", "\(b)/row-crc32.000001"],
            ["--start-position=5807", "--base64-output=decode-rows", "\(b)/row-crc32.000001"],
            ["--stop-position=5807", "\(b)/row-crc32.000001"],
            ["--stop-position=700", "\(b)/flush-logs.000001", "\(b)/flush-logs.000002"],
            ["--start-position=370", "\(b)/flush-logs.000001", "\(b)/flush-logs.000002"],
            ["-v", "\(b)/row-crc32.000001"],
            ["-v", "\(b)/non-ascii-row.000001"],
            ["-vv", "\(b)/row-image-minimal.000001"],
            ["-vvv", "\(b)/row-metadata-full.000001"],
            ["-vv", "\(b)/compressed-row.000001"],
            ["--base64-output=decode-rows", "-vv", "\(b)/row-crc32.000001"],
            ["--base64-output=decode-rows", "-v", "\(b)/row-image-noblob.000001"],
            ["--start-position=5807", "-v", "\(b)/row-crc32.000001"],
            ["--start-position=6293", "-v", "\(b)/row-crc32.000001"],
            ["--verbose", "--short-form", "\(b)/row-crc32.000001"],
            ["-vv", "\(b)/xa-row.000001"],
            ["-vv", "\(b)/temp-tables-mixed.000001"],
            ["--start-datetime=2030-01-01 01:00:00", "\(b)/timestamps.000001"],
            ["--stop-datetime=2030-01-01 02:30:00", "\(b)/timestamps.000001"],
            ["--start-datetime=2030-01-01 00:30:00", "--stop-datetime=2030-01-01 04:00:00", "\(b)/timestamps.000001"],
            ["--start-datetime=2030-01-01 04:30:00", "\(b)/timestamps.000001"],
            ["--start-datetime=2030-01-01 02:00:00", "--base64-output=decode-rows", "-v", "\(b)/timestamps.000001"],
            ["--server-id=2", "\(b)/timestamps.000001"],
            ["--server-id=1", "--start-datetime=2030-01-01 02:00:00", "\(b)/timestamps.000001"],
            ["--server-id=2", "\(b)/gtid-domains.000001", "\(b)/gtid-domains.000002", "\(b)/gtid-domains.000003"],
            ["-d", "ddl_dml", "\(b)/row-crc32.000001"],
            ["-d", "ddl_dml", "\(b)/stmt-crc32.000001"],
            ["--database=scratch", "\(b)/mixed-crc32.000001"],
            ["-d", "nosuch", "\(b)/row-crc32.000001"],
            ["-d", "xa", "\(b)/xa-row.000001"],
            ["-d", "xa", "\(b)/xa-stmt.000001"],
            ["-d", "times", "-vv", "\(b)/timestamps.000001"],
            ["-d", "load_data", "\(b)/load-data.000001"],
            ["-d", "café", "\(b)/non-ascii-row.000001"],
            ["-d", "temp_tables", "\(b)/temp-tables-mixed.000001"],
            ["-d", "flush_logs", "\(b)/flush-logs.000001", "\(b)/flush-logs.000002", "\(b)/flush-logs.000003"],
            ["-d", "ddl_dml", "--base64-output=decode-rows", "-v", "\(b)/compressed-row.000001"],
            // --rewrite-db: the use line before the header, renamed Table_maps re-encoded (size and
            // name; end position and CRC32 as logged), -d on the names as logged.
            ["--rewrite-db=ddl_dml->newdb", "-vv", "\(b)/row-crc32.000001"],
            ["--rewrite-db=ddl_dml->newdb", "-d", "newdb", "\(b)/row-crc32.000001"],
            ["--rewrite-db=ddl_dml->newdb", "-d", "ddl_dml", "\(b)/stmt-crc32.000001"],
            ["--rewrite-db=ddl_dml->newdb", "--rewrite-db=scratch->s2", "-v", "\(b)/mixed-crc32.000001"],
            ["--rewrite-db=ddl_dml->newdb", "--hexdump", "\(b)/compressed-row.000001"],
            ["--rewrite-db=ddl_dml -> newdb", "\(b)/compressed-stmt.000001"],
            ["--rewrite-db=load_data->ld2", "\(b)/load-data.000001"],
            ["--rewrite-db=flush_logs->f", "\(b)/flush-logs.000001", "\(b)/flush-logs.000002", "\(b)/flush-logs.000003"],
            ["--print-table-metadata", "\(b)/row-crc32.000001"],
            ["--print-table-metadata", "\(b)/row-metadata-minimal.000001"],
            ["--print-table-metadata", "-s", "\(b)/row-metadata-full.000001"],
            ["--print-table-metadata", "--base64-output=decode-rows", "\(b)/non-ascii-row.000001"],
        ]
        for arguments in cases {
            let ourScratch = try makeScratchDirectory()
            let theirScratch = try makeScratchDirectory()
            defer {
                try? FileManager.default.removeItem(at: ourScratch)
                try? FileManager.default.removeItem(at: theirScratch)
            }
            // mariadb-binlog cuts at events; so do we with --no-transaction-boundaries (the cases
            // that move to transaction boundaries are TransactionCutsTests').
            let cuts = arguments.contains { ["--start-position", "--stop-position", "--start-datetime", "--stop-datetime"].contains($0.split(separator: "=").first.map(String.init) ?? "") }
            let ours = try dump((cuts ? ["--no-transaction-boundaries"] : []) + arguments, tmpdir: ourScratch)
            let theirs = try runProcess(tool, ["--no-defaults"] + arguments, environment: ["TZ": "UTC", "TMPDIR": theirScratch.path])
            XCTAssertEqual(theirs.status, 0, "mariadb-binlog \(arguments): \(theirs.error)")
            XCTAssertEqual(ours.exitCode, 0, "\(arguments): \(ours.diagnostics)")
            let normalised = replacing(ours.output, Array(ourScratch.path.utf8), with: Array(theirScratch.path.utf8))
            XCTAssertTrue(normalised == theirs.output, "\(arguments): \(firstDifference(theirs.output, normalised))")
        }
    }

    /// --exclude-gtids / --include-gtids with a whole domain (`D-0-<max>`) print the events of
    /// the same transactions as mariadb-binlog --ignore-domain-ids / --do-domain-ids, compared by
    /// their `# at` positions. The events between transactions (Binlog_checkpoint, Rotate, Stop,
    /// Gtid_list, Format_description) are left out of the comparison: we never filter them,
    /// mariadb-binlog hides those that follow a hidden transaction.
    func testGTIDSelectionKeepsTheTransactionsMariaDBBinlogDomainFiltersKeep() throws {
        guard let tool = CLIPaths.which("mariadb-binlog") else {
            throw XCTSkip("mariadb-binlog is not installed (Debian package mariadb-client); .ci/run installs it")
        }
        let files = ["gtid-domains.000001", "gtid-domains.000002", "gtid-domains.000003"].map { CLIPaths.binlogs.appendingPathComponent($0).path }
        func transactionPositions(_ output: [UInt8]) -> [String] {
            let lines = String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
            var positions: [String] = []
            for (index, line) in lines.enumerated() where line.hasPrefix("# at ") {
                let header = index + 1 < lines.count ? lines[index + 1] : ""
                let between = ["\tRotate to ", "\tBinlog checkpoint ", "\tStop", "\tGtid list ", "\tStart: binlog"].contains { header.contains($0) }
                if !between { positions.append(String(line.dropFirst(5))) }
            }
            return positions
        }
        for (ours, theirs) in [("--exclude-gtids=2-0-18446744073709551615", "--ignore-domain-ids=2"),
                               ("--include-gtids=2-0-18446744073709551615", "--do-domain-ids=2"),
                               ("--exclude-gtids=0-0-18446744073709551615,3-0-18446744073709551615", "--ignore-domain-ids=0,3")] {
            let mine = try dump([ours] + files)
            XCTAssertEqual(mine.exitCode, 0, "\(mine.diagnostics)")
            let reference = try runProcess(tool, ["--no-defaults", theirs] + files, environment: ["TZ": "UTC"])
            XCTAssertEqual(reference.status, 0, reference.error)
            let expected = transactionPositions(reference.output)
            XCTAssertFalse(expected.isEmpty)
            XCTAssertEqual(transactionPositions(mine.output), expected, ours)
        }
        // Excluding domain 2 up to 2-2-2 only drops its first two transactions.
        let partial = String(decoding: try dump(["--exclude-gtids", "2-2-2"] + files).output, as: UTF8.self)
        XCTAssertFalse(partial.contains("GTID 2-1-1 "))
        XCTAssertFalse(partial.contains("GTID 2-2-2 "))
        XCTAssertTrue(partial.contains("GTID 2-2-100 "))
        XCTAssertEqual(try dump(["--include-gtids", "2-2"] + files).exitCode, 2)
    }

    func testNotABinlogExitsTwoNamingTheFileAndBytes() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("notes.txt")
        try Data("hello\n".utf8).write(to: file)
        let result = try dump([file.path])
        XCTAssertEqual(result.exitCode, 2)
        XCTAssertEqual(result.diagnostics, ["\(file.path): not a binlog file (found bytes 68 65 6c 6c, expected fe 62 69 6e)"])
    }

    func testCorruptEventStopsWithFileOffsetAndEvent() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var bytes = Array(try Data(contentsOf: CLIPaths.binlogs.appendingPathComponent("stmt-crc32.000001")))
        bytes[600] ^= 0xff
        let file = scratch.appendingPathComponent("corrupt.000001")
        try Data(bytes).write(to: file)
        let result = try dump([file.path])
        XCTAssertEqual(result.exitCode, 1)
        let message = result.diagnostics.joined()
        XCTAssertTrue(message.hasPrefix("\(file.path): at offset "), message)
        XCTAssertTrue(message.contains("checksum mismatch"), message)
        // Everything before the damage was printed; no trailer after it.
        let text = String(decoding: result.output, as: UTF8.self)
        XCTAssertTrue(text.contains("# at 4\n"))
        XCTAssertFalse(text.contains("# End of log file"))
        // With checks off, the same file dumps to its end.
        XCTAssertEqual(try dump(["--no-verify-checksum", file.path]).exitCode, 0)
    }

    func testStartPositionInsideAnEventNamesTheBoundaries() throws {
        let result = try dump(["--start-position=5810", CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path])
        XCTAssertEqual(result.exitCode, 2)
        XCTAssertTrue(result.diagnostics.joined().contains("the nearest are 5807 and "), "\(result.diagnostics)")
    }

    func testInUseFileWarnsAndReadsToTheEnd() throws {
        let result = try dump([CLIPaths.binlogs.appendingPathComponent("in-use.000001").path])
        XCTAssertEqual(result.exitCode, 0)
        let text = String(decoding: result.output, as: UTF8.self)
        XCTAssertTrue(text.contains("# Warning: this binlog is either in use or was not closed properly.\n"))
        let refused = try dump(["--no-force-if-open", CLIPaths.binlogs.appendingPathComponent("in-use.000001").path])
        XCTAssertEqual(refused.exitCode, 1)
    }

    func testTruncatedInUseFileEndsWithAWarning() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bytes = Array(try Data(contentsOf: CLIPaths.binlogs.appendingPathComponent("in-use.000001")))
        let file = scratch.appendingPathComponent("cut.000001")
        try Data(bytes.dropLast(10)).write(to: file)
        let result = try dump([file.path])
        XCTAssertEqual(result.exitCode, 0, "\(result.diagnostics)")
        XCTAssertTrue(result.diagnostics.contains { $0.contains("ends inside an event") }, "\(result.diagnostics)")
        XCTAssertTrue(String(decoding: result.output, as: UTF8.self).hasSuffix("/*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=0*/;\n"))
    }

    func testSkipGTIDsDropsOnlyTheGTIDAssignments() throws {
        let file = CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path
        let plain = String(decoding: try dump([file]).output, as: UTF8.self)
        let skipped = String(decoding: try dump(["--skip-gtids", file]).output, as: UTF8.self)
        XCTAssertTrue(plain.contains("SET @@session.gtid_seq_no="))
        XCTAssertFalse(skipped.contains("gtid_seq_no"))
        XCTAssertFalse(skipped.contains("@@session.gtid_domain_id"))
        let starts = { (text: String) in text.components(separatedBy: "START TRANSACTION\n").count }
        XCTAssertEqual(starts(plain), starts(skipped))
        XCTAssertEqual(plain.components(separatedBy: "\n").count - skipped.components(separatedBy: "\n").count,
                       plain.components(separatedBy: "\n").filter { $0.hasPrefix("/*M!100001 SET @@session.") }.count)
    }

    /// A datetime in another zone selects what the same instant in UTC selects (mariadb-binlog
    /// reads datetimes in the local zone only).
    func testTimezoneOptionShiftsTheDatetime() throws {
        let file = CLIPaths.binlogs.appendingPathComponent("timestamps.000001").path
        let inUTC = try dump(["--start-datetime=2030-01-01 01:00:00", "--stop-datetime=2030-01-01 03:00:00", file])
        for arguments in [["--timezone", "+02:00", "--start-datetime=2030-01-01 03:00:00", "--stop-datetime=2030-01-01 05:00:00"],
                          ["--timezone", "Europe/Paris", "--start-datetime=2030-01-01 02:00:00", "--stop-datetime=2030-01-01 04:00"],
                          ["--start-datetime=2030-01-01T02:00:00+01:00", "--stop-datetime=2030-01-01 03:00:00Z"],
                          ["--start-datetime=20300101010000", "--stop-datetime=2030/01/01 03.00.00"]] {
            let result = try dump(arguments + [file])
            XCTAssertEqual(result.exitCode, 0, "\(arguments): \(result.diagnostics)")
            XCTAssertTrue(result.output == inUTC.output, "\(arguments): \(firstDifference(inUTC.output, result.output))")
        }
        XCTAssertTrue(String(decoding: inUTC.output, as: UTF8.self).contains("#300101  2:00:00"))
        XCTAssertFalse(String(decoding: inUTC.output, as: UTF8.self).contains("#300101  3:00:00"))
    }

    func testBadDatetimesAndZonesExitTwo() throws {
        let file = CLIPaths.binlogs.appendingPathComponent("timestamps.000001").path
        for arguments in [["--start-datetime=2024-13-01 00:00:00"], ["--stop-datetime=2024-02-30"], ["--start-datetime=yesterday"],
                          ["--timezone", "Mars/Olympus", "--start-datetime=2030-01-01"], ["--timezone", "+25:00", "--start-datetime=2030-01-01"]] {
            let result = try dump(arguments + [file])
            XCTAssertEqual(result.exitCode, 2, "\(arguments)")
            XCTAssertTrue(result.output.isEmpty)
            XCTAssertFalse(result.diagnostics.isEmpty)
        }
        let notReached = try dump(["--stop-datetime=2031-06-01 00:00:00", file])
        XCTAssertEqual(notReached.exitCode, 0)
        XCTAssertTrue(notReached.diagnostics.contains { $0.contains("did not reach stop datetime '2031-06-01 00:00:00'") }, "\(notReached.diagnostics)")
    }

    /// The session flags mariadb-binlog prints depend on the server version in the
    /// Format_description: the same file under several versions, against the live tool.
    func testSessionFlagsFollowTheServerVersion() throws {
        guard let tool = CLIPaths.which("mariadb-binlog") else {
            throw XCTSkip("mariadb-binlog is not installed (Debian package mariadb-client); .ci/run installs it")
        }
        let original = Array(try Data(contentsOf: CLIPaths.binlogs.appendingPathComponent("stmt-crc32.000001")))
        let size = Int(original[13]) | Int(original[14]) << 8
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        for version in ["5.5.60-MariaDB", "10.3.36-MariaDB-log", "10.5.1-MariaDB", "10.5.2-MariaDB", "10.5.16-MariaDB", "10.5.17-MariaDB",
                        "10.6.8-MariaDB", "10.6.9-MariaDB", "10.7.5-MariaDB", "10.8.3-MariaDB", "10.9.2-MariaDB", "10.10.1-MariaDB", "11.4.2-MariaDB"] {
            var fde = Array(original[4..<(4 + size)])
            let name = Array(version.utf8)
            fde.replaceSubrange((19 + 2)..<(19 + 52), with: name + [UInt8](repeating: 0, count: 50 - name.count))
            VerifyFrontendTests.fixChecksum(&fde)
            let file = scratch.appendingPathComponent("v.000001")
            try Data(Array(original[0..<4]) + fde + Array(original[(4 + size)...])).write(to: file)
            let ours = try dump([file.path])
            let theirs = try runProcess(tool, ["--no-defaults", file.path], environment: ["TZ": "UTC"])
            XCTAssertTrue(ours.output == theirs.output, "\(version): \(firstDifference(theirs.output, ours.output))")
        }
        XCTAssertEqual(MariaDBTextPrinter.sessionFlags(forServer: (10, 4, 99)).count, MariaDBTextPrinter.sessionFlags.count - 2)
        XCTAssertEqual(MariaDBTextPrinter.sessionFlags(forServer: (10, 11, 19)).count, MariaDBTextPrinter.sessionFlags.count)
    }

    /// Found by a mutation fuzz run: one byte of a DECIMAL(65,30) value changed so that a
    /// 9-digit group reads as a 10-digit number. Printing it must not trap.
    func testDamagedDecimalGroupDoesNotTrap() throws {
        var bytes = Array(try Data(contentsOf: CLIPaths.binlogs.appendingPathComponent("row-image-minimal.000001")))
        XCTAssertEqual(bytes[5308], 0x3d)
        bytes[5308] = 0xa0
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("decimal.000001")
        try Data(bytes).write(to: file)
        for options in [["-vv"], ["--format", "jsonl"]] {
            let result = try dump(["--no-verify-checksum"] + options + [file.path])
            XCTAssertEqual(result.exitCode, 0, "\(options): \(result.diagnostics)")
        }
        // With checksums verified, the change is caught first.
        XCTAssertEqual(try dump([file.path]).exitCode, 1)
    }

    /// -d with --format jsonl prints the Query, Table_map and rows events mariadb-binlog -d prints
    /// in full (the others it leaves as a bare `# at` line), compared by position; every other
    /// event is printed.
    func testDatabaseFilterInJSONLinesKeepsWhatMariaDBBinlogKeeps() throws {
        guard let tool = CLIPaths.which("mariadb-binlog") else {
            throw XCTSkip("mariadb-binlog is not installed (Debian package mariadb-client); .ci/run installs it")
        }
        let b = CLIPaths.binlogs.path
        let filtered = ["\tQuery\t", "\tQuery_compressed\t", "\tTable_map: ", "\tWrite_rows", "\tUpdate_rows", "\tDelete_rows",
                        "\tWrite_compressed_rows", "\tUpdate_compressed_rows", "\tDelete_compressed_rows"]
        let jsonTypes: Set<Int> = [2, 165, 19, 23, 24, 25, 30, 31, 32, 166, 167, 168, 169, 170, 171]
        var compared = 0
        for (database, file) in [("ddl_dml", "row-crc32.000001"), ("scratch", "row-crc32.000001"), ("ddl_dml", "stmt-crc32.000001"),
                                 ("scratch", "mixed-crc32.000001"), ("shop", "stats.000001"), ("other", "stats.000001"),
                                 ("ddl_dml", "compressed-row.000001"), ("xa", "xa-row.000001"), ("nosuch", "row-crc32.000001")] {
            let path = "\(b)/\(file)"
            let theirs = try runProcess(tool, ["--no-defaults", "-d", database, path], environment: ["TZ": "UTC"])
            XCTAssertEqual(theirs.status, 0, theirs.error)
            // A run of `# at` lines is followed by the header lines of the last of those events,
            // in order: the events before them were filtered out (a bare `# at`), and an
            // Annotate_rows is printed together with the Table_map after it.
            var expected: [Int] = []
            var run: [Int] = []
            var headers: [String] = []
            func settle() {
                for (position, header) in zip(run.suffix(headers.count), headers) where filtered.contains(where: { header.contains($0) }) {
                    expected.append(position)
                }
                run.removeAll()
                headers.removeAll()
            }
            for line in String(decoding: theirs.output, as: UTF8.self).split(separator: "\n").map(String.init) {
                if line.hasPrefix("# at ") {
                    if !headers.isEmpty { settle() }
                    run.append(Int(line.dropFirst(5))!)
                } else if line.range(of: #"^#[0-9]{6} "#, options: .regularExpression) != nil {
                    headers.append(line)
                }
            }
            settle()
            let ours = try dump(["-d", database, "--format", "jsonl", path])
            XCTAssertEqual(ours.exitCode, 0, "\(ours.diagnostics)")
            var printed: [Int] = []
            var all = 0
            for line in ours.output.split(separator: 10) {
                let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
                all += 1
                if jsonTypes.contains(object["type_code"] as? Int ?? -1) { printed.append(object["position"] as? Int ?? -1) }
            }
            XCTAssertEqual(printed, expected, "-d \(database) \(file)")
            XCTAssertGreaterThan(all, printed.count, "the events outside statements and tables are kept")
            compared += expected.count
        }
        XCTAssertGreaterThan(compared, 50)
    }

    func testIdempotentIsRefusedForMariaDBFiles() throws {
        let result = try dump(["--idempotent", CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path])
        XCTAssertEqual(result.exitCode, 2)
        XCTAssertTrue(result.diagnostics.joined().contains("slave_exec_mode"), "\(result.diagnostics)")
    }

    func testUnknownEventTypeIsPrintedAndReported() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // A real file with one more event of type 200 (no server writes it) before its Stop event.
        var bytes = Array(try Data(contentsOf: CLIPaths.binlogs.appendingPathComponent("rand.000001")))
        let stopSize = 19 + 4
        let stop = Array(bytes.suffix(stopSize))
        bytes.removeLast(stopSize)
        var unknown: [UInt8] = Array(stop.prefix(19)) + [1, 2, 3]
        unknown[4] = 200
        let size = unknown.count + 4
        unknown[9] = UInt8(size); unknown[10] = 0; unknown[11] = 0; unknown[12] = 0
        let end = UInt32(bytes.count + size)
        unknown[13] = UInt8(end & 0xff); unknown[14] = UInt8(end >> 8 & 0xff); unknown[15] = UInt8(end >> 16 & 0xff); unknown[16] = UInt8(end >> 24)
        let offset = bytes.count
        bytes += unknown + [0, 0, 0, 0]
        let file = scratch.appendingPathComponent("unknown.000001")
        try Data(bytes).write(to: file)
        let result = try dump(["--no-verify-checksum", file.path])
        XCTAssertEqual(result.exitCode, 0, "\(result.diagnostics)")
        XCTAssertTrue(String(decoding: result.output, as: UTF8.self).contains("# at \(offset)\n"))
        XCTAssertTrue(result.diagnostics.contains { $0.contains("event at \(offset) has type 200") }, "\(result.diagnostics)")
    }

    private func replacing(_ bytes: [UInt8], _ pattern: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if index + pattern.count <= bytes.count && bytes[index] == pattern[0] && Array(bytes[index..<(index + pattern.count)]) == pattern {
                result += replacement
                index += pattern.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    private func sha256(_ bytes: [UInt8]) throws -> String {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("out")
        try Data(bytes).write(to: file)
        let result = try runProcess(CLIPaths.which("sha256sum") ?? "/usr/bin/sha256sum", [file.path])
        return String(String(decoding: result.output, as: UTF8.self).prefix(64))
    }
}
