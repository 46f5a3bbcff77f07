// Tests of the packed DECIMAL format against the examples of the MySQL documentation.
import XCTest
@testable import MySQLBinlog

final class BinaryDecimalTests: XCTestCase {
    func testDocumentedExamples() {
        // decimal.c: 1234567890.1234 as DECIMAL(14,4) is 81 0D FB 38 D2 04 D2.
        XCTAssertEqual(BinaryDecimal.string(precision: 14, scale: 4, bytes: hexBytes("81 0D FB 38 D2 04 D2")), "1234567890.1234")
        // Its negation inverts every byte.
        XCTAssertEqual(BinaryDecimal.string(precision: 14, scale: 4, bytes: hexBytes("7E F2 04 C7 2D FB 2D")), "-1234567890.1234")
    }

    func testZeroAndSmallValues() {
        // DECIMAL(10,2) = 4 + 1 bytes: 0.00 is the sign bit only.
        XCTAssertEqual(BinaryDecimal.size(precision: 10, scale: 2), 5)
        XCTAssertEqual(BinaryDecimal.string(precision: 10, scale: 2, bytes: hexBytes("80 00 00 00 00")), "0.00")
        // 1.10: integer group 1, fraction 10.
        XCTAssertEqual(BinaryDecimal.string(precision: 10, scale: 2, bytes: hexBytes("80 00 00 01 0A")), "1.10")
        // -3.30
        XCTAssertEqual(BinaryDecimal.string(precision: 10, scale: 2, bytes: hexBytes("7F FF FF FC E1")), "-3.30")
        // DECIMAL(5,0) = 3 bytes: 12345
        XCTAssertEqual(BinaryDecimal.string(precision: 5, scale: 0, bytes: hexBytes("80 30 39")), "12345")
    }

    func testRejectsShortInputAndImpossiblePrecision() {
        XCTAssertNil(BinaryDecimal.string(precision: 10, scale: 2, bytes: hexBytes("80 00")))
        XCTAssertNil(BinaryDecimal.string(precision: 0, scale: 0, bytes: hexBytes("80")))
        XCTAssertNil(BinaryDecimal.string(precision: 4, scale: 5, bytes: hexBytes("80 00 00 00")))
    }

    func testGroupsWithMoreThanNineDigitsAreNotADecimal() {
        // DECIMAL(18,9): one 4-byte group each side; FF FF FF FF is 4294967295, ten digits.
        XCTAssertNil(BinaryDecimal.string(precision: 18, scale: 9, bytes: hexBytes("80 00 00 00 FF FF FF FF")))
        XCTAssertNil(BinaryDecimal.string(precision: 18, scale: 9, bytes: hexBytes("FF FF FF FF 00 00 00 00")))
        XCTAssertEqual(BinaryDecimal.string(precision: 18, scale: 9, bytes: hexBytes("80 00 00 01 00 00 00 02")), "1.000000002")
    }
}
