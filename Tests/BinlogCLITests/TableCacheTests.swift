// The per-table-id caches stay bounded whatever a file holds.
import Foundation
import XCTest
@testable import BinlogCLI
import MySQLBinlog

final class TableCacheTests: XCTestCase {
    func testDictionaryAndSetStartAfreshPastTheBound() {
        var cache: [UInt64: Int] = [:]
        for id in 0..<UInt64(TableCache.maximumTables) { cache.setBounded(1, for: id) }
        XCTAssertEqual(cache.count, TableCache.maximumTables)
        cache.setBounded(2, for: 5)
        XCTAssertEqual(cache.count, TableCache.maximumTables, "a known id is replaced in place")
        cache.setBounded(3, for: UInt64(TableCache.maximumTables))
        XCTAssertEqual(cache.count, 1)
        XCTAssertEqual(cache[UInt64(TableCache.maximumTables)], 3)
        var set = Set<UInt64>()
        for id in 0...UInt64(TableCache.maximumTables) { set.insertBounded(id) }
        XCTAssertEqual(set, [UInt64(TableCache.maximumTables)])
    }

    /// A file of Table_maps with ever new table ids (row-crc32's map at 3799, its id changed and
    /// its checksum made right): the jsonl printer's decoders never pass the bound.
    func testJSONLinesPrinterKeepsAtMostTheBound() throws {
        let bytes = Array(try Data(contentsOf: CLIPaths.binlogs.appendingPathComponent("row-crc32.000001")))
        let events = VerifyFrontendTests.walk(bytes)
        let formatBytes = try XCTUnwrap(events.first { $0.type == 15 }).bytes
        var map = try XCTUnwrap(events.first { $0.offset == 3799 }).bytes
        var decoder = BinlogDecoder()
        let format = try decoder.decode(formatBytes[...], at: 4)
        guard case .formatDescription(let description) = format.payload else { return XCTFail("no Format_description") }
        let printer = JSONLinesPrinter(out: OutputSink())
        var largest = 0
        for id in 1...UInt64(TableCache.maximumTables + 1000) {
            for i in 0..<6 { map[19 + i] = UInt8(truncatingIfNeeded: id >> (8 * UInt64(i))) }
            VerifyFrontendTests.put32(CRC32.checksum(map.dropLast(4)), into: &map, at: map.count - 4)
            try printer.print(try decoder.decode(map[...], at: 3799), formatDescription: description)
            largest = max(largest, printer.decoders.count)
        }
        XCTAssertEqual(largest, TableCache.maximumTables)
        XCTAssertEqual(printer.decoders.count, 1000)
    }
}
