// A buffered byte writer to a file descriptor or to memory, so frontends can be tested directly.
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a frontend writes its output: a file descriptor (buffered) or memory (for tests).
///
/// Besides the bytes in ``buffer``, an output to a file descriptor takes slices of buffers that
/// are never written again (the reading thread's chunks and base64 text) by reference
/// (``appendShared(_:)``): they are written in place with `writev`, never copied here.
public final class OutputSink {
    /// Bytes not yet written; printers append to it directly and call ``flushIfNeeded()``.
    public var buffer: [UInt8] = []
    private let fd: Int32?
    private let flushThreshold: Int
    /// Slices written after the first `at` bytes of ``buffer`` (in order of `at`).
    private var pieces: [Piece] = []
    private var pieceBytes = 0

    struct Piece {
        var at: Int
        var bytes: ArraySlice<UInt8>
    }

    /// Slices shorter than this are copied: a `writev` segment costs more than copying them.
    static let sharedMinimum = 64

    /// Output kept in memory; read it from ``buffer``.
    public init() {
        fd = nil
        flushThreshold = Int.max
        buffer.reserveCapacity(1 << 16)
    }

    /// Output written to `fd`, in chunks of about `chunkSize` bytes.
    public init(fd: Int32, chunkSize: Int = 1 << 18) {
        self.fd = fd
        flushThreshold = chunkSize
        buffer.reserveCapacity(chunkSize + (1 << 16))
    }

    @inline(__always)
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        flushIfNeeded()
    }

    @inline(__always)
    public func write(_ bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
        flushIfNeeded()
    }

    /// Appends `bytes`, which nobody writes to again, by reference when the output is a file
    /// descriptor and they are long enough (the slice keeps its buffer alive until written).
    @inline(__always)
    public func appendShared(_ bytes: ArraySlice<UInt8>) {
        if bytes.count < OutputSink.sharedMinimum || fd == nil {
            buffer.append(contentsOf: bytes)
        } else {
            pieces.append(Piece(at: buffer.count, bytes: bytes))
            pieceBytes += bytes.count
        }
    }

    /// Appends text kept for later (see ``PendingText``).
    func append(_ pending: PendingText) {
        var from = 0
        for piece in pending.pieces {
            if piece.at > from { buffer.append(contentsOf: pending.bytes[from..<piece.at]) }
            appendShared(piece.bytes)
            from = piece.at
        }
        if pending.bytes.count > from { buffer.append(contentsOf: pending.bytes[from...]) }
    }

    @inline(__always)
    public func flushIfNeeded() {
        if buffer.count + pieceBytes >= flushThreshold { flush() }
    }

    /// Hands the buffered bytes to the writer thread (at most two buffers are in flight, so
    /// memory stays bounded while formatting and writing overlap).
    public func flush() {
        guard let fd, !buffer.isEmpty || !pieces.isEmpty else { return }
        let data = buffer
        let pieces = self.pieces
        buffer = []
        buffer.reserveCapacity(flushThreshold + (1 << 16))
        self.pieces = []
        self.pieces.reserveCapacity(pieces.count)
        pieceBytes = 0
        inFlight.wait()
        let state = self.state
        let inFlight = self.inFlight
        writer.async {
            defer { inFlight.signal() }
            if state.failure != nil { return }
            if let failure = OutputSink.writeAll(fd, data, pieces) { state.failure = failure }
        }
    }

    /// Writes `data` with `pieces` in their places; the error's text if it fails.
    private static func writeAll(_ fd: Int32, _ data: [UInt8], _ pieces: [Piece]) -> String? {
        data.withUnsafeBytes { raw -> String? in
            var segments: [iovec] = []
            segments.reserveCapacity(2 * pieces.count + 1)
            var from = 0
            for piece in pieces {
                if piece.at > from {
                    segments.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + from), iov_len: piece.at - from))
                }
                // The slice's storage is kept alive by `pieces` and never mutated: its address holds.
                let base = piece.bytes.withUnsafeBytes { $0.baseAddress! }
                segments.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: base), iov_len: piece.bytes.count))
                from = piece.at
            }
            if raw.count > from {
                segments.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + from), iov_len: raw.count - from))
            }
            return segments.withUnsafeMutableBufferPointer { list -> String? in
                var index = 0
                while index < list.count {
                    let count = min(list.count - index, 1024) // IOV_MAX on Linux
                    let written = writev(fd, list.baseAddress! + index, Int32(count))
                    if written < 0 {
                        if errno == EINTR { continue }
                        return String(cString: strerror(errno))
                    }
                    index = skip(written, in: list, from: index)
                }
                return nil
            }
        }
    }

    /// Drops `written` bytes from the front of `list[index...]`: the index of the first segment
    /// with bytes left, which is shortened when the write ended inside it.
    static func skip(_ written: Int, in list: UnsafeMutableBufferPointer<iovec>, from index: Int) -> Int {
        var index = index
        var left = written
        while left > 0 && index < list.count {
            if left >= list[index].iov_len {
                left -= list[index].iov_len
                index += 1
            } else {
                list[index].iov_base += left
                list[index].iov_len -= left
                left = 0
            }
        }
        while index < list.count && list[index].iov_len == 0 { index += 1 }
        return index
    }

    /// Waits until everything handed to the writer thread is written.
    public func finish() {
        flush()
        writer.sync {}
    }

    private final class WriterState: @unchecked Sendable {
        var failure: String?
    }

    private let writer = DispatchQueue(label: "binlog.output")
    private let inFlight = DispatchSemaphore(value: 2)
    private let state = WriterState()

    /// Why writing failed, if it did (read after ``finish()``).
    public var failed: String? { writer.sync { state.failure } }

    /// The memory output as text (tests).
    public var text: String { String(decoding: buffer, as: UTF8.self) }
}

/// Text kept until a statement is complete: bytes, and slices of buffers never written again
/// kept by reference (written out through ``OutputSink/appendShared(_:)``).
struct PendingText {
    public private(set) var bytes: [UInt8] = []
    fileprivate private(set) var pieces: [OutputSink.Piece] = []

    public init() {}

    public var isEmpty: Bool { bytes.isEmpty && pieces.isEmpty }

    public mutating func append(_ text: StaticString) { bytes.append(text) }

    public mutating func appendShared(_ slice: ArraySlice<UInt8>) {
        if slice.count < OutputSink.sharedMinimum {
            bytes.append(contentsOf: slice)
        } else {
            pieces.append(OutputSink.Piece(at: bytes.count, bytes: slice))
        }
    }

    /// Appends base64 lines of `event` encoded here.
    mutating func appendBase64Lines(_ event: ArraySlice<UInt8>) { Base64.appendLines(event, to: &bytes) }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        pieces.removeAll(keepingCapacity: true)
    }
}

/// Writes a line to standard error at once.
func writeStandardError(_ text: String) {
    var line = text
    if !line.hasSuffix("\n") { line += "\n" }
    line.withUTF8 { bytes in
        _ = Glibc.write(2, bytes.baseAddress, bytes.count)
    }
}

/// Runs a frontend against standard output (chunks of `chunkSize`) and standard error, with
/// messages prefixed `binlog: `; a failed write to standard output makes the exit code 2.
func runOnStandardOutput(chunkSize: Int, _ body: (OutputSink, (String) -> Void) -> Int32) -> Int32 {
    let sink = OutputSink(fd: 1, chunkSize: chunkSize)
    let code = body(sink, { writeStandardError("binlog: " + $0) })
    sink.finish()
    if let failure = sink.failed {
        writeStandardError("binlog: writing the output failed: \(failure)")
        return 2
    }
    return code
}
