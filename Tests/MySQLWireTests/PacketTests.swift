// Packet framing without sockets: drip-fed bytes, split 16 MiB packets, hostile lengths.
import NIOCore
import XCTest
@testable import MySQLWire

final class PacketTests: XCTestCase {
    private func frames(_ payload: [UInt8], sequence: UInt8 = 0) -> ByteBuffer {
        var wire = ByteBuffer()
        PacketEncoder.encode(ByteBuffer(bytes: payload), sequenceID: sequence, into: &wire)
        return wire
    }

    func testSmallPacketHasItsHeader() {
        let wire = frames([0x03, 0x73, 0x65, 0x6c], sequence: 5)
        XCTAssertEqual(Array(wire.readableBytesView), [0x04, 0x00, 0x00, 0x05, 0x03, 0x73, 0x65, 0x6c])
    }

    func testDripFedBytesGiveOnePacket() throws {
        let wire = frames(Array(repeating: 0xab, count: 300), sequence: 1)
        var decoder = PacketDecoder()
        var packets: [MySQLPacket] = []
        for byte in wire.readableBytesView {
            decoder.feed(ByteBuffer(bytes: [byte]))
            while let packet = try decoder.next() { packets.append(packet) }
        }
        XCTAssertEqual(packets.count, 1)
        XCTAssertEqual(packets[0].sequenceID, 1)
        XCTAssertEqual(packets[0].payload.readableBytes, 300)
    }

    func testPayloadOfExactlyTheFrameLimitIsFollowedByAnEmptyFrame() throws {
        let payload = [UInt8](repeating: 7, count: MySQLPacket.maximumFramePayload)
        let wire = frames(payload)
        XCTAssertEqual(wire.readableBytes, 4 + payload.count + 4)
        var decoder = PacketDecoder()
        decoder.feed(wire)
        let packet = try XCTUnwrap(try decoder.next())
        XCTAssertEqual(packet.payload.readableBytes, payload.count)
        XCTAssertNil(try decoder.next())
    }

    func testLargePayloadIsSplitAndJoined() throws {
        let payload = (0..<(MySQLPacket.maximumFramePayload + 10)).map { UInt8(truncatingIfNeeded: $0) }
        var decoder = PacketDecoder()
        decoder.feed(frames(payload, sequence: 3))
        let packet = try XCTUnwrap(try decoder.next())
        XCTAssertEqual(packet.sequenceID, 3)
        XCTAssertEqual(Array(packet.payload.readableBytesView), payload)
    }

    func testHostileLengthIsRefusedBeforeBuffering() {
        var decoder = PacketDecoder(maximumPacketSize: 1024)
        decoder.feed(ByteBuffer(bytes: [0xff, 0xff, 0x00, 0x00]))
        XCTAssertThrowsError(try decoder.next()) { error in
            XCTAssertTrue("\(error)".contains("exceeds the limit of 1024"), "\(error)")
        }
    }

    func testOutOfSequenceContinuationIsAnError() {
        var wire = ByteBuffer()
        // A full first frame with sequence 0, then a continuation claiming sequence 5.
        wire.writeBytes([0xff, 0xff, 0xff, 0x00])
        wire.writeBytes([UInt8](repeating: 1, count: MySQLPacket.maximumFramePayload))
        wire.writeBytes([0x01, 0x00, 0x00, 0x05, 0x02])
        var decoder = PacketDecoder()
        decoder.feed(wire)
        XCTAssertThrowsError(try decoder.next())
    }
}
