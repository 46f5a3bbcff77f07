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

    func testManyPacketsDripFedByteByByte() throws {
        // Five packets, among them an empty one, one byte at a time: each comes out whole, in order.
        let payloads: [[UInt8]] = [[1], [], Array(repeating: 2, count: 251), [3, 4, 5], Array(0..<200)]
        var wire = ByteBuffer()
        for (index, payload) in payloads.enumerated() {
            PacketEncoder.encode(ByteBuffer(bytes: payload), sequenceID: UInt8(index), into: &wire)
        }
        var decoder = PacketDecoder()
        var packets: [MySQLPacket] = []
        for byte in wire.readableBytesView {
            decoder.feed(ByteBuffer(bytes: [byte]))
            while let packet = try decoder.next() { packets.append(packet) }
        }
        XCTAssertEqual(packets.map { Array($0.payload.readableBytesView) }, payloads)
        XCTAssertEqual(packets.map(\.sequenceID), [0, 1, 2, 3, 4])
    }

    func testSplitPacketFedInOddChunksIsJoined() throws {
        // A 16 MiB + 100 byte packet then a small one, cut at chunk sizes that land on every kind
        // of boundary (inside a header, right after it, inside the payload).
        let large = (0..<(MySQLPacket.maximumFramePayload + 100)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var wire = ByteBuffer()
        let next = PacketEncoder.encode(ByteBuffer(bytes: large), sequenceID: 0, into: &wire)
        XCTAssertEqual(next, 2)
        PacketEncoder.encode(ByteBuffer(bytes: [9, 9]), sequenceID: next, into: &wire)
        let bytes = Array(wire.readableBytesView)
        var decoder = PacketDecoder()
        var packets: [MySQLPacket] = []
        var at = 0
        var step = 1
        while at < bytes.count {
            let end = min(bytes.count, at + step)
            decoder.feed(ByteBuffer(bytes: bytes[at..<end]))
            while let packet = try decoder.next() { packets.append(packet) }
            at = end
            step = step * 3 % 1_000_003 + 1
        }
        XCTAssertEqual(packets.count, 2)
        XCTAssertEqual(Array(packets[0].payload.readableBytesView), large)
        XCTAssertEqual(Array(packets[1].payload.readableBytesView), [9, 9])
        XCTAssertEqual(packets[1].sequenceID, 2)
    }

    func testHostileLengthAcrossContinuationFramesIsRefused() {
        // A full frame, then a continuation that would take the joined packet past the limit: refused
        // as soon as the continuation's header is there, before its payload is buffered.
        var decoder = PacketDecoder(maximumPacketSize: MySQLPacket.maximumFramePayload + 10)
        var wire = ByteBuffer()
        wire.writeBytes([0xff, 0xff, 0xff, 0x00])
        wire.writeBytes([UInt8](repeating: 1, count: MySQLPacket.maximumFramePayload))
        wire.writeBytes([0xff, 0xff, 0x00, 0x01])
        decoder.feed(wire)
        XCTAssertThrowsError(try decoder.next()) { error in
            XCTAssertEqual("\(error)", "packet of \(MySQLPacket.maximumFramePayload + 0xffff) bytes exceeds the limit of \(MySQLPacket.maximumFramePayload + 10)")
        }
    }

    func testEveryTruncationOfAPacketWaitsForMore() throws {
        // A header alone, or any prefix of a packet, is not a packet and not an error.
        let wire = Array(frames(Array(repeating: 0x5a, count: 40), sequence: 3).readableBytesView)
        for cut in 0..<wire.count {
            var decoder = PacketDecoder()
            decoder.feed(ByteBuffer(bytes: wire[0..<cut]))
            XCTAssertNil(try decoder.next(), "cut at \(cut)")
        }
    }
}
