// The output sink writes on a second thread: everything arrives, in order, and write errors surface.
import Foundation
import XCTest
@testable import BinlogCLI

final class OutputSinkTests: XCTestCase {
    func testEverythingIsWrittenInOrderThroughTheWriterThread() throws {
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("out").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        let sink = OutputSink(fd: fd, chunkSize: 1000)
        var expected: [UInt8] = []
        for i in 0..<5000 {
            let line = "line \(i) " + String(repeating: "x", count: i % 97) + "\n"
            sink.buffer.append(line)
            sink.flushIfNeeded()
            expected += Array(line.utf8)
        }
        sink.finish()
        close(fd)
        XCTAssertNil(sink.failed)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: path))), expected)
    }

    func testAWriteErrorIsReported() throws {
        // A descriptor open for reading cannot be written.
        let fd = open("/dev/null", O_RDONLY)
        let sink = OutputSink(fd: fd, chunkSize: 10)
        sink.buffer.append("more than ten bytes\n")
        sink.finish()
        close(fd)
        XCTAssertNotNil(sink.failed)
    }

    func testNumbersAndHexAppendLikePrintf() {
        var bytes: [UInt8] = []
        bytes.append(decimal: 0)
        bytes.append(UInt8(ascii: " "))
        bytes.append(decimal: 18_446_744_073_709_551_615)
        bytes.append(UInt8(ascii: " "))
        bytes.append(number: Int64(-42))
        bytes.append(UInt8(ascii: " "))
        bytes.append(hex: 0xdead, width: 8)
        bytes.append(UInt8(ascii: " "))
        bytes.append(hex: 0x1_2345_6789, width: 8)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "0 18446744073709551615 -42 0000dead 123456789")
    }

    func testBase64MatchesFoundationWithLineBreaksEvery76Characters() {
        for length in [0, 1, 2, 3, 56, 57, 58, 114, 1000, 3647, 3648, 3649, 4000, 7296, 7297] {
            let input = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            var encoded: [UInt8] = []
            Base64.encode(input[...], into: &encoded)
            let reference = Data(input).base64EncodedString()
            var lines: [String] = []
            var rest = Substring(reference)
            while !rest.isEmpty {
                lines.append(String(rest.prefix(76)))
                rest = rest.dropFirst(76)
            }
            XCTAssertEqual(String(decoding: encoded, as: UTF8.self), lines.joined(separator: "\n"), "length \(length)")
            XCTAssertEqual(encoded.count, Base64.encodedLength(length))
        }
    }
}
