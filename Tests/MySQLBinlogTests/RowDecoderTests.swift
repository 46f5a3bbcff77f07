// Row values from bytes: the awkward encodings, and damaged metadata that must not trap.
import XCTest
@testable import MySQLBinlog

final class RowDecoderTests: XCTestCase {
    func testTime2NegativeWithFraction() {
        // '-00:00:01.500' with 3 decimals: the stored integer part is one less and the fraction is 10000 - 500*10/100.
        // -1.5 s = intpart -2 (0x7ffffe) with frac 0x10000 - 5000 → stored 7F FF FE EC 78.
        let value = RowDecoder.value([0x7f, 0xff, 0xfe, 0xec, 0x78][...], type: ColumnType(rawValue: 19), metadata: 3, unsigned: false)
        XCTAssertEqual(value, .time(negative: true, hours: 0, minutes: 0, seconds: 1, microseconds: 500_000, decimals: 3))
    }

    func testFractionalPrecisionBeyondSixKeepsTheBytes() {
        // A Table_map claiming TIME(200) sizes the field at 103 bytes: decoded as bytes, not a trap.
        let bytes = [UInt8](repeating: 0xff, count: 103)[...]
        for code: UInt8 in [17, 18, 19] {
            XCTAssertEqual(RowDecoder.value(bytes, type: ColumnType(rawValue: code), metadata: 200, unsigned: false), .string(bytes))
        }
    }

    func testIntegersFollowTheSignedness() {
        XCTAssertEqual(RowDecoder.value([0xff][...], type: ColumnType(rawValue: 1), metadata: 0, unsigned: false), .int(-1))
        XCTAssertEqual(RowDecoder.value([0xff][...], type: ColumnType(rawValue: 1), metadata: 0, unsigned: true), .uint(255))
        XCTAssertEqual(RowDecoder.value([0x00, 0x00, 0x80][...], type: ColumnType(rawValue: 9), metadata: 0, unsigned: false), .int(-8_388_608))
    }

    /// The after image of the first row of json.binlog.000001's Update_rows_partial event (MySQL
    /// 8.0.22; table t(id INT, json_col JSON, name VARCHAR(100) utf8mb4 and age INT generated
    /// from json_col); the event at 3750, its first row's before image at 3782, this at 3787),
    /// copied from the file.
    static let partialAfterImage = hexBytes("""
        01                 # value_options: PARTIAL_JSON_UPDATES
        01                 # partial bitmap, one bit per JSON column: json_col holds changes
        00                 # null bitmap of the 3 columns present (json_col, name, age)
        0b 00 00 00        # json_col: 11 bytes of changes
        00 05 24 2e 61 67 65 03 05 1a 00   # replace, path "$.age", value int16 26
        03 00 4a 6f 65     # name: 3 bytes "Joe"
        1a 00 00 00        # age: 26
        """)

    func testPartialUpdateAfterImage() throws {
        let decoder = RowDecoder(types: [.long, .json, .varchar, .long], metadata: [0, 4, 400, 0])
        let image = Self.partialAfterImage
        let decoded = try decoder.decodePartialImage(image[...], at: 0, present: [0x0e][...], columns: 4)
        XCTAssertEqual(decoded.length, image.count)
        XCTAssertEqual(decoded.values.map(\.column), [1, 2, 3])
        let changes: ArraySlice<UInt8> = image[7..<18]
        XCTAssertEqual(decoded.values.map(\.value), [.jsonDiff(changes), .string(image[20..<23]), .int(26)])
        XCTAssertEqual(try MySQLJSON.diffs(changes), [MySQLJSON.Diff(operation: .replace, path: image[9..<14], value: image[15..<18])])

        // value_options 0: no bitmap, the JSON column holds a whole document.
        var whole = image
        whole.replaceSubrange(0..<2, with: [0x00])
        whole.replaceSubrange(2..<17, with: [0x03, 0, 0, 0, 0x05, 0x1a, 0x00])
        let plain = try decoder.decodePartialImage(whole[...], at: 0, present: [0x0e][...], columns: 4)
        XCTAssertEqual(plain.length, whole.count)
        XCTAssertEqual(plain.values.first?.value, .json(whole[6..<9]))

        // The partial bit clear: the value is a document even though the options allow changes.
        var cleared = image
        cleared[1] = 0
        XCTAssertEqual(try decoder.decodePartialImage(cleared[...], at: 0, present: [0x0e][...], columns: 4).values.first?.value,
                       .json(image[7..<18]))

        // Options that cannot be read are an error at the image's start.
        XCTAssertThrowsError(try decoder.decodePartialImage([0xfb, 0x00][...], at: 0, present: [0x0e][...], columns: 4)) { error in
            XCTAssertEqual((error as? BinlogDecodingError)?.offset, 0)
        }
        XCTAssertThrowsError(try decoder.decodePartialImage([0x01][...], at: 0, present: [0x0e][...], columns: 4))
    }
}
