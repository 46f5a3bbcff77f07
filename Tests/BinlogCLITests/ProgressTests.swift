// The progress line's text, and that it stays off where it must.
import XCTest
@testable import BinlogCLI

final class ProgressTests: XCTestCase {
    func testLineShowsWhatIsKnown() {
        XCTAssertEqual(Progress.line(done: 312_400_000, total: 550_100_000, events: 1_000_000, seconds: 2),
                       "312.4 MB / 550.1 MB (56%), 500000 events/s, 2 s left")
        XCTAssertEqual(Progress.line(done: 50_000_000, total: nil, events: 10, seconds: 1), "50.0 MB, 10 events/s")
        XCTAssertEqual(Progress.line(done: 0, total: 0, events: 0, seconds: 0), "0.0 MB")
    }

    func testDisabledProgressDoesNothing() {
        let progress = Progress(total: 100, enabled: false)
        for _ in 0..<10_000 { progress.advance(bytes: 1) }
        progress.finish()
    }

    func testDumpInTestsPrintsNoProgress() throws {
        // The frontend shows progress only when asked to (the command does, on a terminal).
        let result = try dump([CLIPaths.binlogs.appendingPathComponent("big-row.000001").path])
        XCTAssertEqual(result.exitCode, 0)
        XCTAssertFalse(result.diagnostics.contains { $0.contains("events/s") })
    }
}
