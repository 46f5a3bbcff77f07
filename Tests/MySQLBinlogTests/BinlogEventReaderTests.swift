// The streaming reader over every TestData binlog: bounded windows, compressed copies, index files.
import XCTest
import CZlib
import CZstd
@testable import MySQLBinlog

final class BinlogEventReaderTests: XCTestCase {
    func testEveryTestDataFileDecodesCompletelyWithAChainOfPositions() throws {
        var total = 0
        for url in try TestPaths.allBinlogs() {
            let bytes = Array(try Data(contentsOf: url))
            var reader = BinlogEventReader(source: MemorySource(bytes), name: url.lastPathComponent)
            try reader.readMagic()
            var expectedOffset: UInt64 = 4
            do {
                while let event = try reader.next() {
                    XCTAssertEqual(event.offset, expectedOffset, url.lastPathComponent)
                    // MariaDB writes the end position of each event in its header.
                    XCTAssertEqual(UInt64(event.header.logPosition), event.endOffset, "\(url.lastPathComponent) at \(event.offset)")
                    if case .unsupported(let unknown) = event.payload {
                        XCTFail("\(url.lastPathComponent): undecoded \(unknown.type.name) at \(event.offset)")
                    }
                    expectedOffset = event.endOffset
                    total += 1
                }
            } catch let failure as BinlogDecodingError where url.lastPathComponent.hasPrefix("in-use") {
                // The killed server's file may end mid-event; anything else is a failure.
                guard case .truncated = failure.reason else { throw failure }
            }
            if !url.lastPathComponent.hasPrefix("in-use") {
                XCTAssertEqual(expectedOffset, UInt64(bytes.count), "\(url.lastPathComponent) not read to its end")
            }
        }
        XCTAssertGreaterThan(total, 1000)
    }

    func testTinyWindowAndDripFeedGiveTheSameEvents() throws {
        // big-stmt holds a ~1 MiB event: far larger than a 64-byte window.
        let bytes = Array(try Data(contentsOf: TestPaths.binlogs.appendingPathComponent("big-stmt.000001")))
        let normal = try decodeAll(bytes)
        var reader = BinlogEventReader(source: MemorySource(bytes, chunk: 7), name: "drip", windowSize: 64)
        try reader.readMagic()
        var small: [BinlogEvent] = []
        while let event = try reader.next() { small.append(event) }
        XCTAssertEqual(normal.map(\.offset), small.map(\.offset))
        XCTAssertEqual(normal.map(\.payload), small.map(\.payload))
        XCTAssertTrue(normal.contains { $0.bytes.count > 1_000_000 })
    }

    func testGzipAndZstdCopiesReadTransparently() throws {
        let url = TestPaths.binlogs.appendingPathComponent("row-crc32.000001")
        let bytes = Array(try Data(contentsOf: url))
        let expected = try decodeAll(bytes).map(\.payload)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("binlog-compressed-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let gzipURL = directory.appendingPathComponent("row.000001.gz")
        try Data(gzip(bytes)).write(to: gzipURL)
        let zstdURL = directory.appendingPathComponent("row.000001.zst")
        try Data(zstd(bytes)).write(to: zstdURL)
        for compressed in [gzipURL, zstdURL] {
            var reader = BinlogEventReader(source: try BinlogInput(path: compressed.path).open(), name: compressed.lastPathComponent)
            try reader.readMagic()
            var payloads: [EventPayload] = []
            while let event = try reader.next() { payloads.append(event.payload) }
            XCTAssertEqual(payloads, expected, compressed.lastPathComponent)
        }
    }

    func testIndexFileStandsForTheFilesItLists() throws {
        let index = TestPaths.binlogs.appendingPathComponent("flush-logs.index")
        let inputs = try BinlogInput.expand([index.path])
        XCTAssertEqual(inputs.map { URL(fileURLWithPath: $0.path).lastPathComponent },
                       ["flush-logs.000001", "flush-logs.000002", "flush-logs.000003"])
        let plain = try BinlogInput.expand([TestPaths.binlogs.appendingPathComponent("flush-logs.000001").path])
        XCTAssertEqual(plain.count, 1)
    }

    func testMissingFileIsAClearError() {
        XCTAssertThrowsError(try BinlogInput(path: "/nonexistent/x.000001").open()) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/x.000001: cannot open"), "\(error)")
        }
    }

    private func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        var input = bytes
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                deflate(&stream, Z_FINISH)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        deflateEnd(&stream)
        return Array(output.prefix(produced))
    }

    private func zstd(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let size = output.withUnsafeMutableBytes { out in
            bytes.withUnsafeBytes { input in
                ZSTD_compress(out.baseAddress, out.count, input.baseAddress, input.count, 3)
            }
        }
        return Array(output.prefix(size))
    }
}
