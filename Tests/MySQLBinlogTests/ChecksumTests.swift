// CRC32 as the servers compute it, and the prediction of a run's CRC32 from its event lengths.
import XCTest
import CZlib
@testable import MySQLBinlog

final class ChecksumTests: XCTestCase {
    func testKnownValues() {
        // The standard check value of CRC-32/ISO-HDLC, and the residue it leaves.
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)[...]), 0xcbf4_3926)
        XCTAssertEqual(CRC32RunPredictor.residue, 0x2144_df1c)
    }

    /// An "event" of `length` random bytes whose last 4 are the CRC32 of the others.
    func intactEvent(_ length: Int, _ generator: inout SystemRandomNumberGenerator) -> [UInt8] {
        var bytes = (0..<(length - 4)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let crc = CRC32.checksum(bytes[...])
        bytes += [UInt8(crc & 0xff), UInt8(crc >> 8 & 0xff), UInt8(crc >> 16 & 0xff), UInt8(crc >> 24)]
        return bytes
    }

    func testPredictionEqualsTheCRC32OfTheWholeRun() {
        var generator = SystemRandomNumberGenerator()
        var predictor = CRC32RunPredictor()
        // Short lengths (cached multipliers) and lengths past the cache (zlib each time).
        let lengths = [19, 23, 31, 42, 42, 200, 19, 8191, 65_535, 65_536, 70_001, 31, 42]
        var run: [UInt8] = []
        var predicted: UInt32 = 0
        for length in lengths {
            run += intactEvent(length, &generator)
            predicted = predictor.extend(predicted, byIntactEventOf: length)
            XCTAssertEqual(predicted, CRC32.checksum(run[...]), "after an event of \(length) bytes")
        }
        // One flipped bit anywhere makes the run's CRC32 differ from the prediction.
        for position in [0, 17, run.count / 2, run.count - 1] {
            var damaged = run
            damaged[position] ^= 0x10
            XCTAssertNotEqual(CRC32.checksum(damaged[...]), predicted)
        }
    }

    func testPredictionStaysRightWhenTheCacheIsFull() {
        var generator = SystemRandomNumberGenerator()
        var predictor = CRC32RunPredictor()
        var run: [UInt8] = []
        var predicted: UInt32 = 0
        for length in 19..<(19 + CRC32RunPredictor.maximumSlots + 50) {
            run += intactEvent(length, &generator)
            predicted = predictor.extend(predicted, byIntactEventOf: length)
        }
        XCTAssertEqual(predicted, CRC32.checksum(run[...]))
    }
}
