// The events packed inside a TRANSACTION_PAYLOAD_EVENT, inflated as a stream and decoded one at a time.
import CZstd

/// Reads the events of a compressed transaction (MySQL 8.0.20+ `binlog_transaction_compression`).
///
/// The payload holds ordinary events, each with the common header of the file's
/// Format_description but without a checksum. The payload is inflated in chunks, never more
/// than the size the event declares (nor ``DecodingOptions/maximumDecompressedSize``), and at
/// most one inner event is held at a time.
///
/// When the file uses CRC32, each event is handed out as mysqlbinlog prints it: its size field
/// grown by 4 and the CRC32 of its bytes appended, so it is an event the server would accept
/// back (in a `BINLOG` statement, say).
public struct TransactionPayloadReader {
    private var decoder: BinlogDecoder
    private let inflater: PayloadInflater
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private let outerOffset: UInt64
    private let appendsChecksums: Bool
    private let headerLength: Int
    private let maximumEventSize: Int

    /// - Parameters:
    ///   - payload: the decoded Transaction_payload.
    ///   - event: the event that carries it (for error positions).
    ///   - formatDescription: the file's Format_description in force.
    public init(_ payload: TransactionPayloadEvent, in event: BinlogEvent, formatDescription: FormatDescriptionEvent,
                options: DecodingOptions = DecodingOptions()) throws(BinlogDecodingError) {
        outerOffset = event.offset
        func failure(_ reason: BinlogDecodingError.Reason) -> BinlogDecodingError {
            BinlogDecodingError(reason, offset: event.offset, eventType: .transactionPayload, eventOffset: event.offset, field: "payload")
        }
        guard payload.payloadSize <= UInt64(payload.payload.count) else {
            throw failure(.truncated(needed: payload.payloadSize > UInt64(Int.max) ? Int.max : Int(payload.payloadSize),
                                     available: payload.payload.count))
        }
        let input = Array(payload.payload.prefix(Int(payload.payloadSize)))
        switch payload.compressionType {
        case 0:
            guard payload.uncompressedSize <= UInt64(options.maximumDecompressedSize) else {
                throw failure(.limitExceeded("declared uncompressed size \(payload.uncompressedSize) exceeds the cap of \(options.maximumDecompressedSize) bytes"))
            }
            inflater = try PayloadInflater(zstd: input, declaredSize: Int(payload.uncompressedSize), failure: failure)
        case 255:
            inflater = PayloadInflater(stored: input)
        default:
            throw failure(.invalidValue("unknown compression type \(payload.compressionType)"))
        }
        appendsChecksums = formatDescription.checksumAlgorithm == .crc32
        headerLength = formatDescription.commonHeaderLength
        maximumEventSize = options.maximumEventSize
        var inner = formatDescription
        inner.checksumAlgorithm = appendsChecksums ? .crc32 : .off
        var context = DecodingContext()
        context.formatDescription = inner
        context.hasFormatDescription = true
        var innerOptions = options
        // The checksums are the ones computed here: nothing to verify.
        innerOptions.verifyChecksums = false
        decoder = BinlogDecoder(options: innerOptions, context: context)
    }

    private func failure(_ reason: BinlogDecodingError.Reason, field: String) -> BinlogDecodingError {
        BinlogDecodingError(reason, offset: outerOffset, eventType: .transactionPayload, eventOffset: outerOffset, field: field)
    }

    /// Makes `count` bytes available from `pendingStart`; false when the payload ends first.
    private mutating func fill(_ count: Int) throws(BinlogDecodingError) -> Bool {
        while pending.count - pendingStart < count {
            let chunk = try inflater.read()
            if chunk.isEmpty { return false }
            if pendingStart > 0 {
                pending.removeFirst(pendingStart)
                pendingStart = 0
            }
            pending.append(contentsOf: chunk)
        }
        return true
    }

    /// The next inner event, or `nil` after the last one.
    public mutating func next() throws(BinlogDecodingError) -> BinlogEvent? {
        guard try fill(headerLength) else {
            if pending.count == pendingStart { return nil }
            throw failure(.truncated(needed: headerLength, available: pending.count - pendingStart), field: "inner_event_header")
        }
        let sizeIndex = pendingStart + 9
        let size = Int(pending[sizeIndex]) | Int(pending[sizeIndex + 1]) << 8 | Int(pending[sizeIndex + 2]) << 16 | Int(pending[sizeIndex + 3]) << 24
        guard size >= headerLength else {
            throw failure(.invalidLength("inner event size \(size) is smaller than the \(headerLength)-byte header"), field: "inner_event_size")
        }
        guard size <= maximumEventSize else {
            throw failure(.limitExceeded("inner event size \(size) exceeds the cap of \(maximumEventSize) bytes"), field: "inner_event_size")
        }
        guard try fill(size) else {
            throw failure(.truncated(needed: size, available: pending.count - pendingStart), field: "inner_event")
        }
        var bytes = Array(pending[pendingStart..<(pendingStart + size)])
        pendingStart += size
        if appendsChecksums {
            let grown = UInt32(size + 4)
            bytes[9] = UInt8(grown & 0xff)
            bytes[10] = UInt8((grown >> 8) & 0xff)
            bytes[11] = UInt8((grown >> 16) & 0xff)
            bytes[12] = UInt8(grown >> 24)
            let crc = CRC32.checksum(bytes[...])
            bytes += [UInt8(crc & 0xff), UInt8((crc >> 8) & 0xff), UInt8((crc >> 16) & 0xff), UInt8(crc >> 24)]
        }
        return try decoder.decode(bytes[...], at: outerOffset)
    }
}

/// The payload's bytes, inflated chunk by chunk (or handed out as stored).
private final class PayloadInflater {
    private let input: [UInt8]
    private var inputPosition = 0
    private let context: OpaquePointer?
    private let declaredSize: Int
    private var produced = 0
    private var frameComplete = true
    private let failure: (BinlogDecodingError.Reason) -> BinlogDecodingError
    private static let chunkSize = 1 << 16

    init(stored input: [UInt8]) {
        self.input = input
        context = nil
        declaredSize = input.count
        failure = { BinlogDecodingError($0, offset: 0) }
    }

    init(zstd input: [UInt8], declaredSize: Int,
         failure: @escaping (BinlogDecodingError.Reason) -> BinlogDecodingError) throws(BinlogDecodingError) {
        self.input = input
        self.declaredSize = declaredSize
        self.failure = failure
        guard let context = ZSTD_createDCtx() else {
            throw failure(.decompressionFailed("cannot initialise zstd decompression"))
        }
        self.context = context
    }

    deinit {
        if let context { ZSTD_freeDCtx(context) }
    }

    /// The next bytes of the inflated payload; empty at its end.
    func read() throws(BinlogDecodingError) -> [UInt8] {
        guard let context else {
            let end = min(input.count, inputPosition + Self.chunkSize)
            defer { inputPosition = end }
            return Array(input[inputPosition..<end])
        }
        while true {
            let room = min(Self.chunkSize, declaredSize - produced + 1)
            if inputPosition == input.count && frameComplete {
                guard produced == declaredSize else {
                    throw failure(.decompressionFailed("payload inflated to \(produced) bytes, its header declares \(declaredSize)"))
                }
                return []
            }
            var chunk = [UInt8](repeating: 0, count: max(room, 1))
            var consumed = inputPosition
            var count = 0
            let code: Int = chunk.withUnsafeMutableBytes { out in
                input.withUnsafeBytes { raw in
                    var output = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                    var source = ZSTD_inBuffer(src: raw.baseAddress, size: raw.count, pos: consumed)
                    let code = ZSTD_decompressStream(context, &output, &source)
                    consumed = source.pos
                    count = output.pos
                    return code
                }
            }
            let progressed = consumed != inputPosition
            inputPosition = consumed
            if ZSTD_isError(code) != 0 {
                throw failure(.decompressionFailed("zstd: \(String(cString: ZSTD_getErrorName(code)))"))
            }
            frameComplete = code == 0
            produced += count
            guard produced <= declaredSize else {
                throw failure(.decompressionFailed("payload inflates beyond the \(declaredSize) bytes its header declares"))
            }
            if count > 0 { return Array(chunk.prefix(count)) }
            if !progressed && inputPosition == input.count && !frameComplete {
                throw failure(.decompressionFailed("zstd stream ends inside a frame"))
            }
        }
    }
}
