// MySQL 5.1's pre-GA rows events (types 20–22): the table's null bytes, NULL columns still packed.
import Foundation
import XCTest
@testable import MySQLBinlog

final class PreGARowsTests: XCTestCase {
    private func value(_ image: [(column: Int, value: RowValue)], _ column: Int) -> RowValue? {
        image.first { $0.column == column }?.value
    }

    /// A fixed-length table (INT NULL, INT NOT NULL, CHAR(10) NULL): the first null bit is
    /// reserved, then column 1 has bit 1 and column 3 bit 2. A NULL column still holds its
    /// packed default (here 4 zero bytes for the INT), which is read past.
    func testReservedFirstBitAndNullColumnsStillPacked() throws {
        let layout = PreGARowLayout(types: [.long, .long, .string], nullable: [true, false, true])
        XCTAssertTrue(layout.reservesFirstBit)
        XCTAssertEqual(layout.nullBit, [1, nil, 2])
        XCTAssertEqual(layout.nullBytes, 1)
        // 0b11111011: bit 0 (reserved) 1, bit 1 (column 1) 1 = NULL, bit 2 (column 3) 0; the rest 1 as the server fills them.
        let row: [UInt8] = [0xfb, 0, 0, 0, 0, 7, 0, 0, 0, 2, 0x68, 0x69]
        let fixed = RowDecoder(types: [.long, .long, .string], metadata: [0, 0, 0xfe0a], nullable: [true, false, true])
        let image = try fixed.decodePreGAImage(row[...], at: 0, present: [0x07], columns: 3)
        XCTAssertEqual(image.length, row.count)
        XCTAssertEqual(value(image.values, 0), .null)
        XCTAssertEqual(value(image.values, 1), .int(7))
        XCTAssertEqual(value(image.values, 2), .string([0x68, 0x69][...]))
    }

    /// A table with a VARCHAR has dynamic rows: no reserved bit. And a row whose first bit is 0
    /// cannot have it reserved, whatever the column types say.
    func testDynamicRowsAndAZeroFirstBit() throws {
        let dynamic = PreGARowLayout(types: [.long, .varchar], nullable: [true, true])
        XCTAssertFalse(dynamic.reservesFirstBit)
        XCTAssertEqual(dynamic.nullBit, [0, 1])
        let fixed = PreGARowLayout(types: [.long, .long], nullable: [true, true])
        XCTAssertEqual(fixed.layout(firstByte: 0xff).nullBit, [1, 2])
        XCTAssertEqual(fixed.layout(firstByte: 0xfe).nullBit, [0, 1])
    }

    /// ver_5_1_17.001 (MySQL 5.1.17, corpus): the Write, Update and Delete rows events of
    /// `test`.`t1` (a INT, b CHAR(50), MyISAM), whose Table_map has no metadata. The bytes, from
    /// the hex dump: Write at 461 holds f9 00000000 03'one' and f9 01000000 03'two'; the Update
    /// at 548 moves (0,'one') to (1,'one') and (1,'two') to (2,'two'); the Delete at 653 removes
    /// (2,'two'). binlog_old_versions.result shows the table afterwards holding (1,'one').
    func testMySQL5117FileFromTheCorpus() throws {
        let url = TestPaths.corpus.appendingPathComponent("mysql-server-5.5.62/mysql-test/suite/binlog/std_data/ver_5_1_17.001")
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("the shared corpus is absent: ver_5_1_17.001 not checked") }
        let events = try decodeAll(Array(try Data(contentsOf: url)))
        var decoder: RowDecoder?
        var seen: [String] = []
        for event in events {
            switch event.payload {
            case .tableMap(let map):
                decoder = RowDecoder(map)
            case .rows(let rows):
                XCTAssertEqual(rows.version, 0)
                XCTAssertNil(rows.columnsPresentAfter, "one bitmap in a pre-GA update")
                let decoder = try XCTUnwrap(decoder)
                var index = rows.rows.startIndex
                while index < rows.rows.endIndex {
                    var images = 1
                    if rows.kind == .update { images = 2 }
                    for _ in 0..<images {
                        let image = try decoder.decodePreGAImage(rows.rows, at: index, present: rows.columnsPresent, columns: rows.columnCount)
                        index += image.length
                        guard case .int(let a) = image.values[0].value, case .string(let b) = image.values[1].value else { return XCTFail("\(image.values)") }
                        seen.append("\(rows.kind):\(a),\(String(decoding: b, as: UTF8.self))")
                    }
                }
                let counter = RowCounter(RowCounterMapProbe.map(events, before: event.offset))
                XCTAssertEqual(counter.countPreGA(rows: rows.rows, columnCount: rows.columnCount, present: rows.columnsPresent, update: rows.kind == .update),
                               rows.kind == .delete ? 1 : 2)
            default:
                break
            }
        }
        XCTAssertEqual(seen, ["write:0,one", "write:1,two", "update:0,one", "update:1,one", "update:1,two", "update:2,two", "delete:2,two"])
    }
}

/// The last Table_map before an offset.
private enum RowCounterMapProbe {
    static func map(_ events: [BinlogEvent], before offset: UInt64) -> TableMapEvent {
        var last: TableMapEvent?
        for event in events where event.offset < offset {
            if case .tableMap(let map) = event.payload { last = map }
        }
        return last!
    }
}
