// MySQLJSON: binary JSON documents written by hand from sql-common/json_binary.h, and the text
// the server's Json_wrapper::to_string (sql-common/json_dom.cc) gives for them.
import XCTest
@testable import MySQLBinlog

final class MySQLJSONTests: XCTestCase {
    func text(_ annotated: String, quoted: Bool = true, depth: Int = 100) throws -> String {
        try MySQLJSON.text(of: hexBytes(annotated)[...], quoted: quoted, maximumDepth: depth)
    }

    func error(_ bytes: [UInt8], depth: Int = 100) -> MySQLJSON.DecodingError? {
        do {
            _ = try MySQLJSON.text(of: bytes[...], maximumDepth: depth)
            return nil
        } catch {
            return error
        }
    }

    func testSmallObjectWithANestedArray() throws {
        // {"a": 1, "b": [true, null]}: header 4 + 2 key entries × 4 + 2 value entries × 3 = 18,
        // the keys at 18 and 19, the array at 20 (4 + 2 × 3 = 10 bytes): 30 bytes.
        XCTAssertEqual(try text("""
            00                 # small object
            02 00  1e 00       # 2 members, 30 bytes
            12 00 01 00        # key 0 at 18, 1 byte
            13 00 01 00        # key 1 at 19, 1 byte
            05 01 00           # value 0: int16 1, inlined
            02 14 00           # value 1: small array at 20
            61 62              # "a" "b"
            02 00 0a 00        # 2 elements, 10 bytes
            04 01 00  04 00 00 # true, null (inlined literals)
            """), #"{"a": 1, "b": [true, null]}"#)
    }

    func testLargeArrayInlinesThirtyTwoBitIntegers() throws {
        // Header 8 + 3 value entries × 5 = 23; the string at 23.
        XCTAssertEqual(try text("""
            03                 # large array
            03 00 00 00  19 00 00 00   # 3 elements, 25 bytes
            07 70 11 01 00     # int32 70000, inlined (large)
            05 fb ff 00 00     # int16 -5, inlined
            0c 17 00 00 00     # string at 23
            01 78              # length 1, "x"
            """), #"[70000, -5, "x"]"#)
        XCTAssertEqual(try text("02 00 00 04 00"), "[]")
        XCTAssertEqual(try text("00 00 00 04 00"), "{}")
    }

    func testScalarsAtTheTop() throws {
        XCTAssertEqual(try text("09 fe ff ff ff ff ff ff ff"), "-2")
        XCTAssertEqual(try text("0a ff ff ff ff ff ff ff ff"), "18446744073709551615")
        XCTAssertEqual(try text("07 00 00 00 80"), "-2147483648")
        XCTAssertEqual(try text("08 ff ff ff ff"), "4294967295")
        XCTAssertEqual(try text("06 ff ff"), "65535")
        XCTAssertEqual(try text("0b 00 00 00 00 00 00 f0 3f"), "1.0")
        XCTAssertEqual(try text("04 02"), "false")
        // An empty document is read as JSON null (json_binary::parse_binary).
        XCTAssertEqual(try text(""), "null")
        // A string at the top is quoted unless the caller quotes the whole value itself.
        XCTAssertEqual(try text(#"0c 03 61 22 62"#), #""a\"b""#)
        XCTAssertEqual(try text(#"0c 03 61 22 62"#, quoted: false), #"a"b"#)
    }

    func testStringsAreEscapedAsTheServerDoes() throws {
        // `"`, `\`, \u0001, newline, tab, € (3 bytes of UTF-8, kept), 0x1f.
        XCTAssertEqual(try text("0c 09 22 5c 01 0a 09 e2 82 ac 1f"), #""\"\\\u0001\n\t€\u001f""#)
        // Backspace, form feed and carriage return have their short escapes; DEL has none.
        XCTAssertEqual(try text("0c 04 08 0c 0d 7f"), "\"\\b\\f\\r\u{7f}\"")
        // A length of two bytes (7 bits each): 200 = c8 01.
        let long = [UInt8](repeating: 0x61, count: 200)
        XCTAssertEqual(try MySQLJSON.text(of: ([0x0c, 0xc8, 0x01] + long)[...]), "\"" + String(repeating: "a", count: 200) + "\"")
    }

    func testOpaqueValues() throws {
        // DECIMAL(3,2) 9.00: precision, scale, then the binary decimal (1 integer byte with the
        // sign bit set, 1 byte for two fraction digits). Printed unquoted, with its scale.
        XCTAssertEqual(try text("0f f6 04 03 02 89 00"), "9.00")
        // -1.50: the bytes of 1.50 (81 32) inverted.
        XCTAssertEqual(try text("0f f6 04 03 02 7e cd"), "-1.50")
        // Temporal values are packed longlongs (TIME_to_longlong_*_packed), quoted, 6 decimals
        // except for dates.
        XCTAssertEqual(try text("0f 0a 08 00 00 00 00 00 e4 8b 19"), #""2012-03-18""#)
        XCTAssertEqual(try text("0f 0c 08 00 00 00 ad b7 e4 8b 19"), #""2012-03-18 11:30:45.000000""#)
        XCTAssertEqual(try text("0f 07 08 01 00 00 fb 7e ff 63 19"), #""1999-12-31 23:59:59.000001""#)
        XCTAssertEqual(try text("0f 0b 08 0f 04 f6 11 88 fa ff ff"), #""-87:31:46.654321""#)
        XCTAssertEqual(try text("0f 0b 08 00 00 00 fb 6e 34 00 00"), #""838:59:59.000000""#)
        XCTAssertEqual(try text("0f 0b 08 0f 04 f6 11 88 fa ff ff", quoted: false), "-87:31:46.654321")
        // VAR_STRING opaques are strings.
        XCTAssertEqual(try text("0f fd 02 68 69"), #""hi""#)
        // Anything else: base64:typeNN: and the bytes (json-opaque.binlog's VARCHAR 'U').
        XCTAssertEqual(try text("0f 0f 01 55"), #""base64:type15:VQ==""#)
        // The server's base64 breaks lines after 76 characters; inside JSON the newline is \n.
        let blob: [UInt8] = [0x0f, 0xfc, 58] + (0..<58).map { UInt8($0) }
        XCTAssertEqual(try MySQLJSON.text(of: blob[...]),
                       #""base64:type252:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\nOQ==""#)
    }

    /// my_gcvt(x, MY_GCVT_ARG_DOUBLE, 34) (strings/dtoa.cc): plain notation while the decimal
    /// exponent is in -14...15 or the digits reach past the point, else d.ddde±x; `.0` added
    /// when there is neither point nor exponent (json_dom.cc).
    func testDoublesAsMyGcvtWritesThem() {
        let cases: [(Double, String)] = [
            (1, "1.0"), (0.1, "0.1"), (-2.5, "-2.5"), (100, "100.0"), (0, "0.0"), (-0.0, "-0.0"),
            (1e14, "100000000000000.0"), (1e15, "1e15"), (1e16, "1e16"), (1.5e16, "1.5e16"), (123456789012345678, "1.2345678901234568e17"),
            (1234567890123456.7, "1234567890123456.8"), (12345678901234567, "1.2345678901234568e16"),
            (1e-15, "0.000000000000001"), (1e-16, "1e-16"), (1.2345e-7, "0.00000012345"), (-1.5e-20, "-1.5e-20"),
            (1e300, "1e300"), (.leastNonzeroMagnitude, "5e-324"), (.greatestFiniteMagnitude, "1.7976931348623157e308"),
            (3.14159, "3.14159"), (0.000123, "0.000123"),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(MySQLJSON.doubleText(value), expected, "\(value)")
        }
    }

    func testDamageIsNamedWithItsOffset() {
        let cases: [(String, Int, String)] = [
            ("00 02 00", 1, "an object header needs 4 bytes, 2 left"),
            ("02 01 00 ff 00", 1, "an array of 255 bytes where 4 are left"),
            ("02 05 00 07 00 00 00 00", 1, "an array of 5 members whose entries (19 bytes) overrun its 7 bytes"),
            // The key points into the header.
            ("00 01 00 0c 00 02 00 01 00 04 00 00 61", 5, "key 0 at 2+1 lies outside the object's keys and values (11..<12)"),
            // The value points past the end of the array.
            ("02 01 00 07 00 0c 09 00", 5, "value 0 at offset 9 lies outside the array (7...7)"),
            ("02 01 00 07 00 0e 07 00", 8, "unknown binary JSON type 0xe"),
            ("04 03", 1, "literal 3 is not null (0), true (1) or false (2)"),
            ("0c 05 61 62", 1, "a string of 5 bytes where 2 are left"),
            ("0c 80 80", 1, "a length field that does not end"),
            ("0b 00 00", 1, "a double needs 8 bytes, 2 left"),
            ("0f f6 02 03 02", 1, "a DECIMAL(3,2) of 0 bytes is not a decimal"),
            ("0f 0c 02 00 00", 1, "a packed temporal value needs 8 bytes, has 2"),
            ("0f", 1, "an opaque value needs 1 byte, 0 left"),
        ]
        for (hex, offset, message) in cases {
            XCTAssertEqual(error(hexBytes(hex)), MySQLJSON.DecodingError(message, offset: offset), hex)
        }
    }

    /// Arrays nested `levels` deep, each holding the next (at offset 7), the innermost empty.
    func nested(_ levels: Int) -> [UInt8] {
        var body: [UInt8] = [0, 0, 4, 0]
        for _ in 1..<levels {
            let size = 7 + body.count
            body = [1, 0, UInt8(size & 0xff), UInt8(size >> 8), 0x02, 7, 0] + body
        }
        return [0x02] + body
    }

    func testNestingIsCappedAtTheServersDepth() throws {
        XCTAssertEqual(try MySQLJSON.text(of: nested(100)[...]), String(repeating: "[", count: 100) + String(repeating: "]", count: 100))
        // The 101st array's body starts at 1 + 100 × 7.
        XCTAssertEqual(error(nested(101)),
                       MySQLJSON.DecodingError("nested deeper than 100 levels (DecodingOptions.maximumJSONDepth)", offset: 701))
        XCTAssertEqual(error(nested(3), depth: 2)?.message, "nested deeper than 2 levels (DecodingOptions.maximumJSONDepth)")
    }

    /// Values may share bytes: 12 levels of arrays whose 16 entries all point at the same child
    /// would print 16^13 nulls from 625 bytes. The text stops at 16 × 625 + 1024 bytes.
    func testSharedValuesCannotExpandWithoutBound() {
        var body: [UInt8] = [16, 0, 52, 0] + [UInt8](repeating: 0, count: 48)
        for entry in 0..<16 { body[4 + 3 * entry] = 0x04 }  // inlined null literals
        for _ in 0..<11 {
            let size = 52 + body.count
            body = [16, 0, UInt8(size & 0xff), UInt8(size >> 8)] + Array([[UInt8]](repeating: [0x02, 52, 0], count: 16).joined()) + body
        }
        let document = [0x02] + body
        XCTAssertEqual(document.count, 625)
        XCTAssertEqual(MySQLJSON.maximumTextSize(binarySize: 625), 11024)
        // Worked out by printing the text up to the cap: the 5th null of the innermost array
        // (entry at 573 + 4 + 3 × 4) takes it to 11030 bytes.
        XCTAssertEqual(error(document),
                       MySQLJSON.DecodingError("its text grows past 11024 bytes (16 times the value's size plus 1 KiB): its values share bytes", offset: 589))
    }

    func testAFailedValueLeavesTheOutputAsItWas() {
        var out = Array("prefix".utf8)
        XCTAssertThrowsError(try MySQLJSON.appendText(of: hexBytes("02 01 00 07 00 0e 07 00")[...], to: &out))
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "prefix")
        XCTAssertNoThrow(try MySQLJSON.appendText(of: hexBytes("04 01")[...], to: &out))
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "prefixtrue")
    }

    func testPartialUpdateChanges() throws {
        let bytes = hexBytes("""
            00 05 24 2e 61 67 65  03 05 1a 00      # replace $.age with int16 26
            01 03 24 2e 62  02 04 01               # insert $.b: true
            01 06 24 2e 63 5b 30 5d  02 04 00      # insert $.c[0]: null (an array insert)
            02 03 24 2e 64                         # remove $.d (no value)
            """)
        let diffs = try MySQLJSON.diffs(bytes[...])
        XCTAssertEqual(diffs.map(\.functionName), ["JSON_REPLACE", "JSON_INSERT", "JSON_ARRAY_INSERT", "JSON_REMOVE"])
        XCTAssertEqual(diffs.map { String(decoding: $0.path, as: UTF8.self) }, ["$.age", "$.b", "$.c[0]", "$.d"])
        XCTAssertEqual(try diffs.map { try $0.value.map { try MySQLJSON.text(of: $0) } }, ["26", "true", "null", nil])
        XCTAssertEqual(try MySQLJSON.diffs([][...]), [])
        // A path length of two bytes (fc + uint16).
        let long = [UInt8](repeating: 0x61, count: 300)
        let longPath = try MySQLJSON.diffs(([0x02, 0xfc, 0x2c, 0x01] + long)[...])
        XCTAssertEqual(longPath.first?.path.count, 300)

        let damaged: [(String, MySQLJSON.DecodingError)] = [
            ("03 01 24", MySQLJSON.DecodingError("operation 3 is not replace (0), insert (1) or remove (2)", offset: 0)),
            ("00 09 24 2e", MySQLJSON.DecodingError("a path of 9 bytes where 2 are left", offset: 1)),
            ("00 01 24", MySQLJSON.DecodingError("the value length is missing", offset: 3)),
            ("00 01 24 fb", MySQLJSON.DecodingError("the value length starts with 0xfb, not a length", offset: 3)),
            ("00 01 24 fc 01", MySQLJSON.DecodingError("the value length is cut short", offset: 3)),
        ]
        for (hex, expected) in damaged {
            XCTAssertThrowsError(try MySQLJSON.diffs(hexBytes(hex)[...]), hex) { error in
                XCTAssertEqual(error as? MySQLJSON.DecodingError, expected, hex)
            }
        }
    }
}
