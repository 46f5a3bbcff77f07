// RowCounter: rows counted from value sizes alone, on row images written out byte by byte.
import XCTest
@testable import MySQLBinlog

final class RowCounterTests: XCTestCase {
    /// A table of INT, VARCHAR(300) (2-byte lengths: metadata 300 > 255), DATETIME(3) (5 + 2 bytes),
    /// BLOB (pack length 2), DECIMAL(10,2) (4 + 1 bytes), CHAR(10) as STRING (real type 254, 1-byte length).
    let counter = RowCounter(types: [.long, .varchar, .datetime2, .blob, .newDecimal, .string],
                             metadata: [0, 300, 3, 2, 0x0a02, 0xfe0a])

    func testPreparedSteps() {
        XCTAssertEqual(counter.steps, [.fixed(4), .prefixed(2), .fixed(7), .prefixed(2), .fixed(5), .prefixed(1)])
    }

    func testInsertRowsWithNulls() throws {
        let rows: [UInt8] = [
            // Row 1: null bitmap 0b0000_0000 (no NULLs), 6 columns.
            0x00,
            0x01, 0x00, 0x00, 0x00,             // INT 1
            0x03, 0x00, 0x61, 0x62, 0x63,       // VARCHAR length 3 (2 bytes), "abc"
            0x99, 0xb0, 0x42, 0x00, 0x00, 0x00, 0x00, // DATETIME(3): 5 + 2 bytes
            0x01, 0x00, 0x7a,                   // BLOB length 1 (2 bytes), "z"
            0x80, 0x00, 0x00, 0x01, 0x32,       // DECIMAL(10,2) 1.50: 4 + 1 bytes
            0x02, 0x68, 0x69,                   // CHAR length 2 (1 byte), "hi"
            // Row 2: columns 2, 3, 4 and 6 NULL: bitmap 0b0010_1110.
            0x2e,
            0x02, 0x00, 0x00, 0x00,             // INT 2
            0x80, 0x00, 0x00, 0x02, 0x00,       // DECIMAL 2.00
        ]
        let all: ArraySlice<UInt8> = [0x3f]
        XCTAssertEqual(counter.count(rows: rows[...], columnCount: 6, present: all, presentAfter: nil), 2)
        // One byte short: the last value runs past the end.
        XCTAssertNil(counter.count(rows: rows.dropLast(), columnCount: 6, present: all, presentAfter: nil))
        XCTAssertEqual(counter.count(rows: [], columnCount: 6, present: all, presentAfter: nil), 0)
    }

    func testUpdatePairsCountOnceWithPartialImages() throws {
        // Before image: columns 1 and 2 (INT, VARCHAR); after image: column 2 only (MINIMAL row image).
        let before: ArraySlice<UInt8> = [0x03]
        let after: ArraySlice<UInt8> = [0x02]
        let rows: [UInt8] = [
            0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x41, // before: bitmap (2 bits), INT 5, VARCHAR "A"
            0x00, 0x02, 0x00, 0x42, 0x43,                   // after: bitmap (1 bit), VARCHAR "BC"
            0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00,       // before: INT 6, VARCHAR ""
            0x01,                                           // after: NULL
        ]
        XCTAssertEqual(counter.count(rows: rows[...], columnCount: 6, present: before, presentAfter: after), 2)
        // Read as single images, the same bytes do not line up.
        XCTAssertNil(counter.count(rows: rows[...], columnCount: 6, present: before, presentAfter: nil))
    }

    func testUnknownTypesAndExtraColumnsCannotBeMeasured() {
        let unknown = RowCounter(types: [.long, ColumnType(rawValue: 200)], metadata: [0, 0])
        XCTAssertEqual(unknown.steps.last, .unknown)
        let rows: [UInt8] = [0x00, 0x01, 0x00, 0x00, 0x00, 0x07]
        XCTAssertNil(unknown.count(rows: rows[...], columnCount: 2, present: [0x03], presentAfter: nil))
        // Without the unknown column in the image, the row is measurable.
        XCTAssertEqual(unknown.count(rows: rows.prefix(5), columnCount: 2, present: [0x01], presentAfter: nil), 1)
        // An event with more columns than the Table_map: only measurable if the extra ones are absent.
        let small = RowCounter(types: [.long], metadata: [0])
        XCTAssertNil(small.count(rows: rows.prefix(5), columnCount: 2, present: [0x03], presentAfter: nil))
        XCTAssertEqual(small.count(rows: rows.prefix(5), columnCount: 2, present: [0x01], presentAfter: nil), 1)
    }

    func testRowsOfNoBytesAreNotCountedForever() {
        // No column present in the image: each row would be zero bytes long.
        XCTAssertNil(counter.count(rows: [0x00, 0x01][...], columnCount: 6, present: [0x00], presentAfter: nil))
        XCTAssertNil(counter.count(rows: [0x00][...], columnCount: 6, present: [0x00], presentAfter: [0x00]))
    }

    func testHugeLengthPrefixDoesNotOverflow() {
        let blob = RowCounter(types: [.blob], metadata: [4])
        let rows: [UInt8] = [0x00, 0xff, 0xff, 0xff, 0xff, 0x00]
        XCTAssertNil(blob.count(rows: rows[...], columnCount: 1, present: [0x01], presentAfter: nil))
    }

    /// An Update_rows_partial's after images start with value options and a partial-JSON
    /// bitmap: two rows of json.binlog.000001's event (before: id; after: json_col, name, age).
    func testPartialUpdatesSkipTheValueOptions() {
        let counter = RowCounter(types: [.long, .json, .varchar, .long], metadata: [0, 4, 400, 0])
        let before: [UInt8] = [0x00, 0x01, 0, 0, 0]
        let row = before + RowDecoderTests.partialAfterImage
        let rows = (row + row)[...]
        XCTAssertEqual(counter.count(rows: rows, columnCount: 4, present: [0x01][...], presentAfter: [0x0e][...], partialUpdate: true), 2)
        // Read as an ordinary update the images do not fit.
        XCTAssertNil(counter.count(rows: rows, columnCount: 4, present: [0x01][...], presentAfter: [0x0e][...]))
    }
}
