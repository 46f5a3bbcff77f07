// Tests of the bounds-checked cursor: values, and errors that say where.
import XCTest
@testable import MySQLBinlog

final class ByteReaderTests: XCTestCase {
    func testReadsLittleEndianIntegersInWireOrder() throws {
        var reader = ByteReader(hexBytes("01 0203 040506 0708090a 0b0c0d0e0f10")[...], baseOffset: 100)
        XCTAssertEqual(try reader.readUInt8("a"), 0x01)
        XCTAssertEqual(try reader.readUInt16("b"), 0x0302)
        XCTAssertEqual(try reader.readUInt24("c"), 0x060504)
        XCTAssertEqual(try reader.readUInt32("d"), 0x0a09_0807)
        XCTAssertEqual(try reader.readUInt48("e"), 0x100f_0e0d_0c0b)
        XCTAssertTrue(reader.isAtEnd)
        XCTAssertEqual(reader.offset, 116)
    }

    func testTruncatedReadNamesOffsetFieldAndEvent() {
        var reader = ByteReader(hexBytes("01 02")[...], baseOffset: 500, eventType: .query, eventOffset: 480)
        _ = try? reader.readUInt8("first")
        XCTAssertThrowsError(try reader.readUInt32("thread_id")) { error in
            let failure = error as! BinlogDecodingError
            XCTAssertEqual(failure.offset, 501)
            XCTAssertEqual(failure.field, "thread_id")
            XCTAssertEqual(failure.eventType, .query)
            XCTAssertEqual(failure.reason, .truncated(needed: 4, available: 1))
            XCTAssertEqual(failure.description, "at offset 501 in Query event starting at 480, field thread_id: truncated: needed 4 bytes, 1 available")
        }
    }

    func testLengthEncodedIntegers() throws {
        var reader = ByteReader(hexBytes("fa  fc 3412  fd 563412  fe 0807060504030201")[...])
        XCTAssertEqual(try reader.readLengthEncodedInteger("a"), 250)
        XCTAssertEqual(try reader.readLengthEncodedInteger("b"), 0x1234)
        XCTAssertEqual(try reader.readLengthEncodedInteger("c"), 0x123456)
        XCTAssertEqual(try reader.readLengthEncodedInteger("d"), 0x0102_0304_0506_0708)
        var null = ByteReader(hexBytes("fb")[...])
        XCTAssertThrowsError(try null.readLengthEncodedInteger("e"))
    }

    func testBoundedReaderCannotReadPastItsLength() throws {
        var reader = ByteReader(hexBytes("01 02 03 04")[...], baseOffset: 10)
        var sub = try reader.bounded(2, "sub")
        XCTAssertEqual(try sub.readUInt16("x"), 0x0201)
        XCTAssertThrowsError(try sub.readUInt8("y")) { error in
            XCTAssertEqual((error as! BinlogDecodingError).offset, 12)
        }
        XCTAssertEqual(try reader.readUInt16("z"), 0x0403)
    }

    func testHugeDeclaredLengthIsRefusedBeforeAllocation() {
        let reader = ByteReader(hexBytes("01 02")[...])
        XCTAssertThrowsError(try reader.length(UInt64.max, "value"))
        XCTAssertThrowsError(try reader.length(3, "value"))
        XCTAssertEqual(try reader.length(2, "value"), 2)
    }

    func testNullTerminatedString() throws {
        var reader = ByteReader(Array("abc\u{0}de".utf8)[...])
        XCTAssertEqual(try reader.readNullTerminated("s"), "abc")
        XCTAssertThrowsError(try reader.readNullTerminated("t"))
    }
}
