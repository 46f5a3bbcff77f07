// MySQL client/server packet framing, without sockets: a 3-byte length, a sequence id, a payload.
import NIOCore

/// An error of the wire layer.
public struct MySQLWireError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One logical packet: payloads of 16 MiB − 1 bytes and more are split on the wire and joined here.
public struct MySQLPacket: Equatable, Sendable {
    /// The sequence id of the packet's first frame.
    public var sequenceID: UInt8
    public var payload: ByteBuffer

    public init(sequenceID: UInt8, payload: ByteBuffer) {
        self.sequenceID = sequenceID
        self.payload = payload
    }

    /// The largest payload one frame carries (`0xffffff`); a frame of exactly this length means another follows.
    public static let maximumFramePayload = 0xff_ffff
}

/// Frames packets into wire bytes.
public enum PacketEncoder {
    /// Writes `payload` as one or more frames starting at `sequenceID`; returns the next sequence id.
    @discardableResult
    public static func encode(_ payload: ByteBuffer, sequenceID: UInt8, into buffer: inout ByteBuffer) -> UInt8 {
        var sequence = sequenceID
        var remaining = payload
        while true {
            let length = min(remaining.readableBytes, MySQLPacket.maximumFramePayload)
            buffer.writeInteger(UInt8(length & 0xff))
            buffer.writeInteger(UInt8((length >> 8) & 0xff))
            buffer.writeInteger(UInt8((length >> 16) & 0xff))
            buffer.writeInteger(sequence)
            var slice = remaining.readSlice(length: length)!
            buffer.writeBuffer(&slice)
            sequence &+= 1
            // A frame of exactly the maximum size must be followed by another (possibly empty) one.
            if length < MySQLPacket.maximumFramePayload { return sequence }
        }
    }
}

/// A single-step packet decoder: feed it bytes as they arrive, take whole packets out.
///
/// Memory is bounded by `maximumPacketSize`: a packet declared larger is refused before its
/// bytes are buffered.
public struct PacketDecoder: Sendable {
    private var buffer = ByteBuffer()
    private var pending: ByteBuffer?
    private var pendingSequence: UInt8 = 0
    private var expectedSequence: UInt8?
    public let maximumPacketSize: Int

    public init(maximumPacketSize: Int = 1 << 30) {
        self.maximumPacketSize = maximumPacketSize
    }

    /// Appends received bytes.
    public mutating func feed(_ bytes: ByteBuffer) {
        var bytes = bytes
        buffer.writeBuffer(&bytes)
    }

    /// The next complete packet, or `nil` when more bytes are needed.
    public mutating func next() throws(MySQLWireError) -> MySQLPacket? {
        while true {
            guard buffer.readableBytes >= 4,
                  let b0 = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
                  let b1 = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self),
                  let b2 = buffer.getInteger(at: buffer.readerIndex + 2, as: UInt8.self),
                  let sequence = buffer.getInteger(at: buffer.readerIndex + 3, as: UInt8.self) else { return nil }
            let length = Int(b0) | Int(b1) << 8 | Int(b2) << 16
            let joined = (pending?.readableBytes ?? 0) + length
            guard joined <= maximumPacketSize else {
                throw MySQLWireError("packet of \(joined) bytes exceeds the limit of \(maximumPacketSize)")
            }
            if let expected = expectedSequence, pending != nil, sequence != expected {
                throw MySQLWireError("packet sequence id \(sequence) where \(expected) was expected")
            }
            guard buffer.readableBytes >= 4 + length else { return nil }
            buffer.moveReaderIndex(forwardBy: 4)
            var frame = buffer.readSlice(length: length)!
            if pending == nil {
                pending = ByteBuffer()
                pendingSequence = sequence
            }
            pending!.writeBuffer(&frame)
            expectedSequence = sequence &+ 1
            if length < MySQLPacket.maximumFramePayload {
                let packet = MySQLPacket(sequenceID: pendingSequence, payload: pending!)
                pending = nil
                expectedSequence = nil
                buffer.discardReadBytes()
                return packet
            }
        }
    }
}
