// The checks on each event a server streams (pull and -R): what is in the file and what is not,
// and hostile headers refused with a message instead of trusted.
import XCTest
@testable import BinlogCLI
import MySQLBinlog

final class ReplicationStreamTests: XCTestCase {
    /// A v4 header: timestamp, type, server id, length, end position, flags; then `body`.
    private func event(type: UInt8, endPosition: UInt32, flags: UInt16 = 0, body: [UInt8] = [], length: UInt32? = nil) -> [UInt8] {
        func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        let total = length ?? UInt32(19 + body.count)
        return le32(0) + [type] + le32(1) + le32(total) + le32(endPosition) + [UInt8(flags & 0xff), UInt8(flags >> 8)] + body
    }

    func testRotateNamesTheNextFileWithOrWithoutAChecksum() throws {
        let body = [4, 0, 0, 0, 0, 0, 0, 0] + Array("mysql-bin.000002".utf8)
        let plain = try StreamedEvent(event(type: 4, endPosition: 0, flags: 0x20, body: body))
        XCTAssertTrue(plain.artificial)
        XCTAssertEqual(plain.rotate?.name, "mysql-bin.000002")
        XCTAssertEqual(plain.rotate?.position, 4)
        XCTAssertFalse(plain.closesFile)
        // The server's own Rotate, with a CRC32 after the name: the name stops before it.
        var real = event(type: 4, endPosition: 400, body: body + [0, 0, 0, 0])
        real[9] = UInt8(real.count)
        let crc = CRC32.checksum(real[0..<(real.count - 4)])
        for index in 0..<4 { real[real.count - 4 + index] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(index))) }
        let closing = try StreamedEvent(real)
        XCTAssertEqual(closing.rotate?.name, "mysql-bin.000002")
        XCTAssertFalse(closing.artificial)
        XCTAssertTrue(closing.closesFile)
    }

    func testArtificialEventsAndHeartbeatsAreToldApart() throws {
        XCTAssertTrue(try StreamedEvent(event(type: 15, endPosition: 0)).artificial, "end position 0")
        XCTAssertTrue(try StreamedEvent(event(type: 15, endPosition: 120, flags: 0x20)).artificial, "LOG_EVENT_ARTIFICIAL_F")
        XCTAssertFalse(try StreamedEvent(event(type: 15, endPosition: 120, flags: 0x01)).artificial)
        XCTAssertTrue(try StreamedEvent(event(type: 27, endPosition: 0)).isHeartbeat)
        XCTAssertTrue(try StreamedEvent(event(type: 41, endPosition: 0)).isHeartbeat)
        XCTAssertTrue(try StreamedEvent(event(type: 3, endPosition: 900)).closesFile, "a Stop event ends the file")
    }

    func testHostileHeadersAreRefusedWithAMessage() {
        let cases: [([UInt8], String)] = [
            (Array(repeating: 0, count: 10), "an event of 10 bytes (a header has 19)"),
            (event(type: 2, endPosition: 100, body: [1, 2, 3], length: 1_000_000), "header says 1000000 bytes in a packet of 22"),
            (event(type: 4, endPosition: 0, body: [4, 0, 0]), "a Rotate event of 22 bytes"),
        ]
        for (bytes, message) in cases {
            XCTAssertThrowsError(try StreamedEvent(bytes)) { error in
                XCTAssertTrue((error as? CLIError)?.message.contains(message) == true, "\(error)")
                XCTAssertEqual((error as? CLIError)?.exitCode, 1)
            }
        }
    }

    /// The reading side of the channel gets the chunks in order, then the end; a producer over the
    /// limit waits until the reader has taken enough; after cancel it is told to stop.
    func testChannelKeepsOrderBoundsWhatIsQueuedAndStopsTheProducer() async throws {
        let channel = StreamChannel(limit: 10)
        let producer = Task {
            var sent = 0
            for index in 0..<5 {
                guard await channel.send([UInt8](repeating: UInt8(index), count: 8)) else { return sent }
                sent += 1
            }
            channel.finish(nil)
            return sent
        }
        var received: [[UInt8]] = []
        while true {
            let item = await Task.detached { channel.take() }.value
            guard case .bytes(let bytes) = item else {
                guard case .end = item else { return XCTFail("\(item)") }
                break
            }
            received.append(bytes)
        }
        XCTAssertEqual(received, (0..<5).map { [UInt8](repeating: UInt8($0), count: 8) })
        let sent = await producer.value
        XCTAssertEqual(sent, 5)

        let cancelled = StreamChannel(limit: 4)
        let stopped = Task { await cancelled.send([1, 2, 3, 4, 5]) }
        try await Task.sleep(nanoseconds: 50_000_000)
        cancelled.cancel()
        let result = await stopped.value
        XCTAssertFalse(result, "a producer waiting over the limit is told to stop on cancel")
        let late = await cancelled.send([6])
        XCTAssertFalse(late)
    }
}
