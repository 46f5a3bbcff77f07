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

    func testSharedSlicesArriveInTheirPlacesThroughAPipe() throws {
        // Bytes, slices kept by reference (long ones) or copied (short ones), and pending text
        // with slices of its own, interleaved; through a pipe read slowly, so the writer thread
        // waits on a full pipe while the slices' buffers must stay alive.
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let sink = OutputSink(fd: fds[1], chunkSize: 1 << 16)
        var expected: [UInt8] = []
        final class Received: @unchecked Sendable { var bytes: [UInt8] = [] }
        let received = Received()
        let readEnd = fds[0]
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var chunk = [UInt8](repeating: 0, count: 4096)
            var reads = 0
            while true {
                let count = read(readEnd, &chunk, chunk.count)
                if count <= 0 { break }
                received.bytes += chunk[0..<count]
                // A slow reader: the pipe fills.
                reads += 1
                if reads % 7 == 0 { usleep(200) }
            }
            done.signal()
        }
        var generator = SystemRandomNumberGenerator()
        for i in 0..<3000 {
            let text = Array("event \(i)\n".utf8)
            sink.buffer.append(contentsOf: text)
            expected += text
            // A fresh buffer each time, as the reader's chunks are: a slice of its middle.
            let length = Int.random(in: 1...700, using: &generator)
            let storage = (0..<(length + 20)).map { UInt8(truncatingIfNeeded: $0 &+ i) }
            let slice = storage[10..<(10 + length)]
            sink.appendShared(slice)
            expected += slice
            if i % 3 == 0 {
                var pending = PendingText()
                pending.append("BINLOG '\n")
                pending.appendShared(storage[0..<(length / 2)])
                pending.append("x\n")
                pending.appendShared(slice)
                sink.append(pending)
                expected += Array("BINLOG '\n".utf8) + storage[0..<(length / 2)] + Array("x\n".utf8) + slice
            }
            sink.flushIfNeeded()
        }
        sink.finish()
        close(fds[1])
        done.wait()
        close(fds[0])
        XCTAssertNil(sink.failed)
        XCTAssertEqual(received.bytes.count, expected.count)
        XCTAssertTrue(received.bytes == expected, "the bytes differ")
    }

    func testAPartialWriteResumesInsideTheSegmentWhereItStopped() {
        // writev may write less than asked (a signal, a full device): the rest must follow from
        // the exact byte, whatever segment it is in.
        let data = Array(0..<100).map { UInt8($0) }
        data.withUnsafeBytes { raw in
            let base = UnsafeMutableRawPointer(mutating: raw.baseAddress!)
            var list = [iovec(iov_base: base, iov_len: 10), iovec(iov_base: base + 10, iov_len: 0),
                        iovec(iov_base: base + 10, iov_len: 30), iovec(iov_base: base + 40, iov_len: 60)]
            list.withUnsafeMutableBufferPointer { list in
                var index = OutputSink.skip(4, in: list, from: 0)
                XCTAssertEqual(index, 0)
                XCTAssertEqual(list[0].iov_base, base + 4)
                XCTAssertEqual(list[0].iov_len, 6)
                // The rest of the first, the empty one, and 5 of the third.
                index = OutputSink.skip(11, in: list, from: index)
                XCTAssertEqual(index, 2)
                XCTAssertEqual(list[2].iov_base, base + 15)
                XCTAssertEqual(list[2].iov_len, 25)
                // Exactly to a segment's end: on to the next.
                index = OutputSink.skip(25, in: list, from: index)
                XCTAssertEqual(index, 3)
                XCTAssertEqual(list[3].iov_len, 60)
                index = OutputSink.skip(60, in: list, from: index)
                XCTAssertEqual(index, 4)
            }
        }
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

    func testNamesAreBacktickQuotedWithBackticksDoubled() {
        // Identifier quoting as the servers do it: a backtick inside a name is written twice.
        for (name, quoted) in [("t1", "`t1`"), ("a`b", "`a``b`"), ("", "``"), ("``", "``````")] {
            var out = Array("x".utf8)
            TextFormatting.appendBacktickQuoted(Array(name.utf8)[...], to: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), "x" + quoted)
            XCTAssertEqual(String(decoding: TextFormatting.backtickQuoted(Array(name.utf8)), as: UTF8.self), quoted)
        }
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
