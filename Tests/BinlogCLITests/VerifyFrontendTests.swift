// `binlog verify` on clean TestData, on TestData with one planted fault per finding kind, and on the shared corpus.
import Foundation
import XCTest
@testable import BinlogCLI
import MySQLBinlog

final class VerifyFrontendTests: XCTestCase {
    // MARK: Helpers

    struct Finding {
        var severity: String
        var kind: String
        var file: String
        var offset: Int?
        var eventType: String?
        var gtid: String?
        var message: String
    }

    struct Outcome {
        var code: Int32
        var findings: [Finding]
        var summary: [String: Any]
        var files: [[String: Any]]
        var text: String

        var errors: [Finding] { findings.filter { $0.severity == "error" } }
    }

    /// Runs `binlog verify --json ARGS` in-process and parses the JSON document it writes.
    func verify(_ paths: [String], _ extra: [String] = [], tuning: EventScanner.Tuning = EventScanner.Tuning()) throws -> Outcome {
        let sink = OutputSink()
        var diagnostics: [String] = []
        var frontend = VerifyFrontend(options: try VerifyOptions.parse(["--json"] + extra), files: paths)
        frontend.tuning = tuning
        let code = frontend.run(out: sink, diagnostics: { diagnostics.append($0) })
        let text = String(decoding: sink.buffer, as: UTF8.self)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sink.buffer)) as? [String: Any], text)
        let findings = (object["findings"] as? [[String: Any]] ?? []).map { item in
            Finding(severity: item["severity"] as? String ?? "", kind: item["kind"] as? String ?? "",
                    file: item["file"] as? String ?? "", offset: item["offset"] as? Int,
                    eventType: item["event_type"] as? String, gtid: item["gtid"] as? String,
                    message: item["message"] as? String ?? "")
        }
        return Outcome(code: code, findings: findings, summary: object["summary"] as? [String: Any] ?? [:],
                       files: object["files"] as? [[String: Any]] ?? [], text: text)
    }

    /// One event as a plain header walk finds it (independent of the scanner under test).
    struct RawEvent {
        var offset: Int
        var type: UInt8
        var bytes: [UInt8]
    }

    static func walk(_ data: [UInt8]) -> [RawEvent] {
        var events: [RawEvent] = []
        var offset = 4
        while offset + 19 <= data.count {
            let size = Int(data[offset + 9]) | Int(data[offset + 10]) << 8 | Int(data[offset + 11]) << 16 | Int(data[offset + 12]) << 24
            guard size >= 19, offset + size <= data.count else { break }
            events.append(RawEvent(offset: offset, type: data[offset + 4], bytes: Array(data[offset..<(offset + size)])))
            offset += size
        }
        return events
    }

    static func put32(_ value: UInt32, into bytes: inout [UInt8], at index: Int) {
        for i in 0..<4 { bytes[index + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    /// Recomputes the CRC32 in the last 4 bytes (not for a Format_description).
    static func fixChecksum(_ bytes: inout [UInt8]) {
        put32(CRC32.checksum(bytes[0..<(bytes.count - 4)]), into: &bytes, at: bytes.count - 4)
    }

    /// A valid binlog of these events: every log_pos and checksum after the Format_description rewritten.
    static func rebuild(_ events: [[UInt8]]) -> [UInt8] {
        var data: [UInt8] = [0xfe, 0x62, 0x69, 0x6e]
        for var event in events {
            if event[4] != BinlogEventType.formatDescription.rawValue {
                put32(UInt32(data.count + event.count), into: &event, at: 13)
                fixChecksum(&event)
            }
            data += event
        }
        return data
    }

    func source(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: CLIPaths.binlogs.appendingPathComponent(name)))
    }

    func write(_ bytes: [UInt8], _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    // MARK: Clean files

    func testEveryTestDataFileVerifiesWithoutErrors() throws {
        for url in try CLIPaths.allBinlogs() {
            let outcome = try verify([url.path])
            XCTAssertEqual(outcome.code, 0, "\(url.lastPathComponent): \(outcome.text)")
            XCTAssertEqual(outcome.errors.count, 0, "\(url.lastPathComponent): \(outcome.text)")
            let events = VerifyFrontendTests.walk(try source(url.lastPathComponent)).count
            XCTAssertEqual(outcome.files.first?["events"] as? Int, events, url.lastPathComponent)
            XCTAssertEqual(outcome.files.first?["checksum"] as? String, url.lastPathComponent.contains("none") ? "none" : "crc32")
        }
    }

    func testSequencesVerifyCleanThroughTheirIndexFiles() throws {
        for index in ["flush-logs.index", "gtid-domains.index"] {
            let outcome = try verify([CLIPaths.binlogs.appendingPathComponent(index).path])
            XCTAssertEqual(outcome.code, 0, outcome.text)
            XCTAssertEqual(outcome.errors.count, 0, outcome.text)
            XCTAssertEqual(outcome.summary["files"] as? Int, 3)
        }
        // gtid-domains sets gtid_seq_no = 100 in domain 2 on purpose: a gap, reported as a warning.
        let domains = try verify([CLIPaths.binlogs.appendingPathComponent("gtid-domains.index").path])
        let gap = try XCTUnwrap(domains.findings.first { $0.kind == "gtid-gap" })
        XCTAssertEqual(gap.severity, "warning")
        XCTAssertEqual(gap.gtid, "2-2-100")
    }

    func testInUseFileIsAWarning() throws {
        let outcome = try verify([CLIPaths.binlogs.appendingPathComponent("in-use.000001").path])
        XCTAssertEqual(outcome.code, 0)
        XCTAssertEqual(outcome.findings.map(\.kind), ["file-in-use"])
        XCTAssertEqual(outcome.findings.first?.offset, 4)
    }

    // MARK: One planted fault per finding kind

    /// Whole-chunk runs, small chunks, and runs checked all by the reading thread or all by the consumer.
    static let tunings: [EventScanner.Tuning] = [
        EventScanner.Tuning(),
        EventScanner.Tuning(chunkSize: 1000, producerShare: 0, adaptive: false),
        EventScanner.Tuning(chunkSize: 1000, producerShare: 100, adaptive: false),
        EventScanner.Tuning(chunkSize: 3000, producerShare: 50, adaptive: false),
        EventScanner.Tuning(chunkSize: 256, depth: 1),
    ]

    func testFlippedBodyByteIsAChecksumMismatchAtThatEvent() throws {
        let clean = try source("row-crc32.000001")
        let events = VerifyFrontendTests.walk(clean)
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // A damaged event early, in the middle and at the end: whichever thread checks its run.
        for target in [events[7], events[events.count / 2], events[events.count - 2]] {
            var data = clean
            data[target.offset + 20] ^= 0x01
            let path = try write(data, "flipped-body.000001", in: scratch)
            for tuning in VerifyFrontendTests.tunings {
                let outcome = try verify([path], tuning: tuning)
                XCTAssertEqual(outcome.code, 1)
                XCTAssertEqual(outcome.errors.count, 1, "\(tuning): \(outcome.text)")
                XCTAssertEqual(outcome.errors.first?.kind, "checksum-mismatch")
                XCTAssertEqual(outcome.errors.first?.offset, target.offset)
                XCTAssertEqual(outcome.errors.first?.eventType, BinlogEventType(rawValue: target.type).name)
                // Every event is still counted: verification went on past the damage.
                XCTAssertEqual(outcome.files.first?["events"] as? Int, events.count)
            }
        }
        for tuning in VerifyFrontendTests.tunings {
            let outcome = try verify([CLIPaths.binlogs.appendingPathComponent("row-crc32.000001").path], tuning: tuning)
            XCTAssertEqual(outcome.findings.count, 0, "\(tuning): \(outcome.text)")
        }
    }

    func testFlippedLengthFieldIsFoundAndReadingGoesOn() throws {
        var data = try source("row-crc32.000001")
        let events = VerifyFrontendTests.walk(data)
        let target = try XCTUnwrap(events.first { $0.type == BinlogEventType.query.rawValue })
        data[target.offset + 9] ^= 0x10
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = try write(data, "flipped-length.000001", in: scratch)
        for tuning in VerifyFrontendTests.tunings {
            let outcome = try verify([path], tuning: tuning)
            XCTAssertEqual(outcome.code, 1)
            XCTAssertEqual(outcome.findings.map(\.kind), ["event-size"], "\(tuning): \(outcome.text)")
            XCTAssertEqual(outcome.errors.first?.offset, target.offset)
            XCTAssertTrue(outcome.errors.first?.message.contains("\(target.bytes.count) bytes") ?? false, outcome.text)
            // log_pos and the checksum gave the real size: every later event is framed and checked.
            XCTAssertEqual(outcome.files.first?["events"] as? Int, events.count)
            XCTAssertEqual(outcome.files.first?["bytes"] as? Int, data.count)
        }
    }

    func testDamagedCompressedRowsAreFoundEvenWithARightChecksum() throws {
        let url = CLIPaths.binlogs.appendingPathComponent("compressed-row.000001")
        var events = VerifyFrontendTests.walk(Array(try Data(contentsOf: url))).map(\.bytes)
        let compressed = Set((166...171).map(UInt8.init))
        let target = try XCTUnwrap(events.firstIndex { compressed.contains($0[4]) })
        // Damage the zlib stream near its end; the checksum is rebuilt so only inflating can tell.
        events[target][events[target].count - 8] ^= 0xff
        let data = VerifyFrontendTests.rebuild(events)
        let offset = VerifyFrontendTests.walk(data)[target].offset
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outcome = try verify([try write(data, "compressed.000001", in: scratch)])
        XCTAssertEqual(outcome.code, 1)
        XCTAssertEqual(outcome.errors.map(\.kind), ["payload"], outcome.text)
        XCTAssertEqual(outcome.errors.first?.offset, offset)
        // The clean file inflates without a finding.
        XCTAssertEqual(try verify([url.path]).findings.count, 0)
    }

    func testTruncatedTailNamesTheLastEvent() throws {
        let data = try source("row-crc32.000001")
        let last = try XCTUnwrap(VerifyFrontendTests.walk(data).last)
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outcome = try verify([try write(Array(data.dropLast(10)), "truncated.000001", in: scratch)])
        XCTAssertEqual(outcome.code, 1)
        XCTAssertEqual(outcome.errors.map(\.kind), ["truncated-event"], outcome.text)
        XCTAssertEqual(outcome.errors.first?.offset, last.offset)
        XCTAssertEqual(outcome.errors.first?.eventType, "Stop")
    }

    func testZeroFilledTailIsToldApartFromTruncation() throws {
        let data = try source("row-crc32.000001")
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = try write(data + [UInt8](repeating: 0, count: 5000), "zero-tail.000001", in: scratch)
        for tuning in VerifyFrontendTests.tunings {
            let outcome = try verify([path], tuning: tuning)
            XCTAssertEqual(outcome.code, 1)
            XCTAssertEqual(outcome.findings.map(\.kind), ["zero-tail"], "\(tuning): \(outcome.text)")
            XCTAssertEqual(outcome.errors.first?.offset, data.count)
            XCTAssertTrue(outcome.errors.first?.message.contains("5000 bytes") ?? false, outcome.text)
        }
        // Zeros, then data again: not a tail, and not silently accepted.
        let garbage = try write(data + [UInt8](repeating: 0, count: 3000) + [1, 2, 3], "zeros-then-data.000001", in: scratch)
        for tuning in VerifyFrontendTests.tunings {
            let outcome = try verify([garbage], tuning: tuning)
            XCTAssertEqual(outcome.findings.map(\.kind), ["unframeable"], "\(tuning): \(outcome.text)")
            XCTAssertEqual(outcome.errors.first?.offset, data.count)
            XCTAssertTrue(outcome.errors.first?.message.contains("data again at \(data.count + 3000)") ?? false, outcome.text)
        }
    }

    func testMissingFormatDescription() throws {
        let data = try source("row-crc32.000001")
        let events = VerifyFrontendTests.walk(data)
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let withoutFDE = [0xfe, 0x62, 0x69, 0x6e] + events.dropFirst().flatMap(\.bytes)
        let outcome = try verify([try write(withoutFDE, "no-fde.000001", in: scratch)])
        XCTAssertEqual(outcome.code, 1)
        let first = try XCTUnwrap(outcome.errors.first)
        XCTAssertEqual(first.kind, "first-event")
        XCTAssertEqual(first.offset, 4)
        XCTAssertEqual(first.eventType, "Gtid_list")
    }

    /// The events of row-crc32.000001 grouped: the prefix before the first transactional GTID,
    /// then each GTID with the events up to the next GTID.
    func transactions() throws -> (prefix: [[UInt8]], groups: [[[UInt8]]]) {
        let events = VerifyFrontendTests.walk(try source("row-crc32.000001"))
        var prefix: [[UInt8]] = []
        var groups: [[[UInt8]]] = []
        for event in events {
            if event.type == BinlogEventType.mariaDBGTID.rawValue {
                groups.append([event.bytes])
            } else if groups.isEmpty {
                prefix.append(event.bytes)
            } else {
                groups[groups.count - 1].append(event.bytes)
            }
        }
        return (prefix, groups)
    }

    func testGTIDGapWhenATransactionIsMissing() throws {
        let (prefix, groups) = try transactions()
        // Drop the transaction of GTID 0-1-4 (the fourth group); log_pos and checksums are rebuilt.
        let kept = prefix + groups.enumerated().filter { $0.offset != 3 }.flatMap(\.element)
        let data = VerifyFrontendTests.rebuild(kept)
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outcome = try verify([try write(data, "gap.000001", in: scratch)])
        XCTAssertEqual(outcome.errors.count, 0, outcome.text)
        XCTAssertEqual(outcome.findings.map(\.kind), ["gtid-gap"], outcome.text)
        let gap = outcome.findings[0]
        XCTAssertEqual(gap.gtid, "0-1-5")
        XCTAssertEqual(gap.severity, "warning")
        XCTAssertEqual(gap.offset, prefix.joined().count + groups[0..<3].joined().joined().count + 4)
        XCTAssertTrue(gap.message.contains("4 is missing"), gap.message)
    }

    func testDuplicateGTIDWhenATransactionIsLoggedTwice() throws {
        let (prefix, groups) = try transactions()
        let doubled = prefix + groups[0..<4].joined() + groups[3] + groups[4...].joined()
        let data = VerifyFrontendTests.rebuild(Array(doubled))
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outcome = try verify([try write(data, "duplicate.000001", in: scratch)])
        XCTAssertEqual(outcome.code, 1)
        XCTAssertEqual(outcome.errors.map(\.kind), ["gtid-duplicate"], outcome.text)
        XCTAssertEqual(outcome.errors[0].gtid, "0-1-4")
        XCTAssertEqual(outcome.errors[0].offset, 4 + prefix.joined().count + groups[0..<4].joined().joined().count)
    }

    func testOpenTransactionAtTheEnd() throws {
        let (prefix, groups) = try transactions()
        // GTID 0-1-3 (third group: GTID, Annotate_rows, Table_map, Write_rows, Xid) without its Xid.
        let cut = prefix + groups[0..<2].joined() + groups[2].dropLast()
        let data = VerifyFrontendTests.rebuild(Array(cut))
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outcome = try verify([try write(data, "open.000001", in: scratch)])
        XCTAssertEqual(outcome.code, 1)
        XCTAssertEqual(outcome.errors.map(\.kind), ["open-transaction"], outcome.text)
        XCTAssertEqual(outcome.errors[0].gtid, "0-1-3")
        XCTAssertEqual(outcome.errors[0].offset, 4 + prefix.joined().count + groups[0..<2].joined().joined().count)
    }

    func testUnclosedTransactionBeforeTheNextOne() throws {
        let (prefix, groups) = try transactions()
        let cut = prefix + groups[0..<2].joined() + groups[2].dropLast() + groups[3...].joined()
        let data = VerifyFrontendTests.rebuild(Array(cut))
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outcome = try verify([try write(data, "unclosed.000001", in: scratch)])
        XCTAssertEqual(outcome.errors.map(\.kind), ["unclosed-transaction"], outcome.text)
        XCTAssertEqual(outcome.errors[0].gtid, "0-1-3")
    }

    func testMissingMiddleFile() throws {
        let first = CLIPaths.binlogs.appendingPathComponent("flush-logs.000001").path
        let third = CLIPaths.binlogs.appendingPathComponent("flush-logs.000003").path
        let rotate = try XCTUnwrap(VerifyFrontendTests.walk(try source("flush-logs.000001")).last)
        XCTAssertEqual(rotate.type, BinlogEventType.rotate.rawValue)
        let outcome = try verify([first, third])
        XCTAssertEqual(outcome.code, 1)
        let missing = try XCTUnwrap(outcome.errors.first { $0.kind == "missing-file" }, outcome.text)
        XCTAssertEqual(missing.file, first)
        XCTAssertEqual(missing.offset, rotate.offset)
        XCTAssertTrue(missing.message.contains("missing mysql-bin.000002"), missing.message)
        // The third file's Gtid_list says so too: the GTIDs of the second file are not there.
        XCTAssertEqual(outcome.errors.first { $0.kind == "gtid-list-mismatch" }?.file, third)
    }

    func testRotateNamingAnotherFile() throws {
        var data = try source("flush-logs.000001")
        let rotate = try XCTUnwrap(VerifyFrontendTests.walk(data).last)
        var event = rotate.bytes
        // "mysql-bin.000002" → "mysql-bin.000001": same length, the checksum rebuilt.
        let name = Array("mysql-bin.000002".utf8)
        let at = try XCTUnwrap((0...(event.count - name.count)).first { Array(event[$0..<($0 + name.count)]) == name })
        event[at + name.count - 1] = UInt8(ascii: "1")
        VerifyFrontendTests.fixChecksum(&event)
        data.replaceSubrange(rotate.offset..<(rotate.offset + event.count), with: event)
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let renamed = try write(data, "flush-logs.000001", in: scratch)
        let outcome = try verify([renamed, CLIPaths.binlogs.appendingPathComponent("flush-logs.000002").path])
        XCTAssertEqual(outcome.code, 1)
        XCTAssertEqual(outcome.errors.map(\.kind), ["rotate-mismatch"], outcome.text)
        XCTAssertEqual(outcome.errors[0].offset, rotate.offset)
        XCTAssertEqual(outcome.errors[0].file, renamed)
    }

    func testNotABinlogAndUnreadableFilesExitTwoAndTheOthersAreStillChecked() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let text = try write(Array("hello, world\n".utf8), "notes.txt", in: scratch)
        let good = CLIPaths.binlogs.appendingPathComponent("rand.000001").path
        let outcome = try verify([text, scratch.appendingPathComponent("absent.000001").path, good])
        XCTAssertEqual(outcome.code, 2)
        XCTAssertEqual(outcome.findings.map(\.kind), ["not-a-binlog", "unreadable"], outcome.text)
        XCTAssertGreaterThan(outcome.files.last?["events"] as? Int ?? 0, 0)
    }

    func testAGTIDListAtTheLargestSequenceNumberDoesNotOverflow() throws {
        // The Gtid_list of flush-logs.000002 with its sequence number set to 2^64 - 1.
        var events = VerifyFrontendTests.walk(try source("flush-logs.000002")).map(\.bytes)
        let list = try XCTUnwrap(events.firstIndex { $0[4] == BinlogEventType.gtidList.rawValue })
        XCTAssertGreaterThanOrEqual(events[list].count, 19 + 4 + 16 + 4)
        for i in 0..<8 { events[list][19 + 4 + 8 + i] = 0xff }
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outcome = try verify([try write(VerifyFrontendTests.rebuild(events), "flush-logs.000002", in: scratch)])
        XCTAssertTrue(outcome.findings.contains { $0.kind == "gtid-out-of-order" }, outcome.text)
    }

    func testHugeFileNumbersAreNotTakenAsNumbers() throws {
        let data = try source("rand.000001")
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let first = try write(data, "a.9223372036854775807", in: scratch)
        let second = try write(data, "a.000002", in: scratch)
        let outcome = try verify([first, second])
        XCTAssertEqual(outcome.findings.filter { $0.kind == "missing-file" || $0.kind == "rotate-mismatch" }.count, 0, outcome.text)
    }

    func testTimestampGoingBackIsInfoPastTheTolerance() throws {
        let (prefix, groups) = try transactions()
        var moved = groups
        // Set the GTID 0-1-5 transaction's events an hour back.
        for i in moved[4].indices {
            let time = UInt32(moved[4][i][0]) | UInt32(moved[4][i][1]) << 8 | UInt32(moved[4][i][2]) << 16 | UInt32(moved[4][i][3]) << 24
            VerifyFrontendTests.put32(time - 3600, into: &moved[4][i], at: 0)
        }
        let data = VerifyFrontendTests.rebuild(prefix + moved.joined())
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = try write(data, "clock.000001", in: scratch)
        let outcome = try verify([path])
        XCTAssertEqual(outcome.code, 0)
        XCTAssertEqual(outcome.findings.map(\.kind), ["timestamp-backwards"], outcome.text)
        XCTAssertEqual(outcome.findings[0].severity, "info")
        XCTAssertEqual(outcome.findings[0].offset, 4 + prefix.joined().count + groups[0..<4].joined().joined().count)
        XCTAssertEqual(try verify([path], ["--backwards-tolerance", "4000"]).findings.count, 0)
    }

    func testTextReportHasOneLinePerFindingThenTheSummary() throws {
        var data = try source("rand.000001")
        let target = try XCTUnwrap(VerifyFrontendTests.walk(data).last)
        data[target.offset + 20] ^= 0xff
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = try write(data, "rand.000001", in: scratch)
        let sink = OutputSink()
        let code = VerifyFrontend(options: try VerifyOptions.parse([]), files: [path]).run(out: sink, diagnostics: { _ in })
        let lines = String(decoding: sink.buffer, as: UTF8.self).split(separator: "\n").map(String.init)
        XCTAssertEqual(code, 1)
        XCTAssertEqual(lines.count, 3, lines.joined(separator: "\n"))
        XCTAssertTrue(lines[0].hasPrefix("\(path): \(target.offset): Stop: error: checksum-mismatch: the stored CRC32 is 0x"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("\(path): \(VerifyFrontendTests.walk(data).count) events, \(data.count) bytes, checksums: crc32"), lines[1])
        XCTAssertEqual(lines[2], "total: 1 file, \(VerifyFrontendTests.walk(data).count) events, \(data.count) bytes: 1 error, 0 warnings, 0 info (FAILED)")
    }

    // MARK: The shared corpus

    func testPreviousGTIDsAgainstTheFileBefore() throws {
        let directory = CLIPaths.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/mysql-server-8.0.40/mysql-test/std_data")
        let first = directory.appendingPathComponent("replicated-bin.000001")
        let second = directory.appendingPathComponent("replicated-bin.000002")
        guard FileManager.default.fileExists(atPath: first.path) else {
            throw XCTSkip("the shared corpus is not at \(directory.path): MySQL Previous_gtids not checked")
        }
        // As the server wrote them: the second file's Previous_gtids (1-5) is the first's GTIDs.
        let clean = try verify([first.path, second.path])
        XCTAssertEqual(clean.code, 0, clean.text)
        XCTAssertEqual(clean.findings.count, 0, clean.text)
        // Without the transaction of GTID :4 the first file no longer adds up to it.
        var groups: [[[UInt8]]] = [[]]
        for event in VerifyFrontendTests.walk(Array(try Data(contentsOf: first))) {
            if event.type == BinlogEventType.gtid.rawValue { groups.append([]) }
            groups[groups.count - 1].append(event.bytes)
        }
        XCTAssertEqual(groups.count, 6)
        let data = VerifyFrontendTests.rebuild(groups.enumerated().filter { $0.offset != 4 }.flatMap(\.element))
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outcome = try verify([try write(data, "replicated-bin.000001", in: scratch), second.path])
        XCTAssertEqual(outcome.code, 1)
        XCTAssertEqual(outcome.findings.map(\.kind), ["gtid-gap", "previous-gtids-mismatch"], outcome.text)
        XCTAssertEqual(outcome.errors[0].file, second.path)
        XCTAssertTrue(outcome.errors[0].message.contains("2d6e8214-9918-11ec-ac13-0010e0dc39c0:4"), outcome.errors[0].message)
    }

    func testCorpusFilesFailOnlyWhereExpected() throws {
        let corpus = Corpus.root
        guard Corpus.isPresent else {
            throw XCTSkip("the shared corpus is not at \(corpus.path) (../shared/corpus from the package root): MySQL binlogs not verified")
        }
        let listed = try Corpus.expectedFailures()
        // The MySQL 5.2.2 development-tree file (its types 20–22 are not rows events) and the
        // crash-recovery fixtures, whose MANIFEST entries describe them as orphan, duplicate or
        // malformed transactions: there verify must find exactly that kind of thing.
        let transactionFixtures = "mysql-server-8.0.40/mysql-test/std_data/binlog_recovery/"
        let allowedThere: Set<String> = ["checksum-mismatch", "unclosed-transaction", "open-transaction", "orphan-end"]
        var checked = 0
        for (relative, url) in try Corpus.binlogCandidates() {
            checked += 1
            let outcome = try verify([url.path])
            if listed.contains(relative) || relative.hasSuffix("ver_5_1-wl2325_s.001") {
                XCTAssertNotEqual(outcome.code, 0, "\(relative) verified clean")
                XCTAssertTrue(outcome.errors.contains { $0.offset != nil && $0.file == url.path }, "\(relative): \(outcome.text)")
            } else if relative.hasPrefix(transactionFixtures) {
                XCTAssertTrue(outcome.errors.allSatisfy { allowedThere.contains($0.kind) }, "\(relative): \(outcome.text)")
            } else {
                XCTAssertEqual(outcome.code, 0, "\(relative): \(outcome.text)")
            }
        }
        XCTAssertGreaterThan(checked, 100)
        // What the recovery fixtures are named for is found.
        for (file, kind) in [("orphan_begin_start.000001", "unclosed-transaction"), ("ddl_in_transaction.000001", "unclosed-transaction"),
                             ("orphan_xa_commit.000001", "unclosed-transaction"), ("duplicate_xid.000001", "checksum-mismatch")] {
            let outcome = try verify([corpus.appendingPathComponent(transactionFixtures + file).path])
            XCTAssertTrue(outcome.errors.contains { $0.kind == kind }, "\(file): \(outcome.text)")
        }
    }

    // MARK: The range (--start-/--stop-position, --start-/--stop-datetime)

    /// row-crc32.000001 with the events from 5765 on (the transaction 0-1-4 and after) written 100
    /// seconds later, checksums made right, and then the Table_map at 6129 (inside 0-1-4, which
    /// runs from its GTID at 5765 to its Xid ending at 6482) damaged: one checksum mismatch.
    private func damagedCopy(in scratch: URL) throws -> (path: String, time: UInt32) {
        var bytes = Array(try Data(contentsOf: CLIPaths.binlogs.appendingPathComponent("row-crc32.000001")))
        let events = Self.walk(bytes)
        let time = UInt32(bytes[events[0].offset]) | UInt32(bytes[events[0].offset + 1]) << 8 | UInt32(bytes[events[0].offset + 2]) << 16 | UInt32(bytes[events[0].offset + 3]) << 24
        for event in events where event.offset >= 5765 {
            Self.put32(time + 100, into: &bytes, at: event.offset)
            let end = event.offset + event.bytes.count
            Self.put32(CRC32.checksum(bytes[event.offset..<(end - 4)]), into: &bytes, at: end - 4)
        }
        XCTAssertTrue(events.contains { $0.offset == 6129 && $0.type == 19 })
        bytes[6129 + 40] ^= 0x01
        let path = scratch.appendingPathComponent("row-crc32-damaged.000001").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, time)
    }

    func testTheRangeLimitsWhatIsReported() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (path, time) = try damagedCopy(in: scratch)
        let whole = try verify([path])
        XCTAssertEqual(whole.code, 1)
        XCTAssertEqual(whole.errors.map(\.kind), ["checksum-mismatch"])
        XCTAssertEqual(whole.errors.first?.offset, 6129)

        // Before the damaged transaction: nothing to report, and reading ends at the stop.
        let before = try verify([path], ["--stop-position", "5765"])
        XCTAssertEqual(before.code, 0, before.text)
        XCTAssertTrue(before.findings.isEmpty, before.text)
        XCTAssertEqual(before.files.first?["bytes"] as? Int, 5765)
        // A stop after the damaged event, inside its transaction: it is reported.
        XCTAssertEqual(try verify([path], ["--stop-position", "6293"]).errors.map(\.offset), [6129])
        // A start after the transaction.
        let after = try verify([path], ["--start-position", "6482"])
        XCTAssertEqual(after.code, 0, after.text)
        XCTAssertTrue(after.findings.isEmpty, after.text)
        // A start inside the transaction, after the damaged event: with transaction boundaries the
        // range starts at the transaction's GTID (5765), as dump's does; without, at the event.
        XCTAssertEqual(try verify([path], ["--start-position", "6293"]).errors.map(\.offset), [6129])
        let eventLevel = try verify([path], ["--start-position", "6293", "--no-transaction-boundaries"])
        XCTAssertEqual(eventLevel.code, 0, eventLevel.text)

        // Datetimes: the events from 5765 on are 100 s later than the others.
        func datetime(_ seconds: UInt32) -> String {
            var t = time_t(seconds)
            var parts = tm()
            gmtime_r(&t, &parts)
            return String(format: "%04d-%02d-%02d %02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
        }
        let stopped = try verify([path], ["--timezone", "UTC", "--stop-datetime", datetime(time + 50)])
        XCTAssertEqual(stopped.code, 0, stopped.text)
        XCTAssertEqual(stopped.files.first?["bytes"] as? Int, 5765)
        XCTAssertEqual(try verify([path], ["--timezone", "UTC", "--start-datetime", datetime(time + 50)]).errors.map(\.offset), [6129])
        XCTAssertEqual(try verify([path], ["--timezone", "UTC", "--stop-datetime", datetime(time + 200)]).errors.map(\.offset), [6129])
    }

    func testRangeErrorsAndRefusedSelections() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (path, _) = try damagedCopy(in: scratch)
        func run(_ arguments: [String]) throws -> (code: Int32, text: String, diagnostics: [String]) {
            let sink = OutputSink()
            var diagnostics: [String] = []
            let code = VerifyFrontend(options: try VerifyOptions.parse(arguments), files: [path]).run(out: sink, diagnostics: { diagnostics.append($0) })
            return (code, String(decoding: sink.buffer, as: UTF8.self), diagnostics)
        }
        let inside = try run(["--start-position", "6300"])
        XCTAssertEqual(inside.code, 2)
        XCTAssertEqual(inside.diagnostics, ["\(path): --start-position 6300 is not an event boundary: the nearest are 6293 and 6451"])
        XCTAssertEqual(inside.text, "", "nothing is written before the start is known")
        for arguments in [["-d", "db"], ["--include-gtids", "0-1-3"], ["--server-id", "1"], ["--do-table", "a.b"], ["--rewrite-db", "a->b"]] {
            let refused = try run(arguments)
            XCTAssertEqual(refused.code, 2, "\(arguments)")
            XCTAssertTrue(refused.diagnostics.first?.hasPrefix("verify takes a range (--start-position, --stop-position, --start-datetime, --stop-datetime), not ") ?? false, "\(refused.diagnostics)")
        }
        let unreached = try run(["--stop-position", "99999999"])
        XCTAssertEqual(unreached.code, 1)
        XCTAssertEqual(unreached.diagnostics, ["warning: did not reach stop position 99999999 before the end of the input"])
        XCTAssertEqual(try run(["--stop-datetime", "2030-02-30 00:00:00"]).code, 2, "an impossible datetime")
    }

}
