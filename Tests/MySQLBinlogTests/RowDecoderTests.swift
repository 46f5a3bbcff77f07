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
}
