// `dump --format jsonl`: valid JSON lines, one per event, and row values that agree with mariadb-binlog -vv.
import Foundation
import XCTest
@testable import BinlogCLI
import MySQLBinlog

final class JSONLinesPrinterTests: XCTestCase {
    /// Every line is a JSON object, one per event in file order, with the documented keys.
    func testEveryTestDataFileGivesOneJSONObjectPerEvent() throws {
        for url in try CLIPaths.allBinlogs() {
            let result = try dump(["--format", "jsonl", url.path])
            XCTAssertEqual(result.exitCode, 0, "\(url.lastPathComponent): \(result.diagnostics)")
            let lines = result.output.split(separator: 10)
            let walked = VerifyFrontendTests.walk(Array(try Data(contentsOf: url)))
            XCTAssertEqual(lines.count, walked.count, url.lastPathComponent)
            for (line, event) in zip(lines, walked) {
                let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                                           String(decoding: line, as: UTF8.self))
                XCTAssertEqual(object["position"] as? Int, event.offset)
                XCTAssertEqual(object["end_position"] as? Int, event.offset + event.bytes.count)
                XCTAssertEqual(object["type_code"] as? Int, Int(event.type))
                XCTAssertEqual(object["file"] as? String, url.path)
                for key in ["type", "timestamp", "server_id", "gtid"] { XCTAssertNotNil(object[key], key) }
                if BinlogEventType(rawValue: event.type).isRows {
                    XCTAssertNotNil(object["rows"] as? [[String: Any]], "rows at \(event.offset) of \(url.lastPathComponent)")
                }
            }
        }
    }

    func testGTIDAndColumnNamesAreFilledIn() throws {
        let result = try dump(["--format", "jsonl", CLIPaths.binlogs.appendingPathComponent("row-metadata-full.000001").path])
        let objects = try result.output.split(separator: 10).map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]) }
        let write = try XCTUnwrap(objects.first { ($0["type"] as? String)?.hasPrefix("Write_rows") == true })
        XCTAssertEqual(write["gtid"] as? String, "0-1-3")
        XCTAssertEqual(write["table"] as? String, "all_types")
        XCTAssertEqual((write["columns"] as? [String])?.prefix(3), ["id", "c_tinyint", "c_tinyint_u"])
        let after = try XCTUnwrap(((write["rows"] as? [[String: Any]])?.first)?["after"] as? [String: Any])
        XCTAssertEqual(after["c_tinyint"] as? Int, -128)
        XCTAssertEqual(after["c_tinyint_u"] as? Int, 255)
        XCTAssertEqual(after["c_decimal"] as? String, "-12345678.91")
        XCTAssertEqual(after["c_date"] as? String, "1000-01-01")
        XCTAssertEqual(after["c_time"] as? String, "-838:59:59")
        XCTAssertEqual(after["c_timestamp6"] as? String, "2038-01-19 03:14:07.999999")
        XCTAssertEqual((after["c_varbinary"] as? [String: String])?["base64"], "3q2+7w==")
        // Outside a transaction there is no GTID.
        XCTAssertTrue(objects.first.map { $0["gtid"] is NSNull } ?? false)
    }

    func testRowsThatCannotBeDecodedAreReportedAndTheEventKept() throws {
        let url = CLIPaths.binlogs.appendingPathComponent("row-crc32.000001")
        var events = VerifyFrontendTests.walk(Array(try Data(contentsOf: url))).map(\.bytes)
        let target = try XCTUnwrap(events.firstIndex { $0[4] == BinlogEventType.writeRowsV1.rawValue })
        // Cut the last 20 bytes of row data (before the checksum): the last row image ends early.
        var event = events[target]
        event.removeSubrange((event.count - 24)..<(event.count - 4))
        VerifyFrontendTests.put32(UInt32(event.count), into: &event, at: 9)
        events[target] = event
        let data = VerifyFrontendTests.rebuild(events)
        let offset = VerifyFrontendTests.walk(data)[target].offset
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("cut-row.000001")
        try Data(data).write(to: path)
        let result = try dump(["--format", "jsonl", path.path])
        XCTAssertEqual(result.exitCode, 0, "\(result.diagnostics)")
        let lines = result.output.split(separator: 10)
        XCTAssertEqual(lines.count, events.count)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lines[target])) as? [String: Any])
        XCTAssertEqual(object["position"] as? Int, offset)
        XCTAssertTrue(object["rows"] is NSNull)
        let message = try XCTUnwrap(object["rows_error"] as? String)
        XCTAssertTrue(message.contains("in Write_rows_v1 event starting at \(offset)") && message.contains("past the row data"), message)
        XCTAssertTrue(result.diagnostics.joined().contains("\(path.path): at offset "), "\(result.diagnostics)")
    }

    /// MySQL JSON columns print as the JSON text the server gives them (MySQLJSONTests has the
    /// rules), embedded as JSON. json-opaque.binlog (MySQL 9.0.1) is the corpus file whose
    /// values rust_mysql_common's src/binlog/mod.rs asserts, in serde_json's spelling:
    /// {"a":"base64:type15:VQ=="}, {"b":"2012-03-18"}, {"c":"2012-03-18 11:30:45.000000"},
    /// {"c":"87:31:46.654321"}, {"d":"123.456"}, {"e":"9.00"}, {"e":[0,1,true,false]}, {"e":null}.
    /// The server prints DECIMAL opaques unquoted, and separates with ", " and ": ".
    func testMySQLJSONColumnsPrintAsTheServerPrintsThem() throws {
        guard Corpus.isPresent else { throw XCTSkip("the shared corpus (../shared/corpus) is absent") }
        let url = Corpus.root.appendingPathComponent("rust_mysql_common/test-data/binlogs/json-opaque.binlog")
        let result = try dump(["--format", "jsonl", url.path])
        XCTAssertEqual(result.exitCode, 0)
        XCTAssertEqual(result.diagnostics, [])
        let values = result.output.split(separator: 10).map { String(decoding: $0, as: UTF8.self) }
            .filter { $0.hasPrefix(#"{"type":"Write_rows""#) }
            .map { line -> String in
                // The one row's one column, "a", as printed.
                let start = line.range(of: #""rows":[{"after":{"a":"#)!.upperBound
                let end = line.range(of: "}]}", options: .backwards)!.lowerBound
                return String(line[start..<line.index(before: end)])
            }
        XCTAssertEqual(values, [
            #"{"a": "base64:type15:VQ=="}"#, #"{"b": "2012-03-18"}"#, #"{"c": "2012-03-18 11:30:45.000000"}"#,
            #"{"c": "87:31:46.654321"}"#, #"{"d": 123.456}"#, #"{"e": 9.00}"#, #"{"e": [0, 1, true, false]}"#, #"{"e": null}"#,
        ])
    }

    /// Every JSON value of the other MySQL corpus files with JSON columns prints, as valid JSON.
    func testMySQLJSONColumnsOfTheCorpusAreValidJSON() throws {
        guard Corpus.isPresent else { throw XCTSkip("the shared corpus (../shared/corpus) is absent") }
        for (path, column, count) in [("rust_mysql_common/test-data/binlogs/json.binlog.000001", "@2", 8),
                                      ("MySqlCdc/samples/MySqlCdc.Sample/mysql-bin.000001", "@13", 3)] {
            let result = try dump(["--format", "jsonl", Corpus.root.appendingPathComponent(path).path])
            XCTAssertEqual(result.exitCode, 0, path)
            var seen = 0
            for line in result.output.split(separator: 10) {
                let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
                for row in object["rows"] as? [[String: Any]] ?? [] {
                    for image in ["before", "after"] {
                        // (The before images of the partial update hold only the key.)
                        guard let values = row[image] as? [String: Any], let value = values[column] else { continue }
                        XCTAssertNotNil(value as? [String: Any], "\(path): \(values)")
                        seen += 1
                    }
                }
            }
            XCTAssertGreaterThanOrEqual(seen, count, path)
        }
        // The Update_rows_partial event at 3750: each after image changes $.age (RowDecoderTests
        // has the bytes of the first: JSON_REPLACE of $.age by 26; name and age follow it).
        let partial = try dump(["--format", "jsonl", Corpus.root.appendingPathComponent("rust_mysql_common/test-data/binlogs/json.binlog.000001").path])
        XCTAssertEqual(partial.diagnostics, [])
        let line = try XCTUnwrap(String(decoding: partial.output, as: UTF8.self).split(separator: "\n").first { $0.contains(#""position":3750,"#) })
        XCTAssertTrue(line.contains(#""rows":[{"before":{"@1":1},"after":{"@2":{"json_diff":[{"function":"JSON_REPLACE","path":"$.age","value":26}]},"@3":"Joe","@4":26}},"#), String(line))
        // json.binlog.000001's first row, as MySQL 8.0.22 stored it: keys sorted by length, then bytes.
        let first = try dump(["--format", "jsonl", Corpus.root.appendingPathComponent("rust_mysql_common/test-data/binlogs/json.binlog.000001").path])
        XCTAssertTrue(String(decoding: first.output, as: UTF8.self).contains(#""@2":{"age": 24, "data": "xxxxxxxxxx", "name": "Joe"}"#))
    }

    func testStringsAreEscapedAndBytesThatAreNotUTF8GoToBase64() throws {
        func text(_ bytes: [UInt8]) -> String { JSONLinesPrinter.bytes(bytes[...]) }
        XCTAssertEqual(text(Array("a\"b\\c\n\t\u{1}é€😀".utf8)), "\"a\\\"b\\\\c\\n\\t\\u0001é€😀\"")
        XCTAssertEqual(text([]), "\"\"")
        // Not UTF-8: a lone continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short.
        for bad: [UInt8] in [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x61, 0xe2, 0x82]] {
            XCTAssertFalse(JSONLinesPrinter.isUTF8(bad[...]), "\(bad)")
            var encoded: [UInt8] = []
            Base64.encode(bad[...], into: &encoded)
            XCTAssertEqual(text(bad), "{\"base64\":\"" + String(decoding: encoded, as: UTF8.self) + "\"}")
        }
        for good: [UInt8] in [[0xc2, 0x80], [0xe0, 0xa0, 0x80], [0xef, 0xbf, 0xbf], [0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf]] {
            XCTAssertTrue(JSONLinesPrinter.isUTF8(good[...]), "\(good)")
        }
        // Long binary values stay on one line.
        let long = [UInt8](repeating: 0xff, count: 300)
        XCTAssertFalse(text(long).contains("\n"))
    }

    // MARK: Values against the oracle

    /// One `###   @N=value /* TYPE … */` line of mariadb-binlog -vv.
    struct OracleValue {
        var column: Int
        /// The value's bytes as printed (strings are not always UTF-8).
        var bytes: [UInt8]
        var type: String
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    func oracleValues(_ name: String) throws -> [OracleValue]? {
        let url = CLIPaths.expected.appendingPathComponent("\(name).mariadb-binlog-vv.txt")
        guard let data = try? Data(contentsOf: url) else { return nil }
        var values: [OracleValue] = []
        let marker = Array(" /* ".utf8)
        for line in data.split(separator: 10) where line.starts(with: Array("###   @".utf8)) {
            let rest = Array(line.dropFirst(7))
            guard let equals = rest.firstIndex(of: UInt8(ascii: "=")),
                  let column = Int(String(decoding: rest[..<equals], as: UTF8.self)),
                  let comment = (0...(rest.count - marker.count)).reversed().first(where: { Array(rest[$0..<($0 + marker.count)]) == marker })
            else { continue }
            let type = String(decoding: rest[(comment + marker.count)...].prefix { $0 != 0x20 }, as: UTF8.self)
            values.append(OracleValue(column: column, bytes: Array(rest[(equals + 1)..<comment]), type: type))
        }
        return values
    }

    /// The values our decoder gives, in the order mariadb-binlog prints them.
    func decodedValues(_ url: URL) throws -> [(column: Int, value: RowValue, unsigned: Bool)] {
        var source: any ByteSource = try BinlogInput(path: url.path).open()
        try PrefetchingEventReader.readMagic(from: &source, name: url.path)
        let reader = PrefetchingEventReader(source: source, name: url.path)
        var decoders: [UInt64: RowDecoder] = [:]
        var result: [(column: Int, value: RowValue, unsigned: Bool)] = []
        while let event = try reader.next() {
            switch event.payload {
            case .tableMap(let map):
                decoders[map.tableID] = RowDecoder(map)
            case .rows(let rows):
                guard let decoder = decoders[rows.tableID] else { continue }
                let data = rows.rows
                var index = data.startIndex
                while index < data.endIndex {
                    let images = rows.kind == .update ? [rows.columnsPresent, rows.columnsPresentAfter ?? rows.columnsPresent] : [rows.columnsPresent]
                    for present in images {
                        let image = try decoder.decodeImage(data, at: index, present: present, columns: rows.columnCount)
                        index += image.length
                        result += image.values.map { ($0.column + 1, $0.value, decoder.unsigned[$0.column]) }
                    }
                }
            default:
                break
            }
        }
        return result
    }

    /// `b'0101'` → its value.
    func bits(_ text: String) -> UInt64? {
        guard text.hasPrefix("b'"), text.hasSuffix("'") else { return nil }
        return UInt64(text.dropFirst(2).dropLast(), radix: 2)
    }

    func unquoted(_ text: String) -> String? {
        guard text.count >= 2, text.hasPrefix("'"), text.hasSuffix("'") else { return nil }
        return String(text.dropFirst().dropLast())
    }

    /// Every value of every row of every MariaDB TestData file agrees with what mariadb-binlog -vv printed.
    func testDecodedValuesAgreeWithMariaDBBinlogVV() throws {
        var compared = 0
        for url in try CLIPaths.allBinlogs() {
            guard let oracle = try oracleValues(url.lastPathComponent) else { continue }
            let ours = try decodedValues(url)
            XCTAssertEqual(ours.count, oracle.count, url.lastPathComponent)
            for (mine, theirs) in zip(ours, oracle) {
                let context = "\(url.lastPathComponent) @\(theirs.column) \(theirs.type) \(theirs.text)"
                XCTAssertEqual(mine.column, theirs.column, context)
                let json = JSONLinesPrinter.json(mine.value)
                if theirs.text == "NULL" {
                    XCTAssertEqual(mine.value, .null, context)
                    continue
                }
                compared += 1
                switch mine.value {
                case .int(let value):
                    // -vv prints negative numbers as "signed (unsigned)".
                    XCTAssertEqual(String(theirs.text.prefix { $0 != " " }), "\(value)", context)
                case .uint(let value):
                    let unsignedText = theirs.text.contains("(") ? String(theirs.text.split(separator: "(")[1].dropLast()) : theirs.text
                    XCTAssertEqual(unsignedText, "\(value)", context)
                case .float(let value):
                    XCTAssertEqual(Float(theirs.text.trimmingCharacters(in: .whitespaces)), value, context)
                case .double(let value):
                    XCTAssertEqual(Double(theirs.text), value, context)
                case .decimal(let text):
                    XCTAssertEqual(text, theirs.text, context)
                case .bit(let value, _), .set(let value):
                    XCTAssertEqual(bits(theirs.text), value, context)
                case .year(let year):
                    XCTAssertEqual(theirs.text, String(year), context)
                case .enumIndex(let index):
                    XCTAssertEqual(theirs.text, String(index), context)
                case .date:
                    // mariadb-binlog writes dates with colons.
                    XCTAssertEqual(unquoted(theirs.text)?.replacingOccurrences(of: ":", with: "-"), unquoted(json.replacingOccurrences(of: "\"", with: "'")), context)
                case .time, .datetime:
                    XCTAssertEqual(unquoted(theirs.text), unquoted(json.replacingOccurrences(of: "\"", with: "'")), context)
                case .timestamp(let seconds, let micro, let decimals):
                    let fraction = decimals == 0 ? "" : "." + String(String(micro + 1_000_000).dropFirst().prefix(decimals))
                    XCTAssertEqual(theirs.text, "\(seconds)\(fraction)", context)
                case .string(let bytes), .geometry(let bytes), .json(let bytes), .jsonDiff(let bytes), .vector(let bytes), .compressed(let bytes):
                    // mariadb-binlog writes bytes below 0x20 as \xNN and everything else raw
                    // (compressed columns as stored: header byte and deflate data).
                    var ourBytes: [UInt8] = [0x27]
                    for byte in bytes {
                        if byte > 0x1f { ourBytes.append(byte) } else { ourBytes += Array(String(format: "\\x%02x", byte).utf8) }
                    }
                    ourBytes.append(0x27)
                    XCTAssertEqual(ourBytes, theirs.bytes, context)
                case .null:
                    XCTFail("NULL where mariadb-binlog printed a value: \(context)")
                }
            }
        }
        XCTAssertGreaterThan(compared, 1000)
    }
}
