// `binlog flashback`: the undo of a selection, as SQL and as a binlog; refusals; the spill store.
import Foundation
import XCTest
@testable import BinlogCLI

final class FlashbackTests: XCTestCase {
    private func flashback(_ arguments: [String]) throws -> (code: Int32, output: [UInt8], diagnostics: [String]) {
        useUTC()
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        setenv("TMPDIR", scratch.path, 1)
        defer { unsetenv("TMPDIR") }
        var arguments = arguments
        let toFile = !arguments.contains("-o")
        let output = scratch.appendingPathComponent("undo.out").path
        if toFile { arguments = ["-o", output] + arguments }
        let command = try Flashback.parseAsRoot(arguments) as! Flashback
        var messages: [String] = []
        let code = FlashbackFrontend(options: command.options, files: command.files).run(diagnostics: { messages.append($0) })
        let bytes = toFile ? ((try? Data(contentsOf: URL(fileURLWithPath: output))).map(Array.init) ?? []) : []
        return (code, bytes, messages)
    }

    private func file(_ name: String) -> String { CLIPaths.binlogs.appendingPathComponent(name).path }

    func testSpillStackGivesRecordsBackNewestFirstAcrossTheFile() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // A limit of 100 bytes: nearly every record goes through the temporary file.
        let stack = SpillStack(memoryLimit: 100, directory: scratch.path)
        var pushed: [(UInt8, [UInt8])] = []
        for n in 0..<500 {
            let payload = [UInt8](repeating: UInt8(n % 251), count: (n * 37) % 300)
            try stack.push(kind: UInt8(n % 5 + 1), payload)
            pushed.append((UInt8(n % 5 + 1), payload))
        }
        XCTAssertGreaterThan(stack.spilledBytes, 0)
        // The file is unlinked at once: nothing is left in the directory.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
        for (kind, payload) in pushed.reversed() {
            let record = try XCTUnwrap(try stack.pop())
            XCTAssertEqual(record.kind, kind)
            XCTAssertEqual(record.payload, payload)
        }
        XCTAssertNil(try stack.pop())
    }

    func testStatementsAndDDLAreRefusedUnlessSkipped() throws {
        let refused = try flashback([file("row-crc32.000001")])
        XCTAssertEqual(refused.code, 1)
        XCTAssertTrue(refused.output.isEmpty, "nothing is written when refusing")
        let listing = refused.diagnostics.joined(separator: "\n")
        XCTAssertTrue(listing.contains("events of the selection cannot be undone"), listing)
        XCTAssertTrue(listing.contains("row-crc32.000001 at 554: a statement (CREATE TABLE all_types"), listing)
        XCTAssertTrue(listing.contains("--skip-unsafe"), listing)
        let skipped = try flashback(["--skip-unsafe", "-q", file("row-crc32.000001")])
        XCTAssertEqual(skipped.code, 0, "\(skipped.diagnostics)")
        XCTAssertTrue(String(decoding: skipped.output, as: UTF8.self).contains("START TRANSACTION;"))
    }

    func testMinimalImagesThatCannotBeUndoneAreNamed() throws {
        let result = try flashback([file("row-image-minimal.000001")])
        XCTAssertEqual(result.code, 1)
        let listing = result.diagnostics.joined(separator: "\n")
        XCTAssertTrue(listing.contains("at 7622: a delete from `ddl_dml`.`all_types` whose before image lacks columns"), listing)
        XCTAssertTrue(listing.contains("whose before image lacks columns it changed"), listing)
    }

    /// row-metadata-full's statements (TestData/README.md): the undo of its last row changes, in
    /// reverse order, each transaction whole, WHERE on the primary key the metadata names.
    func testTheUndoOfAKnownWorkloadIsNewestFirst() throws {
        let result = try flashback(["--skip-unsafe", "-q", file("row-metadata-full.000001")])
        XCTAssertEqual(result.code, 0, "\(result.diagnostics)")
        let text = String(decoding: result.output, as: UTF8.self)
        // ddl-dml.sql inserts ids 1–3 and 4–6, updates 4–6 (one statement), updates 1, deletes 6,
        // alters the table and inserts 7: the undo deletes 7 first, puts 6 back, reverses the
        // update of 1, then the one of 6, 5 and 4.
        let delete7 = try XCTUnwrap(text.range(of: "DELETE FROM `ddl_dml`.`all_types` WHERE `id` = 7 LIMIT 1;"))
        let putBack = try XCTUnwrap(text.range(of: "INSERT INTO `ddl_dml`.`all_types` (`id`, `c_tinyint`"))
        let undoUpdateOf1 = try XCTUnwrap(text.range(of: "UPDATE `ddl_dml`.`all_types` SET `id` = 1,"))
        let undoUpdateOf6 = try XCTUnwrap(text.range(of: "`c_varchar` = 'three', `c_varchar_long` = NULL"))
        XCTAssertLessThan(delete7.lowerBound, putBack.lowerBound)
        XCTAssertLessThan(putBack.lowerBound, undoUpdateOf1.lowerBound)
        XCTAssertLessThan(undoUpdateOf1.lowerBound, undoUpdateOf6.lowerBound)
        XCTAssertTrue(text[undoUpdateOf1.lowerBound...].prefix(3000).contains("`c_text` = 'text', "), "the update of 1 set c_text to 'new text'")
        // The update of 4–6 was one statement of three rows: undone in reverse row order, in one transaction.
        let undoUpdateOf4 = try XCTUnwrap(text.range(of: "`c_varchar` = 'one', `c_varchar_long` = NULL"))
        XCTAssertLessThan(undoUpdateOf6.lowerBound, undoUpdateOf4.lowerBound)
        let between = text[undoUpdateOf6.upperBound..<undoUpdateOf4.lowerBound]
        XCTAssertFalse(between.contains("COMMIT"), String(between))
        // Each undo statement restores the before image and finds the row by its after image's key.
        XCTAssertTrue(text.contains("UPDATE `ddl_dml`.`all_types` SET `id` = 6,"))
        XCTAssertTrue(text.contains("DELETE FROM `ddl_dml`.`all_types` WHERE `id` = 1 LIMIT 1;"), "the first insert is undone last")
        XCTAssertTrue(text.hasSuffix("COMMIT;\n"))
    }

    /// --format binlog: every rows event of the input comes back inverted (write ↔ delete, update
    /// images swapped), newest first, rows reversed; read back through jsonl.
    func testBinlogUndoInvertsEveryRowsEvent() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let undo = scratch.appendingPathComponent("undo.bin").path
        var paths = ["row-crc32.000001", "compressed-row.000001", "row-metadata-full.000001", "column-compression.000001"].map(file)
        // A MySQL 8 compressed transaction (zstd): its inner rows event comes back inverted, uncompressed.
        let compressedTransaction = Corpus.root.appendingPathComponent("rust_mysql_common/test-data/binlogs/transaction_compression.000001").path
        if FileManager.default.fileExists(atPath: compressedTransaction) {
            paths.append(compressedTransaction)
        } else {
            print("FlashbackTests: the shared corpus is not at \(Corpus.root.path): MySQL compressed transactions not checked")
        }
        for path in paths {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let result = try flashback(["--format", "binlog", "-o", undo, "--skip-unsafe", "-q", path])
            XCTAssertEqual(result.code, 0, "\(name): \(result.diagnostics)")
            func rowChanges(_ path: String) throws -> [[String: Any]] {
                let dumped = try dump(["--format", "jsonl", path])
                XCTAssertEqual(dumped.exitCode, 0, "\(dumped.diagnostics)")
                return String(decoding: dumped.output, as: UTF8.self).split(separator: "\n").compactMap { line in
                    let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    return object?["rows"] == nil ? nil : object
                }
            }
            let original = try rowChanges(path)
            XCTAssertFalse(original.isEmpty, name)
            let inverted = try rowChanges(undo)
            XCTAssertEqual(original.count, inverted.count, name)
            for (forward, backward) in zip(original, inverted.reversed()) {
                XCTAssertEqual(forward["table"] as? String, backward["table"] as? String)
                let rows = try XCTUnwrap(forward["rows"] as? [[String: Any]])
                let undone = try XCTUnwrap(backward["rows"] as? [[String: Any]])
                XCTAssertEqual(rows.count, undone.count)
                for (row, inverse) in zip(rows, undone.reversed()) {
                    XCTAssertTrue(row["before"] as? NSDictionary == inverse["after"] as? NSDictionary, "\(name): a before image is not the undo's after image")
                    XCTAssertTrue(row["after"] as? NSDictionary == inverse["before"] as? NSDictionary, "\(name): an after image is not the undo's before image")
                }
            }
            // A valid binlog: checksums, positions, transactions.
            let sink = OutputSink()
            let verified = VerifyFrontend(options: try VerifyOptions.parse([]), files: [undo]).run(out: sink, diagnostics: { _ in })
            XCTAssertEqual(verified, 0, "\(name): \(String(decoding: sink.buffer, as: UTF8.self))")
        }
    }

    func testOptionsThatCannotWork() throws {
        let noOutput = try Flashback.parseAsRoot(["--format", "binlog", file("row-crc32.000001")]) as! Flashback
        var messages: [String] = []
        XCTAssertEqual(FlashbackFrontend(options: noOutput.options, files: noOutput.files).run(diagnostics: { messages.append($0) }), 2)
        XCTAssertTrue(messages.joined().contains("-o FILE"), "\(messages)")
    }
}
