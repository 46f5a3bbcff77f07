// The reading-thread reader must give exactly what the single-threaded reader gives, errors included.
import XCTest
@testable import MySQLBinlog

final class PrefetchingEventReaderTests: XCTestCase {
    private func readAll(_ bytes: [UInt8], chunk: Int, sourceChunk: Int = .max, sideWork: PrefetchingEventReader.SideWork? = nil,
                         options: DecodingOptions = DecodingOptions(), decodesAhead: Bool = false) throws -> (events: [BinlogEvent], side: [ArraySlice<UInt8>?]) {
        var source: any ByteSource = MemorySource(bytes, chunk: sourceChunk)
        try PrefetchingEventReader.readMagic(from: &source, name: "test")
        let reader = PrefetchingEventReader(source: source, name: "test", options: options, chunkSize: chunk, depth: 2, sideWork: sideWork,
                                            decodesAhead: decodesAhead)
        var events: [BinlogEvent] = []
        var side: [ArraySlice<UInt8>?] = []
        while let event = try reader.next() {
            events.append(event)
            side.append(reader.sideWorkResult)
        }
        return (events, side)
    }

    func testSameEventsAsTheSingleThreadedReaderOnEveryFile() throws {
        for url in try TestPaths.allBinlogs() where !url.lastPathComponent.hasPrefix("in-use") {
            let bytes = Array(try Data(contentsOf: url))
            let expected = try decodeAll(bytes)
            // Small chunks force events across chunk boundaries and events larger than a chunk.
            // And decoded on the reading thread (decodesAhead), as dump reads.
            for chunk in [4096, 1 << 18] {
                for ahead in [false, true] {
                    let got = try readAll(bytes, chunk: chunk, sourceChunk: 1000, decodesAhead: ahead).events
                    XCTAssertEqual(got.map(\.offset), expected.map(\.offset), "\(url.lastPathComponent) chunk \(chunk) ahead \(ahead)")
                    for (a, b) in zip(got, expected) where a.payload != b.payload || a.bytes != b.bytes {
                        XCTFail("\(url.lastPathComponent) chunk \(chunk) ahead \(ahead): event at \(a.offset) differs")
                        break
                    }
                }
            }
        }
    }

    /// nextFramed() gives every event's bytes, as next() decodes them, also after a peek(); and
    /// EventLayout reads the rows events among them as the decoder does.
    func testFramedEventsAreTheDecodedEventsBytes() throws {
        for name in ["row-crc32.000001", "compressed-row.000001", "mixed-none.000001"] {
            let bytes = Array(try Data(contentsOf: TestPaths.binlogs.appendingPathComponent(name)))
            let expected = try decodeAll(bytes)
            var source: any ByteSource = MemorySource(bytes, chunk: 1000)
            try PrefetchingEventReader.readMagic(from: &source, name: name)
            let reader = PrefetchingEventReader(source: source, name: name, chunkSize: 4096, depth: 2)
            XCTAssertEqual(try reader.peek()?.offset, 4)
            var framed: [PrefetchingEventReader.FramedEvent] = []
            while let event = try reader.nextFramed() {
                framed.append(event)
                if case .rows(let rows) = expected[framed.count - 1].payload {
                    XCTAssertEqual(try reader.layout.rows(event.bytes, at: event.offset), rows, "\(name) at \(event.offset)")
                }
            }
            XCTAssertEqual(framed.map(\.offset), expected.map(\.offset), name)
            XCTAssertEqual(framed.map { Array($0.bytes) }, expected.map { Array($0.bytes) }, name)
        }
    }

    func testSideWorkRunsPerEventAndIsHandedBackWithIt() throws {
        let bytes = Array(try Data(contentsOf: TestPaths.binlogs.appendingPathComponent("row-crc32.000001")))
        let result = try readAll(bytes, chunk: 4096) { event, output in
            guard event[event.startIndex + 4] == 19 else { return false }
            output.append(contentsOf: event.prefix(5))
            return true
        }
        XCTAssertFalse(result.events.isEmpty)
        for (event, side) in zip(result.events, result.side) {
            if event.header.type == .tableMap {
                XCTAssertEqual(side.map(Array.init), Array(event.bytes.prefix(5)))
            } else {
                XCTAssertNil(side)
            }
        }
    }

    func testChecksumMismatchIsReportedWithTheEventAfterTheGoodOnes() throws {
        var bytes = Array(try Data(contentsOf: TestPaths.binlogs.appendingPathComponent("stmt-crc32.000001")))
        let good = try decodeAll(bytes)
        let victim = good[5]
        bytes[Int(victim.offset) + 20] ^= 0x40
        for ahead in [false, true] {
            var source: any ByteSource = MemorySource(bytes)
            try PrefetchingEventReader.readMagic(from: &source, name: "bad")
            let reader = PrefetchingEventReader(source: source, name: "bad", chunkSize: 4096, depth: 2, decodesAhead: ahead)
            var seen = 0
            XCTAssertThrowsError(try { while try reader.next() != nil { seen += 1 } }()) { error in
                let failure = error as! BinlogDecodingError
                XCTAssertEqual(failure.eventOffset, victim.offset)
                XCTAssertEqual(failure.file, "bad")
                guard case .checksumMismatch = failure.reason else { return XCTFail("\(failure)") }
            }
            XCTAssertEqual(seen, 5, "ahead \(ahead)")
            // Thrown again, never taken for the end.
            XCTAssertThrowsError(try reader.next())
        }
    }

    func testAFailureKeepsBeingThrownAndNeverPassesForTheEnd() throws {
        // A first event whose checksum is wrong: peek() throws, and so does every call after it
        // (dump peeks at the first event to choose its dialect, then reads on).
        var bytes = Array(try Data(contentsOf: TestPaths.binlogs.appendingPathComponent("rand.000001")))
        bytes[30] ^= 0x01
        var source: any ByteSource = MemorySource(bytes)
        try PrefetchingEventReader.readMagic(from: &source, name: "bad")
        let reader = PrefetchingEventReader(source: source, name: "bad", chunkSize: 4096, depth: 2)
        XCTAssertThrowsError(try reader.peek())
        XCTAssertThrowsError(try reader.next())
        XCTAssertThrowsError(try reader.nextFramed())
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual((error as? BinlogDecodingError)?.eventOffset, 4)
        }
    }

    func testTruncatedTailAndZeroTailAreErrorsAfterTheCompleteEvents() throws {
        let bytes = Array(try Data(contentsOf: TestPaths.binlogs.appendingPathComponent("rand.000001")))
        let count = try decodeAll(bytes).count
        for damaged in [Array(bytes.dropLast(3)), bytes + [UInt8](repeating: 0, count: 40)] {
            var source: any ByteSource = MemorySource(damaged)
            try PrefetchingEventReader.readMagic(from: &source, name: "cut")
            let reader = PrefetchingEventReader(source: source, name: "cut", chunkSize: 4096, depth: 2)
            var seen = 0
            XCTAssertThrowsError(try { while try reader.next() != nil { seen += 1 } }())
            XCTAssertEqual(seen, damaged.count < bytes.count ? count - 1 : count)
        }
    }

    func testAbandoningTheReaderEarlyStopsTheThread() throws {
        for name in ["big-row.000001", "row-crc32.000001"] {
            let bytes = Array(try Data(contentsOf: TestPaths.binlogs.appendingPathComponent(name)))
            for _ in 0..<10 {
                do {
                    var source: any ByteSource = MemorySource(bytes)
                    try PrefetchingEventReader.readMagic(from: &source, name: "early")
                    let reader = PrefetchingEventReader(source: source, name: "early", chunkSize: 1024, depth: 1)
                    _ = try reader.next()
                    // Let the reading thread queue the next batch and block on the full queue.
                    usleep(20_000)
                    // deinit cancels the producer and waits for it: this must not hang.
                }
                // The reading thread lets go of the shared state last; freeing it with a batch still
                // queued must not trip libdispatch's check on semaphores freed below their start value.
                usleep(20_000)
            }
        }
    }

    func testNotABinlogAndEncryptedMagic() {
        var text: any ByteSource = MemorySource(Array("hello".utf8))
        XCTAssertThrowsError(try PrefetchingEventReader.readMagic(from: &text, name: "t")) { error in
            XCTAssertEqual("\(error)", "t: not a binlog file (found bytes 68 65 6c 6c, expected fe 62 69 6e)")
        }
        var encrypted: any ByteSource = MemorySource([0xfd, 0x62, 0x69, 0x6e, 1])
        XCTAssertThrowsError(try PrefetchingEventReader.readMagic(from: &encrypted, name: "e"))
    }
}

extension PrefetchingEventReaderTests {
    func testTableMapsKeptByTheDecoderDoNotHoldReadChunks() throws {
        let bytes = Array(try Data(contentsOf: TestPaths.binlogs.appendingPathComponent("row-crc32.000001")))
        var source: any ByteSource = MemorySource(bytes)
        try PrefetchingEventReader.readMagic(from: &source, name: "maps")
        let reader = PrefetchingEventReader(source: source, name: "maps", chunkSize: 4096, depth: 1)
        while try reader.next() != nil {}
        let maps = reader.context.tableMaps
        XCTAssertFalse(maps.isEmpty)
        for map in maps.values {
            // An owned copy starts at index 0 of its own storage; a slice of a chunk would not.
            XCTAssertEqual(map.columnTypeCodes.startIndex < 64, true, "table \(map.table) still points into a read chunk")
        }
    }
}
