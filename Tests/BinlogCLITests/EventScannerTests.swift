// The verify scanner's thread: abandoned early, it stops and frees its state cleanly.
import Foundation
import XCTest
@testable import BinlogCLI
import MySQLBinlog

final class EventScannerTests: XCTestCase {
    func testAbandoningTheScannerEarlyStopsTheThread() throws {
        let url = CLIPaths.binlogs.appendingPathComponent("row-crc32.000001")
        for _ in 0..<10 {
            do {
                var source = try BinlogInput(path: url.path).open()
                try PrefetchingEventReader.readMagic(from: &source, name: url.path)
                let scanner = EventScanner(source: source, name: url.path, fileSize: nil, options: DecodingOptions(),
                                           tuning: EventScanner.Tuning(chunkSize: 512, depth: 1))
                let first = try XCTUnwrap(scanner.next())
                XCTAssertFalse(first.events.isEmpty)
                // Let the reading thread queue the next batch and block on the full queue.
                usleep(20_000)
            }
            // Freed with a batch still queued: no libdispatch trap, no hang.
            usleep(20_000)
        }
    }
}
